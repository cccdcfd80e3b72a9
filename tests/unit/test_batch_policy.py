"""Which jobs a worker batches together, and how long it waits for them: only jobs that can share every UNet call,
and never longer than the pool's bound."""

from __future__ import annotations

from easel_proto.v1.jobs import (
    ControlNetSpec,
    GenerationSpec,
    HiresSpec,
    InputImage,
    LoraSpec,
    SdxlConditioning,
)
from easel_proto.v1.registry import ModelInfo
from easel_worker.batching import BatchPolicy, Candidate, batch_key, gather

TINY = ModelInfo(id="m-tiny", name="tiny", kind="checkpoint", base="tiny", source="builtin:tiny-sd")
OTHER = ModelInfo(id="m-other", name="other", kind="checkpoint", base="tiny", source="builtin:tiny-sd")
LORA = ModelInfo(id="l-1", name="fox", kind="lora", base="tiny", source="store:x")


def spec(**over) -> GenerationSpec:
    fields = dict(prompt="a fox", negative_prompt="blurry", model=TINY, sampler="Euler a", steps=20, cfg_scale=7.0,
                  width=512, height=512, seeds=[1])
    return GenerationSpec(**(fields | over))


def test_jobs_that_differ_only_in_what_each_row_carries_share_a_key():
    base = batch_key(spec())
    assert base is not None
    for other in (spec(prompt="a lighthouse", negative_prompt=""), spec(seeds=[5, 6, 7]), spec(clip_skip=2),
                  spec(subseeds=[3], subseed_strength=0.4), spec(seed_resize_from_w=640, seed_resize_from_h=512)):
        assert batch_key(other) == base


def test_jobs_that_cannot_share_a_unet_call_get_different_keys():
    base = batch_key(spec())
    lora = [LoraSpec(model=LORA, weight=0.8)]
    for other in (spec(model=OTHER), spec(width=576), spec(height=576), spec(sampler="DPM++ 2M"),
                  spec(scheduler="karras"), spec(steps=21), spec(cfg_scale=6.5), spec(eta=0.5), spec(tiling=True),
                  spec(loras=lora), spec(s_noise=0.9), spec(sdxl=SdxlConditioning(crop_top=64))):
        assert batch_key(other) != base, other
    assert batch_key(spec(loras=lora)) == batch_key(spec(loras=lora, prompt="another"))
    assert batch_key(spec(loras=lora)) != batch_key(spec(loras=[LoraSpec(model=LORA, weight=0.5)]))


def test_what_the_batched_call_cannot_do_never_batches():
    image = InputImage(key="t/u/inputs/a.png", width=64, height=64)
    cn = ModelInfo(id="cn", name="cn", kind="controlnet", base="tiny", source="store:x")
    for alone in (spec(task="img2img", init_images=[image]),
                  spec(hires=HiresSpec(width=1024, height=1024, steps=10, denoising_strength=0.5)),
                  spec(controlnets=[ControlNetSpec(model=cn, image=image)]),
                  spec(seeds=[1, 2, 3, 4], batch_size=2),  # several chunks: a skip ends one
                  spec(prompt="a fox AND a crow"), spec(prompt="[a fox:a crow:5]"), spec(prompt="a [fox|crow]"),
                  spec(negative_prompt="[blurry::3]")):
        assert batch_key(alone) is None, alone


def candidate(name: str, key="k", images: int = 1) -> Candidate[str]:
    return Candidate(name, key, images)


class Queue:
    """Jobs that arrive at given times on a fake clock; take() advances the clock as a real wait would."""

    def __init__(self, arrivals: list[tuple[float, Candidate[str]]]) -> None:
        self.now, self.arrivals, self.timeouts = 0.0, list(arrivals), []

    def clock(self) -> float:
        return self.now

    async def take(self, timeout: float) -> Candidate[str] | None:
        self.timeouts.append(timeout)
        if self.arrivals and self.arrivals[0][0] <= self.now + timeout:
            at, job = self.arrivals.pop(0)
            self.now = max(self.now, at)
            return job
        self.now += timeout
        return None


async def test_a_lone_job_waits_at_most_the_bound():
    queue = Queue([(0.5, candidate("late"))])
    batch, left = await gather(candidate("first"), BatchPolicy(max_jobs=4, wait_s=0.05), queue.take, queue.clock)
    assert [c.item for c in batch] == ["first"] and left is None
    assert queue.now <= 0.05 and max(queue.timeouts) <= 0.05


async def test_compatible_jobs_fill_the_batch_up_to_its_jobs_and_images():
    queue = Queue([(0.0, candidate("b")), (0.01, candidate("c", images=2)), (0.02, candidate("d")),
                   (0.03, candidate("e", images=2))])
    batch, left = await gather(candidate("a"), BatchPolicy(max_jobs=3, wait_s=1.0), queue.take, queue.clock)
    assert [c.item for c in batch] == ["a", "b", "c"] and left is None
    batch, left = await gather(candidate("a"), BatchPolicy(max_jobs=8, max_images=3, wait_s=1.0), queue.take,
                               queue.clock)
    assert [c.item for c in batch] == ["a", "d"] and left.item == "e"  # at most 3 images: e would make 4


async def test_the_first_job_that_does_not_fit_ends_the_gathering_and_runs_next():
    queue = Queue([(0.0, candidate("b")), (0.0, candidate("x", key="other")), (0.0, candidate("c"))])
    batch, left = await gather(candidate("a"), BatchPolicy(max_jobs=8, wait_s=1.0), queue.take, queue.clock)
    assert [c.item for c in batch] == ["a", "b"] and left.item == "x"
    assert queue.arrivals[0][1].item == "c"  # never taken: it stays in the queue for any worker


async def test_batching_off_or_an_unbatchable_job_takes_nothing_more():
    queue = Queue([(0.0, candidate("b"))])
    for first, policy in ((candidate("a"), BatchPolicy()), (candidate("a", key=None), BatchPolicy(max_jobs=4))):
        batch, left = await gather(first, policy, queue.take, queue.clock)
        assert [c.item for c in batch] == ["a"] and left is None
    assert queue.timeouts == []
