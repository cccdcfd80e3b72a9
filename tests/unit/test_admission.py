"""Request admission: one job costs the registry only the lookups it needs, and a request over a limit is refused
before any lookup, decoding or storing."""

from __future__ import annotations

import asyncio
import base64
import io
from collections import Counter

import pytest
from PIL import Image
from pydantic import ValidationError

from easel_common.storage import LocalStore
from easel_gateway.admission import Admission, Registry, inputs
from easel_gateway.clients import Services
from easel_gateway.settings import GatewaySettings
from easel_proto import Names
from easel_proto.errors import InvalidInput, NotFound
from easel_proto.v1 import jobs, registry
from easel_proto.v1.auth import PromptStyle, UserSettings
from easel_proto.v1.common import Principal

CALLER = Principal(user_id="u1", tenant_id="acme", username="ann",
                   permissions=["models:read", "pools:use:*", "jobs:create"])
MINE = UserSettings(styles=[PromptStyle(name="noir", prompt="{prompt}, film noir"),
                            PromptStyle(name="thrice", prompt="{prompt} {prompt} {prompt}")])


PIXELS = 3 * 64 * 64  # three 64x64 images


def model(name: str, kind: str, base: str = "sd15") -> registry.ModelInfo:
    return registry.ModelInfo(id=f"id-{name}", name=name, kind=kind, base=base, source="test",
                              format="safetensors")


MODELS = [model("my-sd15", "checkpoint"), model("fox", "lora"), model("my-vae", "vae"), model("shiny", "embedding"),
          model("edges", "controlnet"), model("ControlNetHED", "annotator"), model("4x", "upscaler"),
          model("my-sdxl", "checkpoint", "sdxl"), model("owl", "hypernetwork")]


class RegistryService(Services):
    """The registry's side of Services.call, answered from MODELS; counts each round trip by subject."""

    def __init__(self) -> None:
        super().__init__(None, Names(), timeout=1.0, auth_ttl=5.0)  # type: ignore[arg-type]
        self.calls: Counter[str] = Counter()

    async def call(self, subject, message, reply_type, principal=None):
        assert principal == CALLER  # every registry request is made (and signed) for the caller
        if subject == self.names.registry_lookup:
            self.calls["lookup"] += 1
            found = [m for m in MODELS if m.name == message.name and message.kind in (None, m.kind)]
            if not found:
                raise NotFound(f"no model {message.name!r}")
            return found[0]
        if subject == self.names.registry_models:
            self.calls["list"] += 1
            return registry.ModelList(items=[m for m in MODELS if message.kind in (None, m.kind)
                                             and message.base in (None, m.base)])
        raise AssertionError(f"not a registry subject: {subject}")


def png(width: int = 64, height: int = 64) -> str:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


@pytest.fixture
def service() -> RegistryService:
    return RegistryService()


@pytest.fixture
def store(tmp_path) -> LocalStore:
    return LocalStore(tmp_path)


@pytest.fixture
def decoded(monkeypatch) -> list[str]:
    """The fields whose images were decoded, in order."""
    seen: list[str] = []
    real = inputs.to_png

    def counting(raw: bytes, field: str, mode: str = "RGB") -> bytes:
        seen.append(field)
        return real(raw, field, mode)

    monkeypatch.setattr(inputs, "to_png", counting)
    return seen


def admission(service: RegistryService, store: LocalStore, **limits) -> Admission:
    settings = GatewaySettings(**{"max_input_pixels_per_request": PIXELS, "default_model": "my-sd15", **limits})
    return Admission(settings, Registry(service, ttl=5.0), store)


def admit(service, store, desk: Admission | None = None, **fields) -> jobs.GenerationSpec:
    desk = desk or admission(service, store)
    return asyncio.run(desk.admit(jobs.JobRequest(**fields), CALLER, MINE)).spec


def test_a_typical_job_looks_up_each_model_it_names_once(service, store):
    fields = dict(prompt="a shiny fox <lora:fox:0.8>", styles=["noir"], model="my-sd15", vae="my-vae",
                  hires={"scale": 2}, init_images=[], controlnets=[{"model": "edges", "image": png()}])
    desk = admission(service, store)
    spec = admit(service, store, desk, **fields)
    assert (spec.prompt, spec.loras[0].model.name, spec.vae.name) == ("a shiny fox , film noir", "fox", "my-vae")
    assert [e.name for e in spec.embeddings] == ["shiny"] and spec.hires.upscaler == "Latent"
    # the checkpoint, the LoRA, the VAE and the ControlNet; one listing for the embeddings a prompt may name
    assert service.calls == {"lookup": 4, "list": 1}
    admit(service, store, desk, **fields)  # the same caller again: every answer is cached for the credential's TTL
    assert service.calls == {"lookup": 4, "list": 1}


