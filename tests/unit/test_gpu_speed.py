"""GPU speed settings on the CPU: the compile cache key, background compiles served once ready, the fallback to
eager, memory modes and the settings' validation, on the built-in tiny model."""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch
from pydantic import ValidationError
from tiny_jobs import TINY, no_steps, pixels, spec

from easel_proto.v1.registry import ModelInfo
from easel_worker.engine import GenerationEngine
from easel_worker.engine import compile as compile_mod
from easel_worker.engine.compile import CacheKey, CompileCache, Compiler, bucket_of, resolve_mode
from easel_worker.engine.memory import GIB, choose
from easel_worker.settings import WorkerSettings


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("speed-cache")


@pytest.fixture(scope="module")
def eager_pixels(cache_dir) -> np.ndarray:
    return pixels(GenerationEngine(cache_dir, device="cpu").generate(spec(), no_steps))


# -- the compile cache key -------------------------------------------------------------------------------------

KEY = CacheKey(model="sha-1", part="unet", bucket="b1", mode="default", gpu="NVIDIA H100 sm90", torch="2.13.0",
               diffusers="0.42.1")


@pytest.mark.parametrize(("field", "value"), [
    ("model", "sha-2"), ("part", "vae"), ("bucket", "b2"), ("mode", "max-autotune"), ("gpu", "NVIDIA L4 sm89"),
    ("torch", "2.14.0"), ("diffusers", "0.43.0")])
def test_compile_cache_key_changes_with_what_invalidates_artefacts(field, value):
    assert dataclasses.replace(KEY, **{field: value}).digest() != KEY.digest()


def test_compile_cache_key_is_stable_for_equal_inputs():
    assert CacheKey(**dataclasses.asdict(KEY)).digest() == KEY.digest()


def test_bucket_follows_shapes_not_values():
    a = bucket_of((torch.zeros(2, 4, 8, 8), torch.tensor(999)), {"encoder_hidden_states": torch.zeros(2, 77, 32),
                                                                 "return_dict": False})
    b = bucket_of((torch.ones(2, 4, 8, 8), torch.tensor(1)), {"encoder_hidden_states": torch.ones(2, 77, 32),
                                                              "return_dict": False})
    bigger = bucket_of((torch.zeros(2, 4, 16, 8), torch.tensor(1)), {"encoder_hidden_states": torch.ones(2, 77, 32),
                                                                     "return_dict": False})
    half = bucket_of((torch.zeros(2, 4, 8, 8, dtype=torch.float16), torch.tensor(1)),
                     {"encoder_hidden_states": torch.ones(2, 77, 32), "return_dict": False})
    assert a == b
    assert len({a, bigger, half}) == 3
    assert bucket_of((torch.zeros(1), 0.5), {}) == bucket_of((torch.zeros(1), 0.7), {})


def test_compile_is_off_on_cpu_unless_asked():
    assert resolve_mode("auto", torch.device("cpu")) == "off"
    assert resolve_mode("auto", torch.device("cuda")) == "default"
    assert resolve_mode("max-autotune", torch.device("cpu")) == "max-autotune"
    with pytest.raises(ValueError, match="EASEL_COMPILE"):
        resolve_mode("fastest", torch.device("cpu"))


def test_compiled_artefacts_travel_through_the_object_store(tmp_path):
    import asyncio

    from easel_common.storage import LocalStore
    from easel_worker.compiled import PREFIX, StoreMirror

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        store = LocalStore(tmp_path / "store")
        mirror = StoreMirror(store, loop)
        loaded: list[bytes] = []
        CompileCache(tmp_path / "a", save=lambda: (b"artefacts", None), load=loaded.append, mirror=mirror).save(KEY)
        assert (tmp_path / "store" / PREFIX / f"{KEY.digest()}.bin").read_bytes() == b"artefacts"
        other = CompileCache(tmp_path / "b", save=lambda: None, load=loaded.append, mirror=mirror)
        assert other.load(KEY)  # another worker, its own volume empty
        assert loaded == [b"artefacts"]
        assert other.path(KEY).read_bytes() == b"artefacts"  # kept locally for its next start
        assert not other.load(dataclasses.replace(KEY, gpu="NVIDIA L4 sm89"))
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


