"""The trainer on the built-in tiny models: every method trains a few dozen steps, reports each step's loss, writes
its artefact in the layout the web UI and the worker load, and the worker's engine generates with it; a run
stopped after a checkpoint resumes where it stopped and ends exactly as an uninterrupted one."""

from __future__ import annotations

import fcntl
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from safetensors import safe_open

from easel_proto.errors import Conflict, InvalidInput
from easel_proto.v1.jobs import EmbeddingSpec, GenerationSpec, HypernetworkSpec, LoraSpec
from easel_proto.v1.registry import ModelInfo
from easel_proto.v1.trainings import TrainingEvent
from easel_trainer import JsonLinesReporter, StopTraining, read_events, run
from easel_worker.engine import GenerationEngine, ensure_tiny_sd
from easel_worker.engine.tiny import TINY_SD, TINY_SDXL

TINY = ModelInfo(id="builtin-tiny-sd", name="tiny-sd", kind="checkpoint", base="tiny", source="builtin:tiny-sd")
XL = ModelInfo(id="builtin-tiny-sdxl", name="tiny-sdxl", kind="checkpoint", base="sdxl", source="builtin:tiny-sdxl")
STEPS = 24


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("trainer-cache")


@pytest.fixture(scope="module")
def engine(cache_dir) -> GenerationEngine:
    return GenerationEngine(cache_dir, device="cpu")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    """Four small images of smooth colour fields, two with captions."""
    folder = tmp_path_factory.mktemp("dataset")
    for i in range(4):
        y, x = np.mgrid[0:40, 0:48] / 48.0
        rgb = np.stack([(x * (i + 1)) % 1, y, (x * y * 3 + i / 4) % 1], axis=2)
        Image.fromarray((rgb * 255).astype(np.uint8)).save(folder / f"img{i}.png")
        if i % 2 == 0:
            (folder / f"img{i}.txt").write_text(f"a striped field number {i}")
    return folder


