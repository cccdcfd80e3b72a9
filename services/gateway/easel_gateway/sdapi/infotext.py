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

from easel_gateway.admission.inputs import unwrap
from easel_proto.errors import InvalidInput

# Each piece is matched where the scan stands, by a pattern that cannot backtrack more than linearly.
_KEY = re.compile(r"\w[\w \-/+.()]*")
_SPACE = re.compile(r"\s*")
_QUOTED = re.compile(r'"[^\\"]*(?:\\.[^\\"]*)*"')  # a JSON string, escapes and all
_SIZE = re.compile(r"^(\d+)x(\d+)$")
_NEGATIVE = "Negative prompt:"


def pairs(line: str) -> list[tuple[str, str]] | None:
    """The `Key: value, Key: value` pairs a whole line is made of (None if it is not): a value is a quoted JSON
    string followed by a comma or the end, else it runs to the next comma.

    Scanned by hand, once over the line: the regular expression this replaces backtracked, and an 8,000-character
    infotext stalled the gateway for seconds.
    """
    out: list[tuple[str, str]] = []
    pos, end = 0, len(line)
    while (pos := _SPACE.match(line, pos).end()) < end:
        colon = line.find(":", pos)
        if colon < 0 or not _KEY.fullmatch(line, pos, colon):
            return None
        key, pos = line[pos:colon], _SPACE.match(line, colon + 1).end()
        quoted = _QUOTED.match(line, pos)
        if quoted and (quoted.end() == end or line[quoted.end()] == ","):
            stop = quoted.end()
        else:
            comma = line.find(",", pos)
            stop = end if comma < 0 else comma
        out.append((key, line[pos:stop]))
        pos = stop + 1
    return out


def parse(text: str) -> dict[str, Any]:
    """{"Prompt", "Negative prompt", and each `Key: value` of the last line}; Size gives Size-1 and Size-2."""
    lines = text.strip().split("\n")
    found = pairs(lines[-1]) or []
    if len(found) >= 3:  # the last line is the parameters only if it is all pairs, and at least three
        lines.pop()
    else:
        found = []
    prompt, negative, in_negative = [], [], False
    for line in lines:
        if line.startswith(_NEGATIVE):
            in_negative, line = True, line[len(_NEGATIVE):].strip()
        (negative if in_negative else prompt).append(line)
    out: dict[str, Any] = {"Prompt": "\n".join(prompt), "Negative prompt": "\n".join(negative)}
    for raw_key, raw_value in found:
        key, value = raw_key.strip(), raw_value.strip()
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
    "Refiner switch at": ("refiner_switch_at", float), "Sigma churn": ("s_churn", float),
    "Sigma tmin": ("s_tmin", float), "Sigma tmax": ("s_tmax", float), "Sigma noise": ("s_noise", float),
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
