"""A worker writes, and reads inputs, only under the job owner's part of the object store."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from easel_proto.errors import Forbidden, InvalidInput
from easel_proto.naming import image_key, input_key
from easel_proto.v1 import common, jobs, registry
from easel_proto.wire import now
from easel_worker.worker import check_input_keys, check_owner_keys, decode_image, input_refs, spec_models

MODEL = registry.ModelInfo(id="m", name="tiny-sd", kind="checkpoint", base="tiny", source="builtin:tiny-sd")
OWNER = common.Principal(user_id="u1", tenant_id="acme", username="alice")


def job(keys: list[str], seeds: int = 2) -> jobs.JobSubmitted:
    spec = jobs.GenerationSpec(prompt="x", model=MODEL, sampler="Euler", steps=1, cfg_scale=7, width=64, height=64,
                               seeds=list(range(seeds)))
    return jobs.JobSubmitted(job_id="j1", principal=OWNER, pool="default", spec=spec, image_keys=keys,
                             submitted_at=now())


def test_keys_under_the_owner_pass():
    check_owner_keys(job([image_key("acme", "u1", "j1", i) for i in range(2)]))


@pytest.mark.parametrize("keys", [
    [image_key("acme", "u2", "j1", 0), image_key("acme", "u1", "j1", 1)],  # another user's space
    [image_key("other", "u1", "j1", 0), image_key("other", "u1", "j1", 1)],  # another tenant's space
    [image_key("acme", "u1", "j1", 0)],  # fewer keys than images
])
def test_keys_outside_the_owner_are_refused(keys):
    with pytest.raises(Forbidden):
        check_owner_keys(job(keys))


# --- input images: read only from the owner's space -------------------------------------------------------------

def image_job(**refs) -> jobs.JobSubmitted:
    spec = jobs.GenerationSpec(prompt="x", model=MODEL, sampler="Euler", steps=1, cfg_scale=7, width=64, height=64,
                               seeds=[0], task="img2img", **refs)
    return jobs.JobSubmitted(job_id="j1", principal=OWNER, pool="default", spec=spec,
                             image_keys=[image_key("acme", "u1", "j1", 0)], submitted_at=now())


def inp(key: str) -> jobs.InputImage:
    return jobs.InputImage(key=key, width=64, height=64)


def test_inputs_under_the_owner_pass():
    check_input_keys(image_job(init_images=[inp(input_key("acme", "u1", "a" * 64))],
                               mask=inp(input_key("acme", "u1", "b" * 64))))


@pytest.mark.parametrize(("refs", "field"), [
    ({"init_images": [inp(input_key("acme", "u2", "a" * 64))]}, "init_images.0"),  # another user's image
    ({"init_images": [inp(input_key("acme", "u1", "a" * 64))], "mask": inp("other/u1/inputs/m.png")}, "mask"),
    ({"controlnets": [jobs.ControlNetSpec(model=MODEL, image=inp("acme/u1/../u2/inputs/c.png"))]},
     "controlnets.0.image"),
])
def test_inputs_outside_the_owner_are_refused_naming_the_field(refs, field):
    with pytest.raises(Forbidden) as info:
        check_input_keys(image_job(**refs))
    assert info.value.details["field"] == field


def test_every_input_is_listed_with_its_field():
    unit = jobs.ControlNetSpec(model=MODEL, image=inp("acme/u1/inputs/c.png"), mask=inp("acme/u1/inputs/d.png"))
    job = image_job(init_images=[inp("acme/u1/inputs/a.png")], mask=inp("acme/u1/inputs/m.png"), controlnets=[unit])
    assert [field for field, _ in input_refs(job.spec)] == [
        "init_images.0", "mask", "controlnets.0.image", "controlnets.0.mask"]


def test_a_corrupt_image_is_invalid_input_naming_the_field():
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, format="PNG")
    assert decode_image(buf.getvalue(), "mask").size == (8, 8)
    for data in (b"", b"not an image", buf.getvalue()[:40]):
        with pytest.raises(InvalidInput) as info:
            decode_image(data, "init_images.1")
        assert info.value.details["field"] == "init_images.1"


def test_spec_models_lists_every_model_once():
    def model(model_id: str, kind: str) -> registry.ModelInfo:
        return registry.ModelInfo(id=model_id, name=model_id, kind=kind, base="tiny", source="store:x",
                                  format="safetensors")

    lora, vae, emb, cn, hed, up = (model("l", "lora"), model("v", "vae"), model("e", "embedding"),
                                   model("c", "controlnet"), model("h", "annotator"), model("up", "upscaler"))
    spec = jobs.GenerationSpec(
        prompt="x", model=MODEL, sampler="Euler", steps=1, cfg_scale=7, width=64, height=64, seeds=[0],
        loras=[jobs.LoraSpec(model=lora, weight=1.0)], vae=vae, embeddings=[jobs.EmbeddingSpec(name="e", model=emb)],
        controlnets=[jobs.ControlNetSpec(model=cn, annotator=hed), jobs.ControlNetSpec(model=cn, annotator=hed)],
        hires=jobs.HiresSpec(width=128, height=128, steps=1, upscaler="tiny", upscaler_model=up))
    assert [m.id for m in spec_models(spec)] == ["m", "l", "v", "e", "c", "h", "up"]
    extras = spec.model_copy(update={"task": "extras", "hires": None, "loras": [], "vae": None, "embeddings": [],
                                     "controlnets": [], "extras": jobs.ExtrasSpec(upscaler_model=up)})
    assert [m.id for m in spec_models(extras)] == ["up"]  # no checkpoint runs for extras