def test_a_job_that_names_nothing_but_its_prompt_costs_two_round_trips(service, store):
    admit(service, store, prompt="a fox")
    assert service.calls == {"lookup": 1, "list": 1}  # the default checkpoint, and the caller's embeddings


@pytest.mark.parametrize(("fields", "found"), [
    ({"prompt": "a fox <hypernet:owl:0.5>"},
     lambda spec: (spec.hypernetworks[0].model.name, spec.hypernetworks[0].weight) == ("owl", 0.5)),
    ({"model": "my-sdxl", "refiner": {"model": "my-sdxl", "switch_at": 0.8}},
     lambda spec: (spec.refiner.model.name, spec.refiner.switch_at) == ("my-sdxl", 0.8)),
    ({"model": "my-sdxl", "refiner": {"model": "my-sdxl", "switch_at": 1}}, lambda spec: spec.refiner is None),
    ({"hires": {"scale": 2, "upscaler": "4x"}}, lambda spec: spec.hires.upscaler_model.name == "4x"),
    ({"init_images": [png()], "extras": {"upscaler": "4x", "upscaler_2": "4x"}},
     lambda spec: (spec.extras.upscaler_model.name, spec.extras.upscaler_2_model.name) == ("4x", "4x")),
    ({"vae": "Automatic"}, lambda spec: spec.vae is None and spec.loras == [] and spec.hypernetworks is None),
])
def test_each_model_a_job_names_reaches_its_spec(service, store, fields, found):
    assert found(admit(service, store, **{"prompt": "a fox", **fields}))


@pytest.mark.parametrize(("fields", "field"), [
    ({"steps": 151}, "steps"),
    ({"batch_size": 8, "n_iter": 3}, "n_iter"),
    ({"seed_resize_from_w": 12_000}, "seed_resize_from_w"),
    ({"pool": "nowhere"}, "pool"),
    ({"prompt": "fox " * 2000, "styles": ["thrice"]}, "prompt"),
    ({"styles": ["no-such-style"]}, "styles.0"),
    ({"prompt": "a fox <lora:fox:11>"}, "prompt"),
    ({"prompt": "a fox <hypernet:x:11>"}, "prompt"),  # a weight out of range
    ({"controlnets": [{"model": "edges", "image": png(), "module": "depth_wizard"}]}, "controlnets.0.module"),
    ({"controlnets": [{"model": "edges"}]}, "controlnets.0.image"),
    ({"init_images": [png(), png(), png(), png()]}, "init_images.3"),  # over the request's pixels, from headers
    ({"init_images": [png(), png()], "controlnets": [{"model": "edges", "image": png()}],
      "mask": png()}, "controlnets.0.image"),
    ({"init_images": [png(), "not base64!"]}, "init_images.1"),
    ({"init_images": [png(8, 5000)]}, "init_images.0"),
])
def test_a_request_over_a_limit_is_refused_before_any_lookup_or_decoding(service, store, decoded, fields, field):
    with pytest.raises(InvalidInput) as refused:
        admit(service, store, **{"prompt": "a fox", "model": "my-sd15", **fields})
    assert refused.value.details["field"] == field
    assert service.calls == {} and decoded == []
    assert not any(store.root.rglob("*.png"))


@pytest.mark.parametrize(("fields", "field"), [
    ({"hires": {"scale": 8}, "width": 512, "height": 512}, "hires.width"),
    ({"refiner": {"model": "my-sdxl"}}, "refiner.model"),
    ({"init_images": [png()], "extras": {"width": 4096}}, "extras.width"),
])
def test_limits_that_depend_on_the_checkpoint_cost_its_lookup_alone(service, store, decoded, fields, field):
    with pytest.raises(InvalidInput) as refused:
        admit(service, store, **{"prompt": "a fox <lora:fox>", "model": "my-sd15", "vae": "my-vae", **fields})
    assert refused.value.details["field"] == field
    assert service.calls == {"lookup": 1} and decoded == []


