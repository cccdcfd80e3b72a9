"""PNG encoding with the web UI's `parameters` text chunk, so tools that read it keep working; live previews'
data: URIs.

Keys are spelled as the web UI writes them; a value with a comma, colon or newline is JSON-quoted, as it does.
"""

from __future__ import annotations

import base64
import io
import json
from typing import Any

from PIL import Image
from PIL.PngImagePlugin import PngInfo

from easel_proto.v1.jobs import ControlNetSpec, GenerationSpec
from easel_proto.v1.registry import ModelInfo
from easel_proto.webui import CONTROL_MODES, DEFAULT_SCHEDULES, INPAINT_FILLS, SCHEDULER_LABELS, TIMESTEP_SAMPLERS

_SCHEDULE_SUFFIXES = (" Karras", " Exponential")
_RESIZE_LABELS = {"just_resize": "Just Resize", "crop_and_resize": "Crop and Resize",
                  "resize_and_fill": "Resize and Fill"}
_CONTROL_LABELS = {mode: label for label, mode in CONTROL_MODES.items()}
_FILL_LABELS = dict(zip(INPAINT_FILLS, ("fill", "original", "latent noise", "latent nothing"), strict=True))


def quote(value: Any) -> str:
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if any(c in text for c in ",\n:") else text


def _num(value: float) -> str:
    return f"{value:g}"


def _hash(model: ModelInfo, length: int = 10) -> str | None:
    return model.sha256[:length] if model.sha256 else None


def _sampler(spec: GenerationSpec) -> tuple[str, str | None]:
    """(Sampler, Schedule type) as the web UI (v1.9+) writes them: the schedule split off the sampler name, or the
    one the run used (`automatic` is the sampler's own default, DEFAULT_SCHEDULES); none for timestep samplers."""
    name, schedule = spec.sampler, None
    for suffix in _SCHEDULE_SUFFIXES:
        if name.endswith(suffix):
            name, schedule = name[: -len(suffix)], suffix.strip()
    if name in TIMESTEP_SAMPLERS:
        return name, None
    if spec.scheduler and spec.scheduler != "automatic":
        schedule = SCHEDULER_LABELS.get(spec.scheduler, spec.scheduler)
    elif schedule is None and spec.sampler in DEFAULT_SCHEDULES:
        schedule = SCHEDULER_LABELS[DEFAULT_SCHEDULES[spec.sampler]]
    return name, schedule


def _controlnet(unit: ControlNetSpec) -> str:
    parts = {
        "Module": unit.module or "none",
        "Model": unit.model.title or unit.model.name,
        "Weight": _num(1.0 if unit.weight is None else unit.weight),
        "Resize Mode": _RESIZE_LABELS.get(unit.resize_mode or "crop_and_resize", unit.resize_mode),
        "Processor Res": unit.processor_res,
        "Threshold A": None if unit.threshold_a is None else _num(unit.threshold_a),
        "Threshold B": None if unit.threshold_b is None else _num(unit.threshold_b),
        "Guidance Start": _num(unit.guidance_start or 0.0),
        "Guidance End": _num(1.0 if unit.guidance_end is None else unit.guidance_end),
        "Pixel Perfect": bool(unit.pixel_perfect),
        "Control Mode": _CONTROL_LABELS.get(unit.control_mode or "balanced", unit.control_mode),
    }
    return ", ".join(f"{key}: {value}" for key, value in parts.items() if value is not None)


