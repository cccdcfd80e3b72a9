"""Prompt editing, alternation and composable diffusion (AND) through the engine, on the tiny SD and SDXL models:
each changes the image the way the web UI's does, and the cases the web UI defines as equal are pixel-identical."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from diffusers import DDPMScheduler
from PIL import Image
from safetensors.torch import save_file

from easel_common.prompts import MAX_PARTS, MAX_TEXTS
from easel_proto.errors import InvalidInput
from easel_proto.naming import input_key
from easel_proto.v1.jobs import ControlNetSpec, EmbeddingSpec, GenerationSpec, HiresSpec, InputImage, RefinerSpec
from easel_proto.v1.registry import ModelInfo
from easel_proto.webui import SECOND_ORDER_SAMPLERS
from easel_worker.engine import GenerationEngine, ensure_tiny_sd
from easel_worker.engine.samplers import SAMPLERS, make_scheduler
from easel_worker.engine.tiny import TINY_SDXL
from easel_worker.engine.tiny_parts import build_tiny_controlnet, build_tiny_sdxl_refiner
from easel_worker.images import infotext

TINY = ModelInfo(id="m-tiny", name="tiny", kind="checkpoint", base="tiny", source="builtin:tiny-sd")
XL = ModelInfo(id="builtin-tiny-sdxl", name="tiny-sdxl", kind="checkpoint", base="sdxl", source="builtin:tiny-sdxl")
FOX, OWL = "a red fox in the snow", "a blue owl on a branch"
INIT = input_key("t", "u", "init")


def _init() -> dict[str, Image.Image]:
    x, y = np.meshgrid(np.linspace(0, 255, 64), np.linspace(0, 255, 64))
    return {INIT: Image.fromarray(np.stack([x, y, 255 - x], axis=-1).astype(np.uint8))}


IMAGES = _init()


def spec(**over) -> GenerationSpec:
    fields = dict(prompt=FOX, negative_prompt="blurry", model=TINY, sampler="Euler a", steps=4, cfg_scale=7.0,
                  width=64, height=64, seeds=[1])
    return GenerationSpec(**(fields | over))


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> GenerationEngine:
    return GenerationEngine(tmp_path_factory.mktemp("prompt-editing-cache"), device="cpu")


_made: dict[str, list[np.ndarray]] = {}  # generation is deterministic: each job runs once in this module


def images(engine: GenerationEngine, job: GenerationSpec, files=None) -> list[np.ndarray]:
    key = job.model_dump_json() + repr(sorted((files or {}).items()))
    if key not in _made:
        out = engine.generate(job, lambda done, total: None, files, IMAGES)
        _made[key] = [np.asarray(image.convert("RGB")).astype(int) for image in out]
    return _made[key]


def one(engine: GenerationEngine, **over) -> np.ndarray:
    return images(engine, spec(**over))[0]


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return np.array_equal(a, b)


# --- prompt editing ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [TINY, XL], ids=["sd", "sdxl"])
def test_an_edit_changes_the_image_against_either_prompt_alone(engine, model):
    fox, owl = one(engine, model=model, prompt=FOX), one(engine, model=model, prompt=OWL)
    edited = one(engine, model=model, prompt=f"[{FOX}:{OWL}:2]")
    assert not same(edited, fox) and not same(edited, owl)
    # the step counts: switching later is another image
    assert not same(one(engine, model=model, prompt=f"[{FOX}:{OWL}:3]"), edited)


@pytest.mark.parametrize("model", [TINY, XL], ids=["sd", "sdxl"])
def test_an_edit_at_0_is_its_second_prompt_and_at_1_0_its_first(engine, model):
    fox, owl = one(engine, model=model, prompt=FOX), one(engine, model=model, prompt=OWL)
    assert same(one(engine, model=model, prompt=f"[{FOX}:{OWL}:0]"), owl)
    assert same(one(engine, model=model, prompt=f"[{FOX}:{OWL}:1.0]"), fox)
    # a whole number is a step: at the last step nothing is left to switch
    assert same(one(engine, model=model, prompt=f"[{FOX}:{OWL}:4]"), fox)


def test_added_and_removed_words_and_nested_edits_with_emphasis(engine):
    plain = one(engine, prompt="a fox")
    added = one(engine, prompt="a fox[ in the snow:2]")
    assert not same(added, plain) and not same(added, one(engine, prompt="a fox in the snow"))
    assert same(one(engine, prompt="a fox[ in the snow:0]"), one(engine, prompt="a fox in the snow"))
    assert same(one(engine, prompt="a fox[ in the snow::1.0]"), one(engine, prompt="a fox in the snow"))
    assert same(one(engine, prompt="a fox[ in the snow::0]"), plain)
    # nested, inside emphasis: at 0 the inner edit has already switched too
    assert same(one(engine, prompt="(a [red:[green:blue:0]:0] fox:1.3)"), one(engine, prompt="(a blue fox:1.3)"))
    nested = one(engine, prompt="(a [red:[green:blue:3]:1] fox:1.3)")
    assert not same(nested, one(engine, prompt="(a blue fox:1.3)"))
    assert not same(nested, one(engine, prompt="(a red fox:1.3)"))


def test_a_second_order_sampler_counts_both_model_calls_of_a_step(engine):
    # Heun calls the model twice a step; the web UI's schedule then runs over 2 x steps (8 here)
    fox, owl = one(engine, sampler="Heun", prompt=FOX), one(engine, sampler="Heun", prompt=OWL)
    assert same(one(engine, sampler="Heun", prompt=f"[{FOX}:{OWL}:0]"), owl)
    assert same(one(engine, sampler="Heun", prompt=f"[{FOX}:{OWL}:8]"), fox)
    assert not same(one(engine, sampler="Heun", prompt=f"[{FOX}:{OWL}:4]"), fox)


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_the_gateway_counts_the_model_calls_of_each_sampler_as_the_worker_makes_them(name):
    # the gateway refuses schedules over the limits from the sampler's name alone; the worker counts its scheduler
    scheduler = make_scheduler(name, DDPMScheduler().config)
    assert getattr(scheduler, "order", 1) == (2 if name in SECOND_ORDER_SAMPLERS else 1)


def test_the_negative_prompt_follows_its_own_schedule(engine):
    blurry = one(engine, negative_prompt="blurry")
    assert same(one(engine, negative_prompt="[dark:blurry:0]"), blurry)
    edited = one(engine, negative_prompt="[dark:blurry:2]")
    assert not same(edited, blurry) and not same(edited, one(engine, negative_prompt="dark"))


def test_img2img_follows_the_schedule(engine):
    job = dict(task="img2img", init_images=[InputImage(key=INIT, width=64, height=64)], denoising_strength=0.75)
    fox, owl = one(engine, **job, prompt=FOX), one(engine, **job, prompt=OWL)
    assert same(one(engine, **job, prompt=f"[{FOX}:{OWL}:0]"), owl)
    # strength 0.75 of 4 steps runs 3 model calls, counted from 0 as in the web UI: the first two on the fox
    edited = one(engine, **job, prompt=f"[{FOX}:{OWL}:1]")
    assert not same(edited, fox) and not same(edited, owl)
    assert same(one(engine, **job, prompt=f"[{FOX}:{OWL}:2]"), fox)


def test_the_hires_pass_counts_its_own_steps(engine):
    hires = HiresSpec(width=96, height=96, steps=4, denoising_strength=0.75)
    # a fraction of 1.0 is the whole first pass; the hires pass comes after it, all on the second prompt
    assert same(one(engine, prompt=f"[{FOX}:{OWL}:1.0]", hires=hires),
                one(engine, prompt=FOX, hires=hires.model_copy(update={"prompt": OWL})))
    # A step number counts the first pass's 4 steps too: 5 is the hires pass's step 1, whose 3 model calls
    # (strength 0.75 of 4 steps, counted from 0) run on the fox to 1 and on the owl after it.
    within = one(engine, prompt=f"[{FOX}:{OWL}:5]", hires=hires)
    assert not same(within, one(engine, prompt=FOX, hires=hires))
    assert not same(within, one(engine, prompt=FOX, hires=hires.model_copy(update={"prompt": OWL})))
    # a hires prompt of its own has its own schedule
    assert same(one(engine, prompt=FOX, hires=hires.model_copy(update={"prompt": f"[{FOX}:{OWL}:0.5]"})),
                one(engine, prompt=FOX, hires=hires.model_copy(update={"prompt": OWL})))


def test_a_controlnet_reads_the_scheduled_prompt_too(engine, tmp_path_factory):
    folder = build_tiny_controlnet(tmp_path_factory.mktemp("cn") / "cn", ensure_tiny_sd(engine.cache_dir))
    model = ModelInfo(id="cn-tiny", name="cn-tiny", kind="controlnet", base="tiny", source="store:x",
                      format="diffusers")
    files = {model.id: folder}
    unit = ControlNetSpec(model=model, module="none", image=InputImage(key=INIT, width=64, height=64))

    def steered(prompt: str) -> np.ndarray:
        return images(engine, spec(prompt=prompt, controlnets=[unit]), files)[0]

    assert same(steered(f"[{FOX}:{OWL}:0]"), steered(OWL))
    edited = steered(f"[{FOX}:{OWL}:2]")
    assert not same(edited, steered(FOX)) and not same(edited, steered(OWL))
    assert not same(steered(f"{FOX} AND {OWL}"), steered(FOX))


def test_an_sdxl_refiner_goes_on_with_the_schedule_from_the_bases_steps(engine, tmp_path_factory):
    folder = build_tiny_sdxl_refiner(tmp_path_factory.mktemp("refiner") / "refiner",
                                     ensure_tiny_sd(engine.cache_dir, TINY_SDXL))
    model = ModelInfo(id="refiner-xl", name="refiner-xl", kind="checkpoint", base="sdxl", source="store:x",
                      format="diffusers")
    files, switch = {model.id: folder}, RefinerSpec(model=model, switch_at=0.5)

    def refined(prompt: str) -> np.ndarray:
        return images(engine, spec(model=XL, prompt=prompt, refiner=switch), files)[0]

    fox, owl = refined(FOX), refined(OWL)
    assert same(refined(f"[{FOX}:{OWL}:0]"), owl)
    # the base runs model calls 0 and 1 and the refiner 2 and 3: a switch after call 1 is a switch of models only
    at_the_switch = refined(f"[{FOX}:{OWL}:1]")
    assert not same(at_the_switch, fox) and not same(at_the_switch, owl)
    within = refined(f"[{FOX}:{OWL}:2]")  # the refiner's first call still on the fox, its second on the owl
    assert not same(within, at_the_switch) and not same(within, fox)
    assert same(refined(f"[{FOX}:{OWL}:3]"), fox)  # the last call is 3: nothing switched


# --- alternation ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [TINY, XL], ids=["sd", "sdxl"])
def test_alternation_changes_the_image_and_one_option_twice_is_that_option(engine, model):
    fox, owl = one(engine, model=model, prompt=FOX), one(engine, model=model, prompt=OWL)
    alternating = one(engine, model=model, prompt=f"[{FOX}|{OWL}]")
    assert not same(alternating, fox) and not same(alternating, owl)
    assert not same(alternating, one(engine, model=model, prompt=f"[{OWL}|{FOX}]"))  # which one comes first
    assert same(one(engine, model=model, prompt=f"[{FOX}|{FOX}]"), fox)


# --- composable diffusion (AND) ------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [TINY, XL], ids=["sd", "sdxl"])
def test_and_combines_weighted_prompts_in_the_guidance(engine, model):
    fox, owl = one(engine, model=model, prompt=FOX), one(engine, model=model, prompt=OWL)
    both = one(engine, model=model, prompt=f"{FOX} AND {OWL}")
    assert not same(both, fox) and not same(both, owl)
    weighted = one(engine, model=model, prompt=f"{FOX} AND {OWL} :1.2")
    assert not same(weighted, both)
    assert not same(one(engine, model=model, prompt=f"{FOX} AND {OWL} :-0.5"), weighted)  # a negative weight
    # a part's weight scales its guidance: "a :2" is CFG 14 for "a", up to rounding
    doubled = one(engine, model=model, prompt=f"{FOX} :2")
    assert not same(doubled, fox)
    assert np.abs(doubled - one(engine, model=model, prompt=FOX, cfg_scale=14.0)).max() <= 2
    # "a AND a" is one part of weight 2; weight 1 alone is the plain prompt
    assert same(one(engine, model=model, prompt=f"{FOX} AND {FOX}"), doubled)
    assert same(one(engine, model=model, prompt=f"{FOX} :1"), fox)


def test_and_with_batches_gives_the_images_of_single_runs(engine):
    prompt = f"{FOX} AND [{OWL}:a cat:2] :0.7"
    batched = images(engine, spec(prompt=prompt, seeds=[11, 12, 13], batch_size=3))
    for seed, image in zip([11, 12, 13], batched, strict=True):
        assert np.abs(image - one(engine, prompt=prompt, seeds=[seed])).max() <= 2
    assert not np.array_equal(batched[0], batched[1])


def test_and_parts_each_follow_their_schedule_with_cfg_of_one(engine):
    # CFG 1 runs no unconditional rows in diffusers; AND still needs them, as in the web UI
    plain = one(engine, prompt=FOX, cfg_scale=1.0)
    assert same(one(engine, prompt=f"[{OWL}:{FOX}:0]", cfg_scale=1.0), plain)
    assert not same(one(engine, prompt=f"{FOX} AND {OWL}", cfg_scale=1.0), plain)


# --- with BREAK, embeddings and the infotext ------------------------------------------------------------------------


def test_break_and_embeddings_work_inside_edits_and_and_parts(engine, tmp_path):
    broken = f"{FOX} BREAK {OWL}"
    assert same(one(engine, prompt=f"[a cat:{broken}:0]"), one(engine, prompt=broken))
    # parts of different lengths (one chunk and two) are combined
    mixed = one(engine, prompt=f"a cat AND {broken}")
    assert not same(mixed, one(engine, prompt="a cat")) and not same(mixed, one(engine, prompt=broken))

    torch.manual_seed(3)
    save_file({"emb_params": torch.randn(2, 32) * 5}, tmp_path / "glow.safetensors")  # 32: tiny encoder width
    model = ModelInfo(id="emb-glow", name="glow", kind="embedding", base="tiny", source="store:x",
                      format="safetensors")
    files, named = {model.id: tmp_path / "glow.safetensors"}, [EmbeddingSpec(name="glow", model=model)]

    def embedded(prompt: str) -> np.ndarray:
        return images(engine, spec(prompt=prompt, embeddings=named), files)[0]

    assert same(embedded("[a cat:a glow fox:0]"), embedded("a glow fox"))
    assert not same(embedded("[a cat:a glow fox:0]"), one(engine, prompt="a glow fox"))
    assert not same(embedded("a cat AND a glow fox"), one(engine, prompt="a cat AND a glow fox"))


def test_the_infotext_keeps_the_prompt_as_written():
    job = spec(prompt=f"[{FOX}:{OWL}:0.5] AND [a|b] :1.2", negative_prompt="[dark::2]")
    prompt, negative, _ = infotext(job, 1).split("\n")
    assert prompt == f"[{FOX}:{OWL}:0.5] AND [a|b] :1.2"
    assert negative == "Negative prompt: [dark::2]"


# --- limits --------------------------------------------------------------------------------------------------------


def test_too_many_and_parts_or_prompts_are_refused_naming_the_field(engine):
    with pytest.raises(InvalidInput) as info:
        one(engine, prompt=" AND ".join(f"part {i}" for i in range(MAX_PARTS + 1)))
    assert info.value.details["field"] == "prompt" and info.value.details["limit"] == MAX_PARTS
    # an alternation of many options over many steps is one prompt per step
    options = "|".join(f"w{i}" for i in range(MAX_TEXTS + 1))
    with pytest.raises(InvalidInput) as info:
        one(engine, prompt=f"[{options}]", steps=MAX_TEXTS + 1)
    assert info.value.details["field"] == "prompt" and info.value.details["limit"] == MAX_TEXTS
    hires = HiresSpec(width=96, height=96, steps=MAX_TEXTS + 1, denoising_strength=0.5, prompt=f"[{options}]")
    with pytest.raises(InvalidInput) as info:
        one(engine, hires=hires)
    assert info.value.details["field"] == "hires.prompt"
    # the same options over few steps are few prompts
    assert one(engine, prompt=f"[{options}]").shape == (64, 64, 3)