@pytest.fixture(scope="module")
def class_images(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("class")
    for i in range(2):
        Image.fromarray(np.full((32, 32, 3), 60 + 80 * i, dtype=np.uint8)).save(folder / f"c{i}.png")
    return folder


def training(method: str, model_dir: Path, dataset: Path, class_images: Path | None = None, **over) -> dict:
    spec = {"method": method, "name": "fox", "model": {"path": str(model_dir), "base": "tiny"},
            "dataset": {"path": str(dataset)}, "resolution": 32, "batch_size": 2, "max_steps": STEPS,
            "checkpoint_every": 8, "seed": 7}
    if method in ("lora", "dreambooth_lora"):
        spec["learning_rates"] = {"unet": 1e-3, "text_encoder": 1e-4}
    if method in ("dreambooth", "dreambooth_lora"):
        spec["dreambooth"] = {"instance_prompt": "a photo of sks field", "class_prompt": "a photo of a field",
                              "class_data_path": str(class_images)}
    if method == "dreambooth":
        spec["learning_rates"] = {"unet": 1e-3}
    if method == "textual_inversion":
        spec["textual_inversion"] = {"token": "sksfield", "num_vectors": 2, "init_word": "field"}
        spec["learning_rates"] = {"embedding": 5e-2}
    if method == "hypernetwork":
        spec["hypernetwork"] = {"layer_structure": [1, 2, 1], "activation": "relu", "layer_norm": True}
        spec["learning_rates"] = {"hypernetwork": 1e-3}
    return spec | over


def progress_losses(events: list[TrainingEvent]) -> dict[int, float]:
    return {e.step: e.progress.loss for e in events if e.type == "progress"}


def txt2img(engine: GenerationEngine, model: ModelInfo = TINY, files=None, **over) -> np.ndarray:
    fields = dict(prompt="a striped field", model=model, sampler="Euler", steps=3, cfg_scale=7.0, width=64,
                  height=64, seeds=[3])
    images = engine.generate(GenerationSpec(**(fields | over)), lambda *_: None, files or {})
    return np.stack([np.asarray(im) for im in images])


def artefact_model(final: TrainingEvent, work: Path, model_id: str) -> tuple[ModelInfo, Path]:
    """The artefact as the registry would list it once registered (kind, base, format, sha256)."""
    a = final.artefact
    info = ModelInfo(id=model_id, name=a.name, kind=a.kind, base=a.base, source=f"store:t/models/{model_id}",
                     format=a.format, sha256=a.sha256, size=a.size)
    return info, work / a.path


def use(engine: GenerationEngine, method: str, final: TrainingEvent, work: Path) -> tuple[np.ndarray, np.ndarray]:
    """(the same txt2img without the artefact, with it) through the worker's engine, the way a job would use it."""
    info, path = artefact_model(final, work, f"trained-{method}")
    if method in ("lora", "dreambooth_lora"):
        prompt = "a photo of sks field"
        return txt2img(engine, prompt=prompt), txt2img(engine, files={info.id: path}, prompt=prompt,
                                                       loras=[LoraSpec(model=info, weight=1.0)])
    if method == "textual_inversion":
        prompt = "a photo of sksfield"
        return txt2img(engine, prompt=prompt), txt2img(engine, files={info.id: path}, prompt=prompt,
                                                       embeddings=[EmbeddingSpec(name=info.name, model=info)])
    if method == "hypernetwork":
        return txt2img(engine), txt2img(engine, files={info.id: path},
                                        hypernetworks=[HypernetworkSpec(model=info, weight=1.0)])
    engine.load(info, local=path)  # dreambooth: a diffusers pipeline folder, a checkpoint like any imported one
    return txt2img(engine), txt2img(engine, model=info)


@pytest.mark.parametrize("method", ["lora", "dreambooth_lora", "dreambooth", "textual_inversion", "hypernetwork"])
def test_each_method_trains_reports_every_step_and_its_artefact_works_in_the_worker(
        method, cache_dir, engine, dataset, class_images, tmp_path):
    base = ensure_tiny_sd(cache_dir, TINY_SD)
    work = tmp_path / "work"
    spec = training(method, base, dataset, class_images, samples={"prompts": ["a striped field"], "every": 12,
                                                                  "steps": 2})
    if method == "lora":
        spec["lora"] = {"rank": 4, "train_text_encoder": True}
    final = run(spec, work, device="cpu")

    assert final.type == "succeeded" and final.step == STEPS
    events = read_events(work / "progress.jsonl")
    assert [e.type for e in events][0] == "started" and events[-1].type == "succeeded"
    losses = progress_losses(events)
    assert sorted(losses) == list(range(1, STEPS + 1))  # one line per step
    assert all(math.isfinite(v) for v in losses.values())
    assert final.loss_history == [losses[s] for s in range(1, STEPS + 1)]
    first = next(e for e in events if e.type == "progress").progress
    assert first.total_steps == STEPS and first.lr > 0 and first.samples_per_s > 0
    assert [e.step for e in events if e.type == "checkpoint"] == [8, 16]
    assert [e.samples for e in events if e.type == "sample"] == [["samples/step-00000012-0.png"],
                                                                ["samples/step-00000024-0.png"]]
    assert Image.open(work / "samples" / "step-00000024-0.png").size == (32, 32)
    assert (work / "result.json").is_file() and (work / "spec.json").is_file()

    plain, trained = use(engine, method, final, work)
    assert plain.shape == trained.shape
    assert not np.array_equal(plain, trained)
    assert np.array_equal(txt2img(engine), txt2img(engine))  # nothing stays behind in the base


def test_artefacts_are_in_the_web_uis_layouts(cache_dir, dataset, class_images, tmp_path):
    base = ensure_tiny_sd(cache_dir, TINY_SD)
    short = {"max_steps": 2, "checkpoint_every": 0}
    lora = run(training("lora", base, dataset, **short, lora={"rank": 2, "alpha": 1, "train_text_encoder": True}),
               tmp_path / "lora", device="cpu")
    with safe_open(str(tmp_path / "lora" / lora.artefact.path), "pt") as f:
        keys, meta = set(f.keys()), f.metadata()
        alpha = f.get_tensor("lora_unet_down_blocks_1_attentions_0_transformer_blocks_0_attn2_to_k.alpha")
        down = f.get_tensor("lora_unet_down_blocks_1_attentions_0_transformer_blocks_0_attn2_to_k.lora_down.weight")
    assert lora.artefact.path == "artefact/fox.safetensors" and lora.artefact.kind == "lora"
    assert "lora_te_text_model_encoder_layers_1_self_attn_out_proj.lora_up.weight" in keys
    assert all(k.startswith(("lora_unet_", "lora_te_")) and k.endswith((".lora_down.weight", ".lora_up.weight",
                                                                         ".alpha")) for k in keys)
    assert float(alpha) == 1.0 and down.shape == (2, 32)
    assert meta["ss_network_dim"] == "2" and meta["ss_network_module"] == "networks.lora"

    ti = run(training("textual_inversion", base, dataset, **short), tmp_path / "ti", device="cpu")
    with safe_open(str(tmp_path / "ti" / ti.artefact.path), "pt") as f:
        assert list(f.keys()) == ["emb_params"] and f.get_tensor("emb_params").shape == (2, 32)
    assert (ti.artefact.kind, ti.artefact.name, ti.artefact.path) == ("embedding", "sksfield",
                                                                      "artefact/sksfield.safetensors")

    hn = run(training("hypernetwork", base, dataset, **short), tmp_path / "hn", device="cpu")
    with safe_open(str(tmp_path / "hn" / hn.artefact.path), "pt") as f:
        keys, meta = set(f.keys()), f.metadata()
    # Linear (0), ReLU (1), LayerNorm (2), Linear (3), LayerNorm (4): the web UI's Sequential, per width and side
    assert keys == {f"{w}.{side}.linear.{i}.{p}" for w in (32, 64) for side in (0, 1) for i in (0, 2, 3, 4)
                    for p in ("weight", "bias")}
    assert json.loads(meta["layer_structure"]) == [1, 2, 1] and meta["activation_func"] == "relu"
    assert meta["is_layer_norm"] == "true" and json.loads(meta["dropout_structure"]) == [0, 0, 0]

    db = run(training("dreambooth", base, dataset, class_images, **short), tmp_path / "db", device="cpu")
    folder = tmp_path / "db" / db.artefact.path
    assert (db.artefact.kind, db.artefact.format) == ("checkpoint", "diffusers")
    assert (folder / "model_index.json").is_file()
    assert (folder / "unet" / "diffusion_pytorch_model.safetensors").is_file()
    assert not list(folder.rglob("*.bin")) and not list(folder.rglob("*.pt"))


class StopAtCheckpoint(JsonLinesReporter):
    """The service side's reporter in miniature: it asks the run to stop once a checkpoint is written."""

    def __init__(self, path: Path, at: int) -> None:
        super().__init__(path)
        self.at = at

    def report(self, event: TrainingEvent) -> None:
        super().report(event)
        if event.type == "checkpoint" and event.step == self.at:
            raise StopTraining("preempted")


@pytest.mark.parametrize("method", ["lora", "textual_inversion", "hypernetwork", "dreambooth"])
def test_a_stopped_run_resumes_and_ends_as_an_uninterrupted_one(method, cache_dir, dataset, class_images, tmp_path):
    base = ensure_tiny_sd(cache_dir, TINY_SD)
    spec = training(method, base, dataset, class_images, max_steps=12, checkpoint_every=3)
    whole = run(spec, tmp_path / "whole", device="cpu")

    work = tmp_path / "stopped"
    stopped = run(spec, work, device="cpu", reporter=StopAtCheckpoint(work / "progress.jsonl", at=6))
    assert (stopped.type, stopped.step, stopped.checkpoint) == ("interrupted", 6, "checkpoints/step-00000006")
    assert not (work / "artefact").exists()
    resumed = run(spec, work, device="cpu")

    events = read_events(work / "progress.jsonl")
    starts = [e for e in events if e.type == "started"]
    assert [s.resumed_from for s in starts] == [None, 6]
    second = events[events.index(starts[1]):]
    assert [e.step for e in second if e.type == "progress"] == list(range(7, 13))  # the counter continues
    assert resumed.loss_history == whole.loss_history  # the same curve, bit for bit
    assert resumed.artefact.sha256 == whole.artefact.sha256  # and the same artefact
    assert sorted(p.name for p in (work / "checkpoints").iterdir()) == ["step-00000006", "step-00000009"]


def test_a_finished_run_is_not_trained_again_and_another_spec_is_refused(cache_dir, dataset, tmp_path):
    base = ensure_tiny_sd(cache_dir, TINY_SD)
    spec = training("lora", base, dataset, max_steps=6, checkpoint_every=3)
    first = run(spec, tmp_path, device="cpu")
    again = run(spec, tmp_path, device="cpu")
    assert again.artefact == first.artefact and again.loss_history == first.loss_history
    assert [e.type for e in read_events(tmp_path / "progress.jsonl")].count("started") == 1

    (tmp_path / "result.json").unlink()
    with pytest.raises(InvalidInput, match="another training") as info:
        run(spec | {"seed": 8}, tmp_path, device="cpu")
    assert info.value.details["field"] == "spec"
    assert read_events(tmp_path / "progress.jsonl")[-1].type == "failed"

    lines = (tmp_path / "progress.jsonl").read_text()
    with open(tmp_path / ".lock", "w") as held:  # a trainer still running in this work dir
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(Conflict, match="another trainer is running"):
            run(spec, tmp_path, device="cpu")
    assert (tmp_path / "progress.jsonl").read_text() == lines  # nothing written into the other run's progress


@pytest.mark.parametrize(("change", "field"), [
    ({"method": "dreambooth"}, "dreambooth"),
    ({"method": "textual_inversion"}, "textual_inversion"),
    ({"max_steps": None}, "max_steps"),
    ({"resolution": 33}, "resolution"),
    ({"batch_size": 0}, "batch_size"),
    ({"mixed_precision": "fp16"}, "mixed_precision"),
    ({"lora": {"rank": 1000}}, "lora.rank"),
    ({"colour": "red"}, "colour"),
    ({"dataset": {"path": "/nonexistent"}}, "dataset.path"),
    ({"model": {"path": "/nonexistent", "base": "tiny"}}, "model.path"),
    ({"method": "hypernetwork", "hypernetwork": {"layer_structure": [2, 1]}}, "hypernetwork.layer_structure"),
    ({"method": "hypernetwork", "hypernetwork": {"sizes": [77]}}, "hypernetwork.sizes"),
])
def test_bad_specs_are_refused_naming_the_field(change, field, cache_dir, dataset, tmp_path):
    spec = training("lora", ensure_tiny_sd(cache_dir, TINY_SD), dataset) | change
    with pytest.raises(InvalidInput) as info:
        run(spec, tmp_path, device="cpu")
    assert info.value.details["field"] == field
    failed = read_events(tmp_path / "progress.jsonl")[-1]
    assert failed.type == "failed" and failed.error.details["field"] == field


def test_an_unreadable_image_and_a_clashing_token_name_their_fields(cache_dir, dataset, tmp_path):
    base = ensure_tiny_sd(cache_dir, TINY_SD)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "x.png").write_bytes(b"not a png")
    with pytest.raises(InvalidInput, match="x.png is not a readable image") as info:
        run(training("lora", base, broken), tmp_path / "a", device="cpu")
    assert info.value.details["field"] == "dataset.path"
    with pytest.raises(InvalidInput, match="already a word") as info:
        run(training("textual_inversion", base, dataset, textual_inversion={"token": "a"}), tmp_path / "b",
            device="cpu")
    assert info.value.details["field"] == "textual_inversion.token"