def parameters(spec: GenerationSpec, seed: int, subseed: int | None = None) -> dict[str, Any]:
    """The generation parameters line as an ordered mapping (None values are left out of the text)."""
    sampler, schedule = _sampler(spec)
    variation = bool(spec.subseed_strength) and subseed is not None
    hires = spec.hires
    img2img = spec.task == "img2img"
    inpaint = img2img and (spec.mask is not None or spec.outpaint is not None)
    params: dict[str, Any] = {
        "Steps": spec.steps,
        "Sampler": sampler,
        "Schedule type": schedule,
        "CFG scale": _num(spec.cfg_scale),
        "Seed": seed,
        # the web UI writes its face_restoration_model option here when restore_faces is on
        "Face restoration": spec.face_restore[0].restorer.name if spec.face_restore else None,
        "Size": f"{spec.width}x{spec.height}",
        "Model hash": _hash(spec.model),
        "Model": spec.model.name,
        "VAE hash": _hash(spec.vae) if spec.vae else None,
        "VAE": spec.vae.name if spec.vae else None,
        "Variation seed": subseed if variation else None,
        "Variation seed strength": _num(spec.subseed_strength) if variation else None,
        "Seed resize from": (f"{spec.seed_resize_from_w}x{spec.seed_resize_from_h}"
                             if (spec.seed_resize_from_w or 0) > 0 and (spec.seed_resize_from_h or 0) > 0 else None),
        "Denoising strength": (_num(spec.denoising_strength) if img2img and spec.denoising_strength is not None
                               else _num(hires.denoising_strength) if hires and hires.denoising_strength is not None
                               else None),
        "Clip skip": spec.clip_skip if (spec.clip_skip or 1) > 1 else None,
        "Tiling": "True" if spec.tiling else None,
        "Token merging ratio": _num(spec.token_merging_ratio) if spec.token_merging_ratio else None,
        "Token merging ratio hr": (_num(hires.token_merging_ratio) if hires is not None and hires.token_merging_ratio
                                   else None),
    }
    # only where the worker applies it (engine.samplers: DDIM through the pipeline, Euler a through its scheduler)
    if spec.eta is not None and spec.sampler == "DDIM" and spec.eta != 0:
        params["Eta DDIM"] = _num(spec.eta)
    if spec.eta is not None and spec.sampler == "Euler a" and spec.eta != 1:
        params["Eta"] = _num(spec.eta)
    # churn where the worker applies it (engine.samplers.noise_params): Euler; the noise scale also Euler a
    for key, value, default, samplers in (("Sigma churn", spec.s_churn, 0, ("Euler",)),
                                          ("Sigma tmin", spec.s_tmin, 0, ("Euler",)),
                                          ("Sigma tmax", spec.s_tmax, 0, ("Euler",)),
                                          ("Sigma noise", spec.s_noise, 1, ("Euler", "Euler a"))):
        if value is not None and value != default and spec.sampler in samplers:
            params[key] = _num(value)
    if inpaint:
        params["Mask blur"] = spec.mask_blur if spec.mask_blur else None
        params["Mask mode"] = "Inpaint not masked" if spec.inpainting_mask_invert else None
        params["Masked content"] = _FILL_LABELS.get(spec.inpainting_fill or "original")
        if spec.inpaint_full_res and spec.outpaint is None:
            params["Inpaint area"] = "Only masked"
            params["Masked area padding"] = spec.inpaint_full_res_padding
    if img2img and not inpaint and spec.resize_mode and spec.resize_mode != "just_resize":
        params["Resize mode"] = _RESIZE_LABELS.get(spec.resize_mode, "Just resize (latent upscale)")
    if spec.refiner is not None:
        params["Refiner"] = spec.refiner.model.title or spec.refiner.model.name
        params["Refiner switch at"] = _num(spec.refiner.switch_at)
    if hires is not None:
        scale_w, scale_h = hires.width / spec.width, hires.height / spec.height
        if abs(scale_w - scale_h) < 1e-6:
            params["Hires upscale"] = _num(round(scale_w, 4))
        else:
            params["Hires resize"] = f"{hires.width}x{hires.height}"
        # as the web UI: hires steps sent as 0 mean "as many as the first pass" (admission fills them in, so the same
        # count stands for 0) and are left out; a hires prompt is written only where it differs from the prompt
        params["Hires steps"] = hires.steps if hires.steps and hires.steps != spec.steps else None
        params["Hires upscaler"] = hires.upscaler or "Latent"
        params["Hires prompt"] = hires.prompt if hires.prompt and hires.prompt != spec.prompt else None
        params["Hires negative prompt"] = (hires.negative_prompt if hires.negative_prompt
                                           and hires.negative_prompt != (spec.negative_prompt or "") else None)
    if spec.sd_upscale is not None:  # the web UI's script sets these before its first tile runs
        params["SD upscale overlap"] = spec.sd_upscale.overlap
        params["SD upscale upscaler"] = spec.sd_upscale.upscaler or "None"
    for i, unit in enumerate(spec.controlnets or []):
        params[f"ControlNet {i}"] = _controlnet(unit)
    loras = [f"{lora.model.name}: {_hash(lora.model, 12)}" for lora in spec.loras or [] if lora.model.sha256]
    params["Lora hashes"] = ", ".join(loras) or None
    tis = [f"{e.name}: {_hash(e.model, 12)}" for e in spec.embeddings or [] if e.model.sha256]
    params["TI hashes"] = ", ".join(tis) or None
    return params