def test_lookups_run_together_but_refuse_in_the_order_of_the_request(service, store, decoded):
    with pytest.raises(InvalidInput) as refused:
        admit(service, store, prompt="a fox", model="my-sd15", loras=[{"name": "no-such-lora"}], vae="no-such-vae",
              init_images=[png()])
    assert refused.value.details["field"] == "loras.0.name" and "unknown lora model" in refused.value.message
    assert decoded == [] and not any(store.root.rglob("*.png"))


def test_a_model_of_another_kind_is_named_as_what_it_is(service, store):
    with pytest.raises(InvalidInput) as refused:
        admit(service, store, prompt="a fox", model="fox")
    assert refused.value.details["field"] == "model" and "'fox' is a lora, not a checkpoint" in refused.value.message


def test_images_are_decoded_once_everything_else_passed_and_stored_once(service, store, decoded):
    spec = admit(service, store, prompt="a fox", model="my-sd15", init_images=[png()], mask=png(),
                 controlnets=[{"model": "edges", "image": png(32, 32)}])
    assert decoded == ["init_images.0", "mask", "controlnets.0.image"]
    assert (spec.task, spec.width, spec.height) == ("img2img", 64, 64)
    stored = {str(p.relative_to(store.root)) for p in store.root.rglob("*.png")}
    assert stored == {spec.init_images[0].key, spec.mask.key, spec.controlnets[0].image.key}


def test_a_user_change_drops_what_the_registry_client_cached(service):
    client = Registry(service, ttl=60.0)
    asyncio.run(client.model("my-sd15", CALLER, "checkpoint"))
    asyncio.run(client.model("my-sd15", CALLER, "checkpoint"))
    assert service.calls == {"lookup": 1}
    client.forget(CALLER.user_id)
    asyncio.run(client.model("my-sd15", CALLER, "checkpoint"))
    assert service.calls == {"lookup": 2}


def test_a_detect_job_checks_its_preprocessor_before_any_lookup(service, store, decoded):
    desk = admission(service, store)
    with pytest.raises(InvalidInput) as refused:
        asyncio.run(desk.detect(CALLER, MINE, [(png(), "controlnet_input_images.0")], [], "depth_wizard", None,
                                (None, None)))
    assert refused.value.details["field"] == "controlnet_module" and service.calls == {} and decoded == []
    admitted = asyncio.run(desk.detect(CALLER, MINE, [(png(), "controlnet_input_images.0")], [], "softedge_hed",
                                       None, (None, None)))
    unit = admitted.spec.controlnets[0]
    assert (admitted.spec.task, unit.annotator.name, admitted.request_hash) == ("detect", "ControlNetHED", None)
    assert service.calls == {"lookup": 2} and decoded == ["controlnet_input_images.0"]


