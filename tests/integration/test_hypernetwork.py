"""Hypernetworks in the worker: `<hypernet:name:weight>` (GenerationSpec.hypernetworks) rewrites the UNet's attention
key and value inputs for that job only; the file layout is the one the trainer writes; the registry checks it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from easel_proto.errors import InvalidInput
from easel_proto.v1.jobs import GenerationSpec, HypernetworkSpec
from easel_proto.v1.registry import ModelInfo
from easel_registry.safety import check_hypernetwork
from easel_trainer.methods.hypernetwork import HyperModule, dropout_structure
from easel_worker.engine import GenerationEngine
from easel_worker.engine.hypernetwork import _through, load_hypernetwork
from easel_worker.worker import spec_models
from hypernetworks import write

TINY = ModelInfo(id="builtin-tiny-sd", name="tiny-sd", kind="checkpoint", base="tiny", source="builtin:tiny-sd")


def info(model_id: str, **over) -> ModelInfo:
    return ModelInfo(id=model_id, name=model_id, kind="hypernetwork", base="tiny", source=f"store:t/models/{model_id}",
                     format="safetensors", sha256=model_id.ljust(64, "0")[:64]).model_copy(update=over)


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> GenerationEngine:
    return GenerationEngine(tmp_path_factory.mktemp("hypernet-cache"), device="cpu")


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hypernets")
    return {"anime": write(root / "anime.safetensors", seed=1),
            "ink": write(root / "ink.safetensors", seed=2, layers=(1, 2, 2, 1), activation="elu", layer_norm=True,
                         use_dropout=True, last_layer_dropout=True),
            "cross": write(root / "cross.safetensors", widths=(32,), seed=3),
            "xl": write(root / "xl.safetensors", widths=(96, 2048), seed=4)}


def one(engine: GenerationEngine, *networks: tuple[str, float], paths=None) -> np.ndarray:
    spec = GenerationSpec(prompt="a lighthouse", model=TINY, sampler="Euler", steps=3, cfg_scale=7.0, width=64,
                          height=64, seeds=[11],
                          hypernetworks=[HypernetworkSpec(model=info(n), weight=w) for n, w in networks])
    images = engine.generate(spec, lambda *_: None, paths or {})
    return np.stack([np.asarray(im) for im in images])


def paths(files, *names) -> dict[str, Path]:
    return {info(n).id: files[n] for n in names}


def test_a_hypernetwork_changes_its_job_only_and_scales_with_its_weight(engine, files):
    plain = one(engine)
    anime = one(engine, ("anime", 1.0), paths=paths(files, "anime"))
    assert not np.array_equal(anime, plain)
    assert np.array_equal(one(engine), plain)  # the hooks went with the job: the plain base, bit for bit
    assert np.array_equal(one(engine, ("anime", 1.0)), anime)  # resident now: no file needed, same pixels
    assert np.array_equal(one(engine, ("anime", 0.0)), plain)
    half = one(engine, ("anime", 0.5))
    assert not np.array_equal(half, anime) and not np.array_equal(half, plain)
    assert not engine._loaded["builtin-tiny-sd"].pipe.unet.down_blocks[1].attentions[0].transformer_blocks[0] \
        .attn2.to_k._forward_pre_hooks


def test_several_chain_and_a_deeper_one_with_layer_norm_and_dropout_loads(engine, files):
    anime = one(engine, ("anime", 1.0), paths=paths(files, "anime"))
    both = one(engine, ("anime", 1.0), ("ink", 0.8), paths=paths(files, "anime", "ink"))
    assert not np.array_equal(both, anime)
    only_cross = one(engine, ("cross", 1.0), paths=paths(files, "cross"))  # one width fits: the cross-attention
    assert not np.array_equal(only_cross, one(engine))


def test_what_does_not_fit_is_refused_naming_the_field_and_leaves_the_base_clean(engine, files, tmp_path):
    plain = one(engine)
    with pytest.raises(InvalidInput, match="does not fit") as exc:
        one(engine, ("anime", 1.0), ("xl", 1.0), paths=paths(files, "anime", "xl"))
    assert exc.value.details["field"] == "hypernetworks.1.name"
    spec = GenerationSpec(prompt="x", model=TINY, sampler="Euler", steps=2, cfg_scale=7.0, width=64, height=64,
                          seeds=[1], hypernetworks=[HypernetworkSpec(model=info("anime", base="sd15"), weight=1)])
    with pytest.raises(InvalidInput, match="base sd15 hypernetwork"):
        engine.generate(spec, lambda *_: None, paths(files, "anime"))
    lora = spec.model_copy(update={"hypernetworks": [HypernetworkSpec(model=info("anime", kind="lora"), weight=1)]})
    with pytest.raises(InvalidInput, match="is a lora, not a hypernetwork"):
        engine.generate(lora, lambda *_: None, paths(files, "anime"))

    save_file({"lora_unet_x.lora_down.weight": torch.zeros(2, 2)}, tmp_path / "lora.safetensors")
    with pytest.raises(InvalidInput, match="not a hypernetwork weight") as exc:
        one(engine, ("fake", 1.0), paths={info("fake").id: tmp_path / "lora.safetensors"})
    assert exc.value.details["field"] == "hypernetworks.0.name"
    # weights written without layer norm, settings that claim one
    write(tmp_path / "liar.safetensors", is_layer_norm="true")
    with pytest.raises(InvalidInput, match="do not match its settings"):
        one(engine, ("liar", 1.0), paths={info("liar").id: tmp_path / "liar.safetensors"})
    assert np.array_equal(one(engine), plain)


@pytest.mark.parametrize("options", [
    dict(layers=(1, 2, 1), activation="relu", layer_norm=False),
    dict(layers=(1, 2, 2, 1), activation="elu", layer_norm=True, use_dropout=True, last_layer_dropout=True),
    dict(layers=(1, 1.5, 1), activation="swish", layer_norm=True),
])
def test_the_worker_computes_what_the_trainer_trained(options, tmp_path):
    """The layout is a contract between two implementations: the worker's modules rebuilt from the file give the
    trainer's modules' output at every strength."""
    path = write(tmp_path / "h.safetensors", widths=(32,), **options)
    loaded = load_hypernetwork(path, "hypernetworks.0.name", "h")
    dropouts = dropout_structure(list(options["layers"]), options.get("use_dropout", False),
                                 options.get("last_layer_dropout", False))
    trainer_k = HyperModule(32, list(options["layers"]), options["activation"], options["layer_norm"], False,
                            dropouts, "Normal")
    trainer_k.load_state_dict({k.removeprefix("32.0."): v for k, v in _tensors(path).items() if k.startswith("32.0.")})
    trainer_k.eval()
    x = torch.randn(2, 7, 32)
    for weight in (1.0, 0.6):
        trainer_k.multiplier = weight
        worker = _through([(loaded[32][0], weight)])
        assert torch.allclose(worker(None, (x,))[0], trainer_k(x), atol=1e-6)


def _tensors(path: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(path)


def test_the_registry_accepts_only_the_layout(files):
    from safetensors import safe_open

    with safe_open(str(files["ink"]), "pt") as f:
        keys = list(f.keys())
    check_hypernetwork(keys, single=True)
    with pytest.raises(InvalidInput, match="one .safetensors file"):
        check_hypernetwork(keys, single=False)
    with pytest.raises(InvalidInput, match="not a hypernetwork"):
        check_hypernetwork([*keys, "lora_unet_x.alpha"], single=True)
    with pytest.raises(InvalidInput, match="not a hypernetwork"):
        check_hypernetwork([], single=True)


def test_the_worker_fetches_a_jobs_hypernetworks():
    spec = GenerationSpec(prompt="x", model=TINY, sampler="Euler", steps=2, cfg_scale=7.0, width=64, height=64,
                          seeds=[1], hypernetworks=[HypernetworkSpec(model=info("anime"), weight=0.6)])
    assert [m.id for m in spec_models(spec)] == ["builtin-tiny-sd", "anime"]