def extras_parameters(spec: GenerationSpec) -> dict[str, Any]:
    """The web UI's postprocessing line for an extras image."""
    extras = spec.extras
    if extras is None:
        return {}
    sized = bool(extras.width or extras.height)
    second = extras.upscaler_2 if extras.upscaler_2 not in (None, "", "None") else None
    return {
        "Postprocess upscale by": None if sized else _num(extras.scale or 2.0),
        "Postprocess upscale to": f"{extras.width or 0}x{extras.height or 0}" if sized else None,
        "Postprocess crop to": (f"{extras.width}x{extras.height}"
                                if sized and extras.crop and extras.width and extras.height else None),
        "Postprocess upscaler": extras.upscaler or "None",
        "Postprocess upscaler 2": second,
        "Postprocess upscaler 2 visibility": _num(extras.upscaler_2_visibility or 0.0) if second else None,
        **_face_parameters(spec),
    }


def _face_parameters(spec: GenerationSpec) -> dict[str, Any]:
    """The web UI's extras face passes: "GFPGAN visibility", "CodeFormer visibility", "CodeFormer weight"."""
    out: dict[str, Any] = {}
    for face in spec.face_restore or []:
        label = "CodeFormer" if face.restorer.name.lower().startswith("codeformer") else "GFPGAN"
        out[f"{label} visibility"] = _num(round(face.visibility, 3))
        if label == "CodeFormer":
            out["CodeFormer weight"] = _num(round(face.codeformer_weight, 3))
    return out


def infotext(spec: GenerationSpec, seed: int, subseed: int | None = None) -> str:
    """The `parameters` text: prompt, negative prompt, then the parameters line (extras: that line alone)."""
    if spec.task == "extras":
        return _line(extras_parameters(spec))
    lines = [spec.prompt]
    if spec.negative_prompt:
        lines.append(f"Negative prompt: {spec.negative_prompt}")
    lines.append(_line(parameters(spec, seed, subseed)))
    return "\n".join(lines)


def _line(params: dict[str, Any]) -> str:
    return ", ".join(f"{key}: {quote(value)}" for key, value in params.items() if value is not None)


def to_png(image: Image.Image, spec: GenerationSpec, seed: int, *, subseed: int | None = None) -> bytes:
    info = PngInfo()
    info.add_text("parameters", infotext(spec, seed, subseed))
    buf = io.BytesIO()
    image.save(buf, format="PNG", pnginfo=info)
    return buf.getvalue()


def preview_uri(image: Image.Image, max_bytes: int) -> str | None:
    """A live preview as a data: URI (lossy WebP, small), or None when it would exceed max_bytes: previews ride in
    progress events, which every follower of the job reads."""
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "WEBP", quality=70, method=0)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    uri = f"data:image/webp;base64,{data}"
    return uri if len(uri) <= max_bytes else None
