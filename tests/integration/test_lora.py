"""LoRAs on the real engine: attached per job as peft adapters, detached after it, never leaking into the next job."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from diffusers import StableDiffusionPipeline, UNet2DConditionModel
from peft import LoraConfig
from peft.utils import get_peft_model_state_dict

from easel_proto.errors import InvalidInput
from easel_proto.v1.jobs import GenerationSpec, LoraSpec
from easel_proto.v1.registry import ModelFile, ModelInfo
from easel_worker.engine import GenerationEngine, build_tiny_sd
from easel_worker.engine.compile import Compiler
from easel_worker.engine.lora import LoraSlots, adapter_name

TARGETS = ["to_k", "to_q", "to_v", "to_out.0"]


def make_lora(unet: UNet2DConditionModel, dest: Path, seed: int) -> Path:
    """A random (non-zero) LoRA for this UNet, saved as one .safetensors file the way diffusers writes them."""
    torch.manual_seed(seed)
    unet.add_adapter(LoraConfig(r=4, lora_alpha=4, target_modules=TARGETS, init_lora_weights=False))
    layers = get_peft_model_state_dict(unet)
    unet.delete_adapters("default")
    dest.mkdir(parents=True, exist_ok=True)
    StableDiffusionPipeline.save_lora_weights(dest, unet_lora_layers=layers, weight_name="lora.safetensors",
                                              safe_serialization=True)
    return dest / "lora.safetensors"


def lora_info(path: Path, model_id: str, base: str = "tiny") -> ModelInfo:
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    return ModelInfo(id=model_id, name=model_id, kind="lora", base=base, source=f"store:t/models/{model_id}",
                     format="safetensors", sha256=digest,
                     files=[ModelFile(path="lora.safetensors", key=f"t/models/{model_id}/lora.safetensors",
                                      size=len(data), sha256=digest)])


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return build_tiny_sd(tmp_path_factory.mktemp("tiny") / "tiny-sd")


@pytest.fixture(scope="module")
def loras(tiny, tmp_path_factory) -> dict[str, tuple[ModelInfo, Path]]:
    root = tmp_path_factory.mktemp("loras")
    out = {}
    for name, seed in (("fox", 1), ("owl", 2)):
        unet = UNet2DConditionModel.from_pretrained(tiny / "unet")
        path = make_lora(unet, root / name, seed)
        out[name] = (lora_info(path, f"lora-{name}"), path)
    # a LoRA for another architecture: a UNet with a wider cross-attention (like SDXL's) and a third block
    other = UNet2DConditionModel(
        block_out_channels=(32, 64, 64), layers_per_block=1, sample_size=32, in_channels=4, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=64, attention_head_dim=8, norm_num_groups=32)
    path = make_lora(other, root / "other", 3)
    out["other"] = (lora_info(path, "lora-other"), path)
    return out


@pytest.fixture(scope="module")
def engine(tiny, tmp_path_factory) -> GenerationEngine:
    engine = GenerationEngine(tmp_path_factory.mktemp("engine-cache"), device="cpu")
    model = checkpoint()
    engine.load(model, local=tiny)
    return engine


def checkpoint() -> ModelInfo:
    return ModelInfo(id="tiny-local", name="tiny-local", kind="checkpoint", base="tiny", source="store:t/x",
                     format="diffusers", files=[ModelFile(path="model_index.json", key="t/x/model_index.json",
                                                          size=1, sha256="0" * 64)])


def spec(*loras: tuple[ModelInfo, float], seeds=(5,)) -> GenerationSpec:
    return GenerationSpec(prompt="a fox in the snow", model=checkpoint(), sampler="Euler", steps=3, cfg_scale=7.0,
                          width=64, height=64, seeds=list(seeds),
                          loras=[LoraSpec(model=m, weight=w) for m, w in loras])


def run(engine: GenerationEngine, job: GenerationSpec, paths: dict[str, Path] | None = None) -> np.ndarray:
    images = engine.generate(job, lambda *_: None, paths)
    return np.stack([np.asarray(im) for im in images])


def paths_of(loras, *names) -> dict[str, Path]:
    return {loras[n][0].id: loras[n][1] for n in names}


def test_a_lora_changes_the_image_and_never_leaks_into_the_next_job(engine, loras):
    fox = loras["fox"][0]
    plain = run(engine, spec())
    with_lora = run(engine, spec((fox, 1.0)), paths_of(loras, "fox"))
    assert with_lora.shape == plain.shape
    assert not np.array_equal(with_lora, plain)
    assert np.array_equal(run(engine, spec()), plain)  # bit for bit: the adapter is detached
    assert adapter_name(fox) in engine._loaded["tiny-local"].loras.adapters  # ...but kept loaded
    timings = engine.last_lora_timings
    assert timings.loaded == 0 and timings.load_s == timings.attach_s == timings.detach_s == 0.0  # plain job

    # the second time the LoRA is resident: no path needed, same pixels
    again = run(engine, spec((fox, 1.0)))
    assert np.array_equal(again, with_lora)
    assert engine.last_lora_timings.loaded == 0 and engine.last_lora_timings.attach_s > 0


def test_weights_scale_the_effect_and_zero_is_the_plain_image(engine, loras):
    fox = loras["fox"][0]
    plain = run(engine, spec())
    half = run(engine, spec((fox, 0.5)), paths_of(loras, "fox"))
    full = run(engine, spec((fox, 1.0)), paths_of(loras, "fox"))
    assert not np.array_equal(half, full) and not np.array_equal(half, plain)
    assert np.array_equal(run(engine, spec((fox, 0.0)), paths_of(loras, "fox")), plain)


def test_two_loras_at_once(engine, loras):
    fox, owl = loras["fox"][0], loras["owl"][0]
    plain = run(engine, spec())
    one = run(engine, spec((fox, 1.0)), paths_of(loras, "fox", "owl"))
    both = run(engine, spec((fox, 1.0), (owl, 0.8)), paths_of(loras, "fox", "owl"))
    assert not np.array_equal(both, one) and not np.array_equal(both, plain)
    assert np.array_equal(run(engine, spec((fox, 1.0), (owl, 0.8))), both)  # deterministic, resident
    assert np.array_equal(run(engine, spec()), plain)


def test_a_lora_of_another_architecture_or_base_is_refused_and_leaves_the_base_clean(engine, loras):
    plain = run(engine, spec())
    other = loras["other"][0]
    with pytest.raises(InvalidInput) as info:
        run(engine, spec((other, 1.0)), paths_of(loras, "other"))
    assert info.value.details["field"] == "loras.0.name" and "does not fit" in info.value.message
    assert adapter_name(other) not in engine._loaded["tiny-local"].loras.adapters
    sd15 = loras["fox"][0].model_copy(update={"id": "lora-fox-sd15", "base": "sd15"})
    with pytest.raises(InvalidInput, match="base sd15 LoRA"):
        run(engine, spec((loras["fox"][0], 1.0), (sd15, 1.0)), {sd15.id: loras["fox"][1]} | paths_of(loras, "fox"))
    assert np.array_equal(run(engine, spec()), plain)


def test_resident_loras_are_evicted_least_recently_used(engine, loras):
    slots = engine._loaded["tiny-local"].loras
    saved = slots.capacity
    slots.capacity = 1
    try:
        run(engine, spec((loras["fox"][0], 1.0)), paths_of(loras, "fox"))
        run(engine, spec((loras["owl"][0], 1.0)), paths_of(loras, "owl"))
        assert list(slots.adapters.values()) == ["lora-owl"]
        pipe = engine._loaded["tiny-local"].pipe
        assert adapter_name(loras["fox"][0]) not in pipe.get_list_adapters().get("unet", [])
    finally:
        slots.capacity = saved


# -- LoRAs merged into the weights: the same pixels as peft's adapters, through the compiled graph -------------

def unet_state(engine: GenerationEngine) -> dict[str, tuple[torch.Tensor, int]]:
    unet = engine._loaded["tiny-local"].pipe.unet
    return {k: (v.detach().clone(), v.data_ptr()) for k, v in unet.state_dict().items()}


def assert_same_state(before, after) -> None:
    assert before.keys() == after.keys()
    for key, (tensor, ptr) in before.items():
        assert torch.equal(tensor, after[key][0]) and ptr == after[key][1], key  # same bits, same storage


def test_a_merged_lora_gives_peft_adapters_pixels_and_restores_the_base_bit_for_bit(engine, loras, tiny,
                                                                                   tmp_path):
    fox, owl = loras["fox"], loras["owl"]
    # the adapters as peft runs them unmerged (wrapped layers), on an engine of their own
    reference = GenerationEngine(tmp_path / "cache", device="cpu")
    reference.load(checkpoint(), local=tiny)
    pipe = reference._loaded["tiny-local"].pipe
    pipe.load_lora_weights(str(fox[1]), adapter_name="fox")
    pipe.load_lora_weights(str(owl[1]), adapter_name="owl")
    pipe.set_adapters(["fox", "owl"], adapter_weights=[0.8, 0.5])
    unmerged = run(reference, spec())

    plain = run(engine, spec())
    before = unet_state(engine)
    merged = run(engine, spec((fox[0], 0.8), (owl[0], 0.5)), paths_of(loras, "fox", "owl"))
    assert not np.array_equal(merged, plain)
    np.testing.assert_allclose(merged.astype(int), unmerged.astype(int), atol=2)
    assert_same_state(before, unet_state(engine))
    assert np.array_equal(run(engine, spec()), plain)


class CountingBackend:
    """A torch.compile backend that runs the traced graph as it is, counting (re)compiles and served calls."""

    def __init__(self) -> None:
        self.graphs = 0
        self.served = 0

    def backend(self, gm, example_inputs):
        self.graphs += 1
        return gm.forward

    def compile_fn(self, fn):
        compiled = torch.compile(fn, backend=self.backend, dynamic=False)

        def call(*args, **kwargs):
            if threading.current_thread().name != "easel-compile":
                self.served += 1
            return compiled(*args, **kwargs)

        return call


def test_a_lora_job_runs_the_compiled_graph_and_never_recompiles_it(engine, loras, tiny, tmp_path):
    fox, owl = loras["fox"][0], loras["owl"][0]
    eager_plain = run(engine, spec())
    eager_fox = run(engine, spec((fox, 1.0)), paths_of(loras, "fox"))
    eager_owl = run(engine, spec((owl, 0.7)), paths_of(loras, "owl"))

    counting = CountingBackend()
    compiled = GenerationEngine(tmp_path / "cache", device="cpu",
                                compiler=Compiler("default", None, gpu="cpu", compile_fn=counting.compile_fn))
    compiled.load(checkpoint(), local=tiny)
    run(compiled, spec())  # eager while the UNet and the VAE decode compile in the background
    assert compiled._compiler.wait(300)
    parts = compiled._loaded["tiny-local"].compiled
    assert all(set(p.state.values()) == {"ready"} for p in parts)
    graphs = counting.graphs
    plain = run(compiled, spec())
    np.testing.assert_allclose(plain.astype(int), eager_plain.astype(int), atol=1)
    before = unet_state(compiled)

    served = counting.served
    with_fox = run(compiled, spec((fox, 1.0)), paths_of(loras, "fox"))  # loaded now: peft wraps, then is taken out
    with_owl = run(compiled, spec((owl, 0.7)), paths_of(loras, "owl"))
    again = run(compiled, spec((fox, 1.0)))  # resident: a swap back
    assert counting.served > served  # the LoRA jobs ran through the compiled graphs
    assert counting.graphs == graphs  # ...which were never recompiled
    np.testing.assert_allclose(with_fox.astype(int), eager_fox.astype(int), atol=1)
    np.testing.assert_allclose(with_owl.astype(int), eager_owl.astype(int), atol=1)
    assert np.array_equal(again, with_fox)
    assert_same_state(before, unet_state(compiled))
    assert np.array_equal(run(compiled, spec()), plain)  # after LoRAs, the plain image bit for bit
    assert counting.graphs == graphs


def test_an_offloaded_pipeline_keeps_peft_adapters_switched_per_job(engine, loras, tiny, tmp_path):
    fox = loras["fox"][0]
    merged = run(engine, spec((fox, 0.8)), paths_of(loras, "fox"))
    offloaded = GenerationEngine(tmp_path / "cache", device="cpu")
    offloaded.load(checkpoint(), local=tiny)
    offloaded._loaded["tiny-local"].loras = LoraSlots(merge=False)  # what load sets for offload memory modes
    plain = run(offloaded, spec())
    np.testing.assert_allclose(run(offloaded, spec((fox, 0.8)), paths_of(loras, "fox")).astype(int),
                               merged.astype(int), atol=2)
    assert np.array_equal(run(offloaded, spec()), plain)