# -- background compiles -------------------------------------------------------------------------------------

class FakeCompile:
    """A compiled graph that is the eager forward, counted; its compile waits for `release`."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls: Counter[str] = Counter()

    def __call__(self, fn):
        def compiled(*args, **kwargs):
            if threading.current_thread().name == "easel-compile":
                assert self.release.wait(30)
                self.calls["warmup"] += 1
            else:
                self.calls["served"] += 1
            return fn(*args, **kwargs)

        return compiled


class Artefacts:
    def __init__(self) -> None:
        self.loaded: list[bytes] = []

    def save(self):
        return b"inductor-artefacts", None

    def load(self, data: bytes):
        self.loaded.append(data)


def test_worker_serves_eager_until_the_compiled_graph_is_ready(cache_dir, tmp_path, eager_pixels):
    fake, artefacts = FakeCompile(), Artefacts()
    cache = CompileCache(tmp_path / "compiled", save=artefacts.save, load=artefacts.load)
    engine = GenerationEngine(cache_dir, device="cpu", compiler=Compiler("default", cache, gpu="cpu", compile_fn=fake))

    first = pixels(engine.generate(spec(), no_steps))  # the compile is held back: every call is eager
    assert fake.calls["served"] == 0
    parts = engine._loaded[TINY.id].compiled
    assert {p.part for p in parts} == {"unet", "vae"}
    assert all(set(p.state.values()) == {"pending"} for p in parts)

    fake.release.set()
    assert engine._compiler.wait(60)
    assert all(set(p.state.values()) == {"ready"} for p in parts)
    second = pixels(engine.generate(spec(), no_steps))
    assert fake.calls["served"] > 0
    np.testing.assert_array_equal(first, eager_pixels)
    np.testing.assert_array_equal(second, eager_pixels)
    # what it compiled is on the shared volume, one file per part and bucket
    assert len(list((tmp_path / "compiled").glob("*.bin"))) == len(parts)

    # a job that patches the modules (seamless tiling, like LoRAs and hypernetworks) runs eager, compiles nothing
    served, warmups = fake.calls["served"], fake.calls["warmup"]
    engine.generate(spec(tiling=True), no_steps)
    assert (fake.calls["served"], fake.calls["warmup"]) == (served, warmups)

    # another worker of the pool loads those artefacts instead of compiling from scratch
    other = Artefacts()
    again = FakeCompile()
    again.release.set()
    cache2 = CompileCache(tmp_path / "compiled", save=other.save, load=other.load)
    engine2 = GenerationEngine(cache_dir, device="cpu", compiler=Compiler("default", cache2, gpu="cpu",
                                                                          compile_fn=again))
    engine2.generate(spec(), no_steps)
    assert engine2._compiler.wait(60)
    assert other.loaded == [b"inductor-artefacts"] * len(parts)


def test_compile_failure_falls_back_to_eager(cache_dir, tmp_path, monkeypatch, eager_pixels):
    def broken(*args, **kwargs):
        raise RuntimeError("inductor is not available here")

    monkeypatch.setattr(torch, "compile", broken)
    failed = compile_mod.COMPILES.labels("unet", "failed")
    before = failed._value.get()
    engine = GenerationEngine(cache_dir, device="cpu", compile_mode="default", compile_cache_dir=tmp_path)
    first = pixels(engine.generate(spec(), no_steps))
    assert engine._compiler.wait(60)
    parts = engine._loaded[TINY.id].compiled
    assert all(set(p.state.values()) == {"failed"} for p in parts)
    assert failed._value.get() == before + 1
    second = pixels(engine.generate(spec(), no_steps))
    np.testing.assert_array_equal(first, eager_pixels)
    np.testing.assert_array_equal(second, eager_pixels)


def test_a_compiled_graph_that_raises_is_dropped_for_eager(cache_dir, tmp_path, eager_pixels):
    def flaky(fn):
        def compiled(*args, **kwargs):
            if threading.current_thread().name != "easel-compile":
                raise RuntimeError("guard failure")
            return fn(*args, **kwargs)

        return compiled

    engine = GenerationEngine(cache_dir, device="cpu", compiler=Compiler("default", None, gpu="cpu", compile_fn=flaky))
    engine.generate(spec(), no_steps)
    assert engine._compiler.wait(60)
    np.testing.assert_array_equal(pixels(engine.generate(spec(), no_steps)), eager_pixels)
    assert all(set(p.state.values()) == {"failed"} for p in engine._loaded[TINY.id].compiled)


def test_torch_compile_eager_backend_gives_the_same_pixels(cache_dir, eager_pixels):
    engine = GenerationEngine(cache_dir, device="cpu", compiler=Compiler(
        "default", None, gpu="cpu", compile_fn=lambda fn: torch.compile(fn, backend="eager", dynamic=False)))
    engine.generate(spec(), no_steps)
    assert engine._compiler.wait(300)
    assert all(set(p.state.values()) == {"ready"} for p in engine._loaded[TINY.id].compiled)
    np.testing.assert_allclose(pixels(engine.generate(spec(), no_steps)), eager_pixels, atol=1)


# -- memory modes --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("family", "free_gib", "mode"), [
    ("sd15", 70, "full"), ("sd15", 6, "low"), ("sd15", 3, "offload"),
    ("sdxl", 70, "full"), ("sdxl", 22, "full"), ("sdxl", 17, "low"), ("sdxl", 14.5, "offload"),
    ("tiny", 1, "full")])
def test_memory_mode_follows_free_memory_and_family(family, free_gib, mode):
    assert choose("auto", family=family, free=int(free_gib * GIB), device_type="cuda") == mode


def test_a_forced_memory_mode_wins_and_cpus_keep_weights_in_place():
    assert choose("low", family="sdxl", free=80 * GIB, device_type="cuda") == "low"
    assert choose("offload", family="sd15", free=80 * GIB, device_type="cuda") == "offload"
    assert choose("auto", family="sdxl", free=None, device_type="cpu") == "full"
    assert choose("offload", family="sdxl", free=None, device_type="cpu") == "low"
    with pytest.raises(ValueError, match="EASEL_MEMORY_MODE"):
        choose("tiny", family="sdxl", free=None, device_type="cpu")


def test_low_memory_mode_slices_the_vae_and_keeps_the_pixels(cache_dir, eager_pixels):
    engine = GenerationEngine(cache_dir, device="cpu", memory_mode="low")
    images = pixels(engine.generate(spec(), no_steps))
    loaded = engine._loaded[TINY.id]
    assert loaded.memory == "low"
    assert loaded.pipe.vae.use_slicing and loaded.pipe.vae.use_tiling
    np.testing.assert_allclose(images, eager_pixels, atol=1)


# -- settings -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("variable", "value"), [
    ("EASEL_COMPILE", "fastest"), ("EASEL_MEMORY_MODE", "huge"), ("EASEL_DTYPE", "float8"),
    ("EASEL_XFORMERS", "maybe")])
def test_bad_speed_settings_name_the_setting(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as raised:
        WorkerSettings()
    assert variable.removeprefix("EASEL_").lower() in str(raised.value)


def test_speed_settings_reach_the_engine(monkeypatch, tmp_path):
    from easel_worker.main import make_engine

    monkeypatch.setenv("EASEL_COMPILE", "max-autotune")
    monkeypatch.setenv("EASEL_MEMORY_MODE", "low")
    monkeypatch.setenv("EASEL_MODEL_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("EASEL_DEVICE", "cpu")
    engine = make_engine(WorkerSettings())
    assert engine._compiler.mode == "max-autotune"
    assert engine.memory_mode == "low"
    assert engine._compiler.cache.root == tmp_path / "compiled"
    assert engine.dtype == torch.float32


def test_cuda_backends_take_tf32_and_cpus_are_left_alone(monkeypatch):
    from easel_worker.engine import gpu

    monkeypatch.setattr(torch.backends.cudnn, "benchmark", False)
    before = torch.get_float32_matmul_precision()
    gpu.configure_backends(torch.device("cpu"))
    assert (torch.get_float32_matmul_precision(), torch.backends.cudnn.benchmark) == (before, False)
    try:
        gpu.configure_backends(torch.device("cuda"))
        assert torch.get_float32_matmul_precision() == "high"
        assert torch.backends.cudnn.benchmark
    finally:
        torch.set_float32_matmul_precision(before)
    assert gpu.weights_dtype("auto", torch.device("cuda")) == torch.float16
    assert gpu.weights_dtype("auto", torch.device("cpu")) == torch.float32
    assert gpu.weights_dtype("bfloat16", torch.device("cuda")) == torch.bfloat16


# -- SD 1.x/2.x VAEs in float16, again in float32 after NaNs ---------------------------------------------------

class HalfOverflow:
    """A forward hook on the VAE decoder's last convolution: NaNs when it runs in float16 (an overflowing VAE)."""

    def __init__(self, nan: bool) -> None:
        self.nan, self.half_calls = nan, 0

    def __call__(self, _module, _args, out):
        if out.dtype == torch.float16:
            self.half_calls += 1
            if self.nan:
                return out * float("nan")
        return out