@pytest.mark.parametrize("method", ["lora", "textual_inversion", "hypernetwork"])
def test_sdxl_training_works_in_the_worker(method, cache_dir, engine, dataset, tmp_path):
    base = ensure_tiny_sd(cache_dir, TINY_SDXL)
    spec = training(method, base, dataset, model={"path": str(base), "base": "sdxl"}, max_steps=12)
    if method == "lora":
        spec["lora"] = {"rank": 4, "train_text_encoder": True}
    final = run(spec, tmp_path, device="cpu")
    assert final.artefact.base == "sdxl"
    info, path = artefact_model(final, tmp_path, f"xl-{method}")
    if method == "lora":
        with safe_open(str(path), "pt") as f:
            assert {k.split("_text_model")[0] for k in f.keys() if k.startswith("lora_te")} == {"lora_te1", "lora_te2"}
        extra = {"loras": [LoraSpec(model=info, weight=1.0)]}
    elif method == "textual_inversion":
        with safe_open(str(path), "pt") as f:
            assert sorted(f.keys()) == ["clip_g", "clip_l"] and f.get_tensor("clip_g").shape == (2, 64)
        extra = {"embeddings": [EmbeddingSpec(name=info.name, model=info)]}
    else:
        extra = {"hypernetworks": [HypernetworkSpec(model=info, weight=1.0)]}
    prompt = "a photo of sksfield"
    plain = txt2img(engine, XL, prompt=prompt)
    assert not np.array_equal(txt2img(engine, XL, {info.id: path}, prompt=prompt, **extra), plain)
    assert np.array_equal(txt2img(engine, XL, prompt=prompt), plain)


