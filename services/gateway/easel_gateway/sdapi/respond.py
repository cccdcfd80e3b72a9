"""The web UI's response bodies: {images, parameters, info} with `info` the JSON string of `Processed.js()`."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from easel_gateway.sdapi import convert
from easel_gateway.sdapi.payloads import Generation, Img2Img
from easel_gateway.sdapi.run import Done
from easel_proto.v1 import jobs

VERSION = "easel-0.1.0"


def infotext_of(png: bytes) -> str:
    """The web UI's infotext the worker wrote into the PNG's `parameters` chunk."""
    try:
        return Image.open(io.BytesIO(png)).info.get("parameters", "")
    except OSError:
        return ""


def b64(png: bytes) -> str:
    return base64.b64encode(png).decode()


def b64_all(pngs: list[bytes]) -> list[str]:
    return [b64(png) for png in pngs]


@dataclass
class Output:
    """The images of a call in response order (grids first), with what `info` says about each generated one."""

    spec: jobs.GenerationSpec
    created_at: str
    images: list[bytes] = field(default_factory=list)
    infotexts: list[str] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)
    negative_prompts: list[str] = field(default_factory=list)
    seeds: list[int] = field(default_factory=list)
    subseeds: list[int] = field(default_factory=list)
    index_of_first_image: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, done: Done, first_only: bool = False) -> None:
        """The job's images (or just its first), each with its infotext, prompt and seeds."""
        spec, pngs = done.record.spec, done.pngs[:1] if first_only else done.pngs
        for image, png in zip(done.record.images, pngs, strict=False):
            self.images.append(png)
            self.infotexts.append(infotext_of(png))
            self.prompts.append(spec.prompt)
            self.negative_prompts.append(spec.negative_prompt or "")
            self.seeds.append(image.seed)
            subseeds = spec.subseeds or []
            self.subseeds.append(subseeds[image.index] if image.index < len(subseeds) else -1)

    def grid_first(self, png: bytes, infotext: str | None = None) -> None:
        """Put a grid before the images, as the web UI returns it."""
        self.images.insert(0, png)
        self.infotexts.insert(0, infotext if infotext is not None else (self.infotexts or [""])[0])
        self.index_of_first_image += 1


def output(dones: list[Done], first_only: bool = False) -> Output:
    out = Output(spec=dones[0].record.spec, created_at=dones[0].record.created_at.strftime("%Y%m%d%H%M%S"))
    for done in dones:
        out.add(done, first_only)
    return out


def _short(model: Any) -> str | None:
    return model.sha256[:8] if model is not None and model.sha256 else None


def info(out: Output, styles: list[str]) -> dict[str, Any]:
    """`Processed.js()`: the keys web UI clients read (all_seeds, infotexts, sd_model_hash...)."""
    spec = out.spec
    if spec.task == "img2img":
        denoising = spec.denoising_strength
    else:
        denoising = spec.hires.denoising_strength if spec.hires else None
    return {
        "prompt": (out.prompts or [spec.prompt])[0], "all_prompts": out.prompts,
        "negative_prompt": (out.negative_prompts or [spec.negative_prompt or ""])[0],
        "all_negative_prompts": out.negative_prompts,
        "seed": (out.seeds or spec.seeds)[0], "all_seeds": out.seeds,
        "subseed": (out.subseeds or [-1])[0], "all_subseeds": out.subseeds,
        "subseed_strength": spec.subseed_strength or 0.0, "width": spec.width, "height": spec.height,
        "sampler_name": spec.sampler, "cfg_scale": spec.cfg_scale, "steps": spec.steps,
        "batch_size": spec.batch_size or len(spec.seeds), "restore_faces": bool(spec.face_restore),
        "face_restoration_model": spec.face_restore[0].restorer.name if spec.face_restore else None,
        "sd_model_name": spec.model.name, "sd_model_hash": _short(spec.model),
        "sd_vae_name": spec.vae.name if spec.vae else None, "sd_vae_hash": _short(spec.vae),
        "seed_resize_from_w": spec.seed_resize_from_w or -1, "seed_resize_from_h": spec.seed_resize_from_h or -1,
        "denoising_strength": denoising, "extra_generation_params": out.extra,
        "index_of_first_image": out.index_of_first_image, "infotexts": out.infotexts, "styles": styles,
        "job_timestamp": out.created_at, "clip_skip": spec.clip_skip or 1,
        "is_using_inpainting_conditioning": False, "version": VERSION,
    }


def echo(payload: Generation) -> dict[str, Any]:
    """The request as the web UI echoes it: every field, img2img's images only with include_init_images."""
    params = payload.model_dump(mode="json")
    if isinstance(payload, Img2Img) and not payload.include_init_images:
        params["init_images"], params["mask"] = None, None
    return params


def generation(payload: Generation, out: Output) -> dict[str, Any]:
    """A txt2img/img2img response; no images when the client sent send_images false."""
    images = b64_all(out.images) if payload.send_images is not False else []
    described = info(out, [s for s in payload.styles or [] if s])
    if found := convert.warnings(payload):
        described["warnings"] = found  # what was corrected rather than refused (an unknown scheduler)
    return {"images": images, "parameters": echo(payload), "info": json.dumps(described)}


def html_info(spec: jobs.GenerationSpec) -> str:
    """What the extras tab reports: the upscalers and the scale it used."""
    ex = spec.extras or jobs.ExtrasSpec()
    parts = [f"Postprocess upscaler: {ex.upscaler}"]
    parts.append(f"Postprocess upscale to: {ex.width}x{ex.height}" if ex.width and ex.height
                 else f"Postprocess upscale by: {ex.scale or 2.0:g}")
    if ex.upscaler_2:
        parts.append(f"Postprocess upscaler 2: {ex.upscaler_2}")
    for face in spec.face_restore or []:  # the web UI's GFPGAN / CodeFormer postprocessing entries
        label = "CodeFormer" if face.restorer.name.lower().startswith("codeformer") else "GFPGAN"
        parts.append(f"{label} visibility: {round(face.visibility, 3):g}")
        if label == "CodeFormer":
            parts.append(f"CodeFormer weight: {round(face.codeformer_weight, 3):g}")
    return f"<p>{', '.join(parts)}</p>"
