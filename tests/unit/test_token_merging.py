"""Token merging (the web UI's token_merging_ratio) on the built-in tiny model: off is the exact image, on is a
close, seeded one; the UNet is left as it was after every job (also one that ends early), and such a job runs
eagerly and alone."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
from diffusers.models.attention import BasicTransformerBlock
from PIL import Image
from tiny_jobs import TINY, no_steps, pixels, spec

from easel_proto.errors import JobCanceled
from easel_proto.v1.jobs import HiresSpec, InputImage
from easel_worker.batching import batch_key, call_key
from easel_worker.engine import GenerationEngine
from easel_worker.engine.compile import Compiler
from easel_worker.engine.tome import bipartite_soft_matching_2d, merge_levels, merged_tokens, partition
from easel_worker.images import parameters

INIT = "t/u/inputs/init.png"


def hooks(unet) -> int:
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in unet.modules())


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> GenerationEngine:
    return GenerationEngine(tmp_path_factory.mktemp("tome-cache"), device="cpu")


@pytest.fixture(scope="module")
def plain(engine) -> np.ndarray:
    return pixels(engine.generate(spec(), no_steps))


@pytest.fixture(scope="module")
def merged(engine) -> np.ndarray:
    return pixels(engine.generate(spec(token_merging_ratio=0.5), no_steps))


def test_ratio_0_is_the_exact_image_and_installs_nothing(engine, plain):
    unet = engine._loaded[TINY.id].pipe.unet
    before = hooks(unet)
    np.testing.assert_array_equal(pixels(engine.generate(spec(token_merging_ratio=0), no_steps)), plain)
    with merged_tokens(unet, 0.0, 5):
        assert hooks(unet) == before


def test_a_ratio_changes_the_image_a_little_and_a_seed_gives_the_same_one(engine, plain, merged):
    assert not np.array_equal(merged, plain)
    assert np.abs(merged - plain).mean() < 6  # of 255: the same picture
    np.testing.assert_array_equal(pixels(engine.generate(spec(token_merging_ratio=0.5), no_steps)), merged)


def test_the_unet_is_left_as_loaded_after_the_job(engine, plain, merged):
    unet = engine._loaded[TINY.id].pipe.unet
    assert hooks(unet) == 0
    np.testing.assert_array_equal(pixels(engine.generate(spec(), no_steps)), plain)  # the next plain job


def test_a_job_ended_by_its_owner_leaves_no_merging_behind(engine, plain):
    def cancel(done: int, total: int) -> None:
        if done == 2:
            raise JobCanceled("canceled by owner")

    with pytest.raises(JobCanceled):
        engine.generate(spec(token_merging_ratio=0.7), cancel)
    assert hooks(engine._loaded[TINY.id].pipe.unet) == 0
    np.testing.assert_array_equal(pixels(engine.generate(spec(), no_steps)), plain)


def test_the_tokens_are_merged_at_the_top_attention_level(engine):
    unet = engine._loaded[TINY.id].pipe.unet
    assert merge_levels(unet) == 2  # the tiny UNet (like SDXL) has no attention at full size
    seen: list[int] = []
    blocks = [m for m in unet.modules() if isinstance(m, BasicTransformerBlock)]
    handles = [b.attn1.to_q.register_forward_pre_hook(lambda _m, args: seen.append(args[0].shape[1])) for b in blocks]
    try:
        engine.generate(spec(seeds=[5], steps=1, token_merging_ratio=0.5), no_steps)
    finally:
        for handle in handles:
            handle.remove()
    # 64x64 pixels: 32x32 latents, 16x16 = 256 tokens at the attention level, half of them merged
    assert set(seen) == {128}


def test_img2img_and_the_hires_pass_take_their_own_ratio(engine):
    init = Image.new("RGB", (64, 64), (200, 120, 40))
    i2i = dict(task="img2img", init_images=[InputImage(key=INIT, width=64, height=64)], denoising_strength=0.6)
    inputs = {INIT: init}
    a = pixels(engine.generate(spec(**i2i), no_steps, inputs=inputs))
    b = pixels(engine.generate(spec(**i2i, token_merging_ratio=0.5), no_steps, inputs=inputs))
    assert not np.array_equal(a, b) and np.abs(a - b).mean() < 6

    hires = HiresSpec(width=96, height=96, steps=2, denoising_strength=0.5)
    plain_hr = pixels(engine.generate(spec(hires=hires), no_steps))
    only_hr = pixels(engine.generate(spec(hires=hires.model_copy(update={"token_merging_ratio": 0.5})), no_steps))
    assert not np.array_equal(plain_hr, only_hr)
    assert hooks(engine._loaded[TINY.id].pipe.unet) == 0


def test_a_merging_job_runs_eagerly_and_alone(tmp_path):
    compiles: list[str] = []

    def counted(fn):
        def compiled(*args, **kwargs):
            compiles.append(threading.current_thread().name)
            return fn(*args, **kwargs)

        return compiled

    engine = GenerationEngine(tmp_path / "cache", device="cpu",
                              compiler=Compiler("default", None, gpu="cpu", compile_fn=counted))
    engine.generate(spec(token_merging_ratio=0.5), no_steps)
    assert engine._compiler.wait(60)
    assert compiles == []  # no compile submitted, no graph served: the hooks would make it recompile
    assert all(not part.state for part in engine._loaded[TINY.id].compiled)
    assert call_key(spec(token_merging_ratio=0.5)) is None and batch_key(spec(token_merging_ratio=0.5)) is None
    assert batch_key(spec()) is not None


def test_the_infotext_says_the_ratios():
    hires = HiresSpec(width=96, height=96, steps=2, token_merging_ratio=0.3)
    params = parameters(spec(token_merging_ratio=0.5, hires=hires), 5)
    assert params["Token merging ratio"] == "0.5" and params["Token merging ratio hr"] == "0.3"
    assert parameters(spec(), 5)["Token merging ratio"] is None


def test_matching_merges_the_ratio_and_unmerges_duplicates_exactly():
    torch.manual_seed(0)
    h, w, c = 6, 8, 4
    cells = torch.randint(4, (h // 2, w // 2), generator=torch.Generator().manual_seed(1))
    # every 2x2 cell holds one token four times: merging within cells loses nothing
    base = torch.randn(2, h // 2, w // 2, c)
    x = base.repeat_interleave(2, dim=1).repeat_interleave(2, dim=2).reshape(2, h * w, c)
    r = h * w * 3 // 4
    order = partition(h, w, cells, x.device)
    assert order[1] == h * w // 4  # one destination per cell
    merge, unmerge = bipartite_soft_matching_2d(x, r, *order)
    small = merge(x)
    assert small.shape == (2, h * w - r, c)
    torch.testing.assert_close(unmerge(small), x)
    keep, back = bipartite_soft_matching_2d(x, 0, *order)
    assert keep(x) is x and back(x) is x
    odd = torch.randn(1, 5 * 7, c)  # sides that are not multiples of 2: the last row and column are sources
    merge, unmerge = bipartite_soft_matching_2d(odd, 10, *partition(5, 7, torch.zeros(2, 3, dtype=torch.int64),
                                                                     odd.device))
    assert unmerge(merge(odd)).shape == odd.shape


def test_out_of_range_ratios_are_refused(engine):
    with pytest.raises(ValueError), merged_tokens(engine._loaded[TINY.id].pipe.unet, 0.95, 5):
        pass
    with pytest.raises(ValueError):  # the contract's range
        spec(token_merging_ratio=0.95)