@pytest.mark.slow
def test_a_killed_trainer_process_resumes_from_its_last_checkpoint(cache_dir, dataset, tmp_path):
    base = ensure_tiny_sd(cache_dir, TINY_SD)
    spec_path, work = tmp_path / "spec.json", tmp_path / "work"
    spec_path.write_text(json.dumps(training("lora", base, dataset, max_steps=400, checkpoint_every=4)))
    command = [sys.executable, "-m", "easel_trainer", "run", "--spec", str(spec_path), "--work", str(work),
               "--device", "cpu"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    log = tmp_path / "trainer.log"
    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=open(log, "ab"))  # noqa: SIM115
    try:
        deadline = time.monotonic() + 120
        while not list((work / "checkpoints").glob("step-*/state.json")):
            assert first.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.05)
    finally:
        first.send_signal(signal.SIGKILL)  # a spot node going away: no chance to say anything
        first.wait()
    before = progress_losses(read_events(work / "progress.jsonl"))
    done = max(int(p.parent.name.removeprefix("step-")) for p in (work / "checkpoints").glob("step-*/state.json"))

    # the second attempt, stopped by SIGTERM (a graceful preemption): it checkpoints where it is and exits 75
    second = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=open(log, "ab"))  # noqa: SIM115
    deadline = time.monotonic() + 120

    def resumed_steps() -> list[int]:
        events = read_events(work / "progress.jsonl")
        starts = [i for i, e in enumerate(events) if e.type == "started" and e.resumed_from]
        return [e.step for e in events[starts[0]:] if e.type == "progress"] if starts else []

    while not resumed_steps():
        assert second.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
        time.sleep(0.05)
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=120) == 75
    events = read_events(work / "progress.jsonl")
    started = [e for e in events if e.type == "started"]
    assert [s.resumed_from for s in started] == [None, done]
    interrupted = events[-1]
    assert interrupted.type == "interrupted" and interrupted.checkpointed and interrupted.step > done
    resumed = [e.step for e in events[events.index(started[1]):] if e.type == "progress"]
    assert resumed == list(range(done + 1, interrupted.step + 1))  # the step counter went on from the checkpoint
    after = progress_losses(events[events.index(started[1]):])
    assert all(after[s] == before[s] for s in after if s in before)  # the same curve where the attempts overlap