def half_vae_engine(cache_dir, nan: bool) -> tuple[GenerationEngine, HalfOverflow]:
    """The tiny model with its VAE in float16, as SD 1.5's runs on a GPU (the rest stays float32 on the CPU)."""
    engine = GenerationEngine(cache_dir, device="cpu")
    engine.load(TINY)
    vae = engine._loaded[TINY.id].pipe.vae
    vae.to(torch.float16)
    hook = HalfOverflow(nan)
    vae.decoder.conv_out.register_forward_hook(hook)
    vae.encoder.conv_out.register_forward_hook(hook)
    return engine, hook


def test_an_sd15_vae_decodes_in_float16_when_it_gives_no_nans(cache_dir, eager_pixels):
    engine, hook = half_vae_engine(cache_dir, nan=False)
    images = pixels(engine.generate(spec(), no_steps))
    assert hook.half_calls == 1  # one decode of the batch, in float16, no second one
    assert TINY.id not in engine._vae_upcast
    assert engine._loaded[TINY.id].pipe.vae.dtype == torch.float16
    np.testing.assert_allclose(images, eager_pixels, atol=3)


def test_an_sd15_vae_that_gives_nans_in_float16_decodes_again_in_float32_and_is_remembered(cache_dir, eager_pixels):
    from easel_worker.engine import passes

    engine, hook = half_vae_engine(cache_dir, nan=True)
    first = pixels(engine.generate(spec(), no_steps))
    assert hook.half_calls == 1
    assert TINY.id in engine._vae_upcast
    assert first.max() > 0  # not the black image NaNs make
    np.testing.assert_allclose(first, eager_pixels, atol=3)  # float32 over float16-rounded weights
    pipe = engine._loaded[TINY.id].pipe
    assert pipe.vae.dtype == torch.float16  # the float32 runs use a copy: the module (and its graph) stays

    second = pixels(engine.generate(spec(), no_steps))
    assert hook.half_calls == 1  # remembered: straight to float32
    np.testing.assert_array_equal(second, first)
    latents = passes.encode(pipe, engine.generate(spec(seeds=[5]), no_steps))  # the init-image path too
    assert torch.isfinite(latents).all() and hook.half_calls == 1


