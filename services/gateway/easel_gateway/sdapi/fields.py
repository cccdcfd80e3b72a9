"""Name a bad field as the client sent it: a refusal about `controlnets.0.weight` of the job Easel built becomes
one about `alwayson_scripts.controlnet.args.2.weight` of the web UI payload."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from pydantic import ValidationError

from easel_proto.errors import InvalidInput

# Where each field of a jobs.JobRequest comes from in a web UI payload (those not listed keep their name).
JOB_TO_WEBUI: dict[str, str] = {
    "model": "override_settings.sd_model_checkpoint",
    "vae": "override_settings.sd_vae",
    "clip_skip": "override_settings.CLIP_stop_at_last_layers",
    "sampler": "sampler_name",
    "hires.scale": "hr_scale",
    "hires.width": "hr_resize_x",
    "hires.height": "hr_resize_y",
    "hires.upscaler": "hr_upscaler",
    "hires.steps": "hr_second_pass_steps",
    "hires.denoising_strength": "denoising_strength",
    "hires.prompt": "hr_prompt",
    "hires.negative_prompt": "hr_negative_prompt",
    "hires": "enable_hr",
    "extras.upscaler": "upscaler_1",
    "extras.upscaler_2": "upscaler_2",
    "extras.upscaler_2_visibility": "extras_upscaler_2_visibility",
    "extras.scale": "upscaling_resize",
    "extras.width": "upscaling_resize_w",
    "extras.height": "upscaling_resize_h",
    "extras.crop": "upscaling_crop",
    "controlnets": "alwayson_scripts.controlnet.args",
    "refiner.model": "refiner_checkpoint",
    "refiner.switch_at": "refiner_switch_at",
    "refiner": "refiner_checkpoint",
    "sdxl.crop_top": "override_settings.sdxl_crop_top",
    "sdxl.crop_left": "override_settings.sdxl_crop_left",
    "sdxl.aesthetic_score": "override_settings.sdxl_refiner_high_aesthetic_score",
    "sdxl.negative_aesthetic_score": "override_settings.sdxl_refiner_low_aesthetic_score",
    "sdxl": "override_settings",
}


def rename(field: str, names: dict[str, str]) -> str:
    """`field` with its longest listed prefix (whole dotted segments) replaced."""
    parts = field.split(".")
    for cut in range(len(parts), 0, -1):
        head = ".".join(parts[:cut])
        if head in names:
            return ".".join([names[head], *parts[cut:]])
    return field


@contextlib.contextmanager
def as_sent(names: dict[str, str]) -> Iterator[None]:
    """Re-raise InvalidInput (and a pydantic ValidationError) naming the field as the client sent it.

    `names` is read when an error is raised, so a caller may fill it in inside the block.
    """
    try:
        yield
    except InvalidInput as exc:
        field = exc.details.get("field", "body")
        extra = {k: v for k, v in exc.details.items() if k not in ("field", "reason")}
        raise InvalidInput(rename(field, {**JOB_TO_WEBUI, **names}), exc.details.get("reason", exc.message),
                           **extra) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise InvalidInput(rename(field, {**JOB_TO_WEBUI, **names}), first["msg"]) from None