def test_the_trainer_needs_only_its_declared_dependencies_and_no_nats_database_or_http():
    """The training loops import nothing that talks to NATS, a database or HTTP; only the `job` entry point (what
    the service side launches) reports through easel-common; easel-gpu-worker is optional (built-in test models)."""
    import ast
    import tomllib

    root = Path(__file__).resolve().parents[2] / "trainer"
    declared = {d.split("=")[0].split(">")[0].split("<")[0].strip().replace("-", "_")
                for d in tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]}
    provides = {"pillow": "PIL", "easel_proto": "easel_proto", "easel_common": "easel_common"}
    allowed = {provides.get(d, d) for d in declared} | {"pydantic"}  # pydantic: easel_proto's own
    imported: dict[str, set[str]] = {}
    optional = set()
    for path in (root / "easel_trainer").rglob("*.py"):
        tree = ast.parse(path.read_text())
        guarded = {id(n) for t in ast.walk(tree) if isinstance(t, ast.Try)
                   if any(isinstance(h.type, ast.Name) and h.type.id == "ImportError" for h in t.handlers)
                   for b in t.body for n in ast.walk(b)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = {node.module.split(".")[0]}
            else:
                continue
            (optional if id(node) in guarded else imported.setdefault(path.name, set())).update(names)
    third_party = {m for names in imported.values() for m in names if m not in sys.stdlib_module_names}
    assert third_party <= allowed, third_party - allowed
    assert optional <= {"easel_worker"}, optional
    service_clients = {"nats", "sqlalchemy", "httpx", "boto3", "aiobotocore", "easel_common", "easel_worker"}
    loops = {m for name, names in imported.items() if name != "job.py" for m in names}
    assert not loops & service_clients, loops & service_clients


@pytest.mark.slow
def test_a_hypernetworks_own_dropout_structure_and_preview_sampler_are_used(cache_dir, dataset, tmp_path):
    """The web UI's dropout_structure reaches the modules and the file's metadata (which the worker and the web UI
    read back); the previews are drawn with the sampler asked for, and another one draws another image."""
    base = ensure_tiny_sd(cache_dir, TINY_SD)
    samples = {"prompts": ["a striped field"], "every": 0, "steps": 3, "seed": 5}
    hn = training("hypernetwork", base, dataset, max_steps=2, checkpoint_every=0,
                  hypernetwork={"layer_structure": [1, 2, 2, 1], "dropout": True,
                                "dropout_structure": [0, 0.1, 0.2, 0]})
    final = run(hn | {"samples": samples | {"sampler": "Euler a"}}, tmp_path / "a", device="cpu")
    with safe_open(str(tmp_path / "a" / final.artefact.path), "pt") as f:
        meta = f.metadata()
    assert json.loads(meta["dropout_structure"]) == [0, 0.1, 0.2, 0] and meta["use_dropout"] == "true"
    run(hn | {"samples": samples | {"sampler": "DDIM"}}, tmp_path / "b", device="cpu")
    euler_a, ddim = (np.asarray(Image.open(next((tmp_path / d / "samples").glob("*.png")))) for d in "ab")
    assert np.abs(euler_a.astype(int) - ddim.astype(int)).mean() > 1

    bad = training("hypernetwork", base, dataset, max_steps=2, hypernetwork={"layer_structure": [1, 2, 1],
                                                                          "dropout": True,
                                                                          "dropout_structure": [0.1, 0, 0]})
    with pytest.raises(InvalidInput) as refused:
        run(bad, tmp_path / "c", device="cpu")
    assert refused.value.details["field"] == "hypernetwork.dropout_structure"
