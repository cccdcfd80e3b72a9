"""The web UI's infotext (a PNG's `parameters` chunk): read it into a dict, as png-info and `infotext` do.

    a prompt, over one or more lines
    Negative prompt: a negative prompt
    Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x512, Model: tiny-sd
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

from PIL import Image, UnidentifiedImageError

from easel_gateway.inputs import unwrap
from easel_proto.errors import InvalidInput

# `Key: value` pairs of the last line; a value is a quoted JSON string or runs to the next comma.
_PAIR = re.compile(r'\s*(?P<key>\w[\w \-/+.()]*?):\s*(?P<value>"(?:\\.|[^\\"])*"|[^,]*)(?:,|$)')
_SIZE = re.compile(r"^(\d+)x(\d+)$")
_NEGATIVE = "Negative prompt:"


def _params_line(line: str) -> bool:
    pairs = list(_PAIR.finditer(line))
    return len(pairs) >= 3 and "".join(m.group(0) for m in pairs).strip() == line.strip()


def parse(text: str) -> dict[str, Any]:
    """{"Prompt", "Negative prompt", and each `Key: value` of the last line}; Size gives Size-1 and Size-2."""
    lines = text.strip().split("\n")
    pairs_line = lines.pop() if lines and _params_line(lines[-1]) else ""
    prompt, negative, in_negative = [], [], False
    for line in lines:
        if line.startswith(_NEGATIVE):
            in_negative, line = True, line[len(_NEGATIVE):].strip()
        (negative if in_negative else prompt).append(line)
    out: dict[str, Any] = {"Prompt": "\n".join(prompt), "Negative prompt": "\n".join(negative)}
    for match in _PAIR.finditer(pairs_line):
        key, value = match["key"].strip(), match["value"].strip()
        if value.startswith('"') and value.endswith('"') and len(value) > 1:
            try:
                value = json.loads(value)
            except ValueError:
                value = value[1:-1]
        if size := _SIZE.match(value) if isinstance(value, str) else None:
            out[f"{key}-1"], out[f"{key}-2"] = size.group(1), size.group(2)
        else:
            out[key] = value
    return out


def png_info(data: str, max_bytes: int) -> dict[str, Any]:
    """{info, items, parameters} of a base64 image: its infotext, its other text chunks, the infotext parsed."""
    raw = unwrap(data, "image", max_bytes)
    try:
        image = Image.open(io.BytesIO(raw))
    except (UnidentifiedImageError, OSError):
        raise InvalidInput("image", "is not an image") from None
    items = {k: v for k, v in image.info.items() if isinstance(k, str) and isinstance(v, str)}
    info = items.pop("parameters", "")
    return {"info": info, "items": items, "parameters": parse(info) if info else {}}


# Infotext keys a request's `infotext` may fill in, and the payload field each fills.
FILLS: dict[str, tuple[str, type]] = {
    "Prompt": ("prompt", str), "Negative prompt": ("negative_prompt", str), "Steps": ("steps", int),
    "Sampler": ("sampler_name", str), "Schedule type": ("scheduler", str), "CFG scale": ("cfg_scale", float),
    "Seed": ("seed", int), "Size-1": ("width", int), "Size-2": ("height", int),
    "Denoising strength": ("denoising_strength", float), "Variation seed": ("subseed", int),
    "Variation seed strength": ("subseed_strength", float), "Refiner": ("refiner_checkpoint", str),
    "Refiner switch at": ("refiner_switch_at", float),
}


def fill(given: set[str], text: str) -> dict[str, Any]:
    """The fields `text` gives that the request did not (as the web UI applies a request's infotext)."""
    parsed = parse(text)
    out: dict[str, Any] = {}
    for key, (field, kind) in FILLS.items():
        if key in parsed and field not in given and parsed[key] != "":
            try:
                out[field] = kind(parsed[key])
            except ValueError:
                raise InvalidInput("infotext", f"{key}: {parsed[key]!r} is not a {kind.__name__}") from None
    return out
