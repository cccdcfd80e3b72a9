"""PNG encoding with the web UI's `parameters` text chunk, so tools that read it keep working."""

from __future__ import annotations

import io

from PIL import Image
from PIL.PngImagePlugin import PngInfo

from easel_proto.v1.jobs import GenerationSpec


def infotext(spec: GenerationSpec, seed: int) -> str:
    lines = [spec.prompt]
    if spec.negative_prompt:
        lines.append(f"Negative prompt: {spec.negative_prompt}")
    lines.append(f"Steps: {spec.steps}, Sampler: {spec.sampler}, CFG scale: {spec.cfg_scale:g}, Seed: {seed}, "
                 f"Size: {spec.width}x{spec.height}, Model: {spec.model.name}")
    return "\n".join(lines)


def to_png(image: Image.Image, spec: GenerationSpec, seed: int) -> bytes:
    info = PngInfo()
    info.add_text("parameters", infotext(spec, seed))
    buf = io.BytesIO()
    image.save(buf, format="PNG", pnginfo=info)
    return buf.getvalue()