def test_a_remembered_vae_encodes_again_in_float32_after_nans(cache_dir):
    from easel_worker.engine import passes

    engine, hook = half_vae_engine(cache_dir, nan=True)
    pipe = engine._loaded[TINY.id].pipe
    image = engine.generate(spec(seeds=[5]), no_steps)  # remembers through the decode's NaNs
    engine._vae_upcast.clear()
    calls = hook.half_calls
    latents = passes.encode(pipe, image)
    assert hook.half_calls == calls + 1  # tried in float16 first
    assert torch.isfinite(latents).all() and TINY.id in engine._vae_upcast


@pytest.mark.parametrize("mask", [False, True], ids=["img2img", "inpaint"])
def test_the_pipelines_own_init_image_encode_is_retried_in_float32_after_nans(cache_dir, mask):
    from diffusers import StableDiffusionImg2ImgPipeline, StableDiffusionInpaintPipeline
    from PIL import Image

    from easel_proto.v1.jobs import InputImage

    init = Image.new("RGB", (64, 64), (200, 120, 40))
    hole = Image.new("L", (64, 64), 0)
    hole.paste(255, (16, 16, 48, 48))
    inputs = {"in.png": init, "mask.png": hole}
    job = spec(task="img2img", init_images=[InputImage(key="in.png", width=64, height=64)], denoising_strength=0.6,
               mask=InputImage(key="mask.png", width=64, height=64) if mask else None)
    reference = pixels(GenerationEngine(cache_dir, device="cpu").generate(job, no_steps, inputs=inputs))
    engine, hook = half_vae_engine(cache_dir, nan=True)
    loaded = engine._loaded[TINY.id]
    for cls in (StableDiffusionImg2ImgPipeline, StableDiffusionInpaintPipeline):
        loaded.variant(cls, None, torch.float32)  # from_pipe casts every part to the weights' dtype (on a GPU, the
    loaded.pipe.vae.to(torch.float16)  # VAE's too): made first, so the VAE stays in float16 as on a GPU
    got = pixels(engine.generate(job, no_steps, inputs=inputs))  # diffusers encodes the init image itself
    assert hook.half_calls >= 1  # tried in float16 first
    assert TINY.id in engine._vae_upcast
    assert got.max() > 0  # not the black image NaN latents make
    np.testing.assert_allclose(got, reference, atol=4)  # float32 over float16-rounded weights