def test_prompt_editing_past_the_workers_limits_is_refused_at_admission(service, store, decoded):
    options = "[" + "|".join(f"w{i}" for i in range(300)) + "]"  # an alternation: one prompt per model call
    assert admit(service, store, prompt=options, steps=150, sampler="Euler").prompt == options  # 150 prompts
    for fields, field in [
        ({"prompt": options, "steps": 150, "sampler": "Heun"}, "prompt"),  # two model calls a step: 300 prompts
        ({"prompt": " AND ".join(f"part {i}" for i in range(33))}, "prompt"),
        ({"hires": {"scale": 2, "prompt": options, "steps": 150}, "sampler": "Heun"}, "hires.prompt"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            admit(service, store, **{"model": "my-sd15", "prompt": "a fox", **fields})
        assert refused.value.details["field"] == field
    assert decoded == [] and not any(store.root.rglob("*.png"))


def test_tags_and_styles_apply_around_prompt_editing_and_and_as_in_the_web_ui(service, store):
    # a LoRA tag inside an edit is taken out of the whole prompt: the LoRA applies to every step
    spec = admit(service, store, prompt="[a shiny fox <lora:fox:0.8>:an owl:3] AND a moon :0.5", styles=["noir"])
    # the style merges into the text before the worker reads it, as the web UI's does (`:0.5` is no weight now)
    assert spec.prompt == "[a shiny fox :an owl:3] AND a moon :0.5, film noir"
    assert [(lora.model.name, lora.weight) for lora in spec.loras] == [("fox", 0.8)]
    assert [e.name for e in spec.embeddings] == ["shiny"]  # an embedding named inside an edit is found


# --- SD upscale (the web UI's img2img script as one job) ---------------------------------------------------------


def test_sd_upscale_sizes_the_tiles_and_the_upscaled_image_and_makes_one_image_per_n_iter(service, store):
    spec = admit(service, store, prompt="a fox", init_images=[png(48, 40)], width=64, height=64, n_iter=2,
                 batch_size=2, seed=7, sd_upscale={"upscaler": "4x", "scale": 2, "overlap": 16})
    assert (spec.task, spec.width, spec.height, spec.seeds, spec.batch_size) == ("img2img", 64, 64, [7, 8], 2)
    up = spec.sd_upscale
    assert (up.width, up.height, up.overlap, up.upscaler, up.upscaler_model.name) == (96, 80, 16, "4x", "4x")
    # without an upscaler the web UI's script does not resize: the image keeps its size
    spec = admit(service, store, prompt="a fox", init_images=[png(96, 80)], width=64, height=64,
                 sd_upscale={"upscaler": "None", "scale": 3, "overlap": 16})
    assert (spec.sd_upscale.width, spec.sd_upscale.height, spec.sd_upscale.upscaler_model) == (96, 80, None)


@pytest.mark.parametrize(("fields", "field"), [
    ({"sd_upscale": {}}, "sd_upscale"),  # no init image
    ({"sd_upscale": {}, "init_images": [png()], "mask": png()}, "mask"),
])
def test_sd_upscale_without_an_image_or_with_a_mask_is_refused_before_any_lookup(service, store, decoded, fields,
                                                                                 field):
    with pytest.raises(InvalidInput) as refused:
        admit(service, store, **{"prompt": "a fox", **fields})
    assert refused.value.details["field"] == field and service.calls == {} and decoded == []


@pytest.mark.parametrize(("image", "fields", "field"), [
    ((1100, 1100), {"sd_upscale": {"upscaler": "Lanczos", "scale": 2}}, "sd_upscale.scale"),  # 2200 > 2048
    ((64, 64), {"width": 64, "height": 64, "sd_upscale": {"upscaler": "Lanczos", "scale": 4, "overlap": 48}},
     "sd_upscale"),  # 13x13 tiles over 256x256
    ((64, 64), {"width": 64, "height": 64, "sd_upscale": {"upscaler": "Lanczos", "overlap": 64}},
     "sd_upscale.overlap"),
    ((32, 32), {"width": 128, "height": 64, "sd_upscale": {"upscaler": "Lanczos", "scale": 2}}, "width"),
])
def test_sd_upscale_over_a_limit_is_refused_with_the_checkpoint_lookup_alone(service, store, decoded, image, fields,
                                                                            field):
    desk = admission(service, store, max_input_pixels_per_request=2 * 1100 * 1100)
    with pytest.raises(InvalidInput) as refused:
        admit(service, store, desk, **{"prompt": "a fox", "init_images": [png(*image)], **fields})
    assert refused.value.details["field"] == field
    assert service.calls == {"lookup": 1} and decoded == []


def test_sd_upscale_with_an_unknown_upscaler_names_it(service, store):
    with pytest.raises(InvalidInput) as refused:
        admit(service, store, prompt="a fox", init_images=[png()], width=64, height=64,
              sd_upscale={"upscaler": "no-such-upscaler", "overlap": 16})
    assert refused.value.details["field"] == "sd_upscale.upscaler"


def test_token_merging_reaches_the_job_and_its_hires_pass(service, store):
    spec = admit(service, store, prompt="a fox", token_merging_ratio=0.5, hires={"scale": 2})
    assert (spec.token_merging_ratio, spec.hires.token_merging_ratio) == (0.5, 0.5)  # the hires pass: as the first
    spec = admit(service, store, prompt="a fox", token_merging_ratio=0.5, hires={"scale": 2, "token_merging_ratio": 0})
    assert (spec.token_merging_ratio, spec.hires.token_merging_ratio) == (0.5, 0)
    assert admit(service, store, prompt="a fox").token_merging_ratio == 0
    with pytest.raises(ValidationError):
        jobs.JobRequest(prompt="a fox", token_merging_ratio=0.95)