def test_sdxl_vae_compiles_in_the_dtype_it_runs_in_whatever_the_pipeline_casts(cache_dir):
    """diffusers' SDXL pipelines cast the VAE to float32 in place around a decode and back after: a compile of a
    new VAE size that runs after the cast back (here: held until the job is over) must still work."""
    job_over = threading.Event()

    def after_the_job(fn):
        graph = torch.compile(fn, backend="eager", dynamic=False)

        def compiled(*args, **kwargs):
            if threading.current_thread().name == "easel-compile":
                assert job_over.wait(300)
            return graph(*args, **kwargs)

        return compiled

    xl = ModelInfo(id="m-tiny-xl", name="tiny-sdxl", kind="checkpoint", base="sdxl", source="builtin:tiny-sdxl")
    engine = GenerationEngine(cache_dir, device="cpu", dtype="float16", compiler=Compiler(
        "default", None, gpu="cpu", compile_fn=after_the_job))
    job = spec(model=xl, seeds=[5])
    eager = pixels(engine.generate(job, no_steps))
    job_over.set()
    assert engine._compiler.wait(300)
    loaded = engine._loaded[xl.id]
    assert {p.part for p in loaded.compiled} == {"unet", "vae"}
    assert all(set(p.state.values()) == {"ready"} for p in loaded.compiled)  # none left eager
    assert loaded.pipe.vae.dtype == torch.float16  # the module keeps its dtype between jobs
    np.testing.assert_allclose(pixels(engine.generate(job, no_steps)), eager, atol=1)
