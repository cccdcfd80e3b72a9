"""ControlNet units as the extension's API takes them (`alwayson_scripts.controlnet.args`), as Easel job units.

Every field and alias of the extension's unit is read; a unit that is not enabled (the default) or names the
model "None" is skipped, as the extension skips it. Accepted and ignored: low_vram, hr_option (a unit applies to
both passes of a hires fix), save_detected_map, inpaint_crop_input_image, advanced_weighting, pulid_mode,
union_control_type. Refused: effective_region_mask and ipadapter_input (not supported), more than one image.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from easel_gateway.sdapi import vocab
from easel_proto.errors import InvalidInput
from easel_proto.v1 import jobs

ARGS = "alwayson_scripts.controlnet.args"
_ALIASES = {"guidance": "guidance_end", "lowvram": "low_vram", "input_image": "image", "mask_image": "mask"}
_UNSUPPORTED = ("effective_region_mask", "ipadapter_input")


def _unaliased(unit: dict[str, Any], at: str) -> dict[str, Any]:
    out = dict(unit)
    for alias, name in _ALIASES.items():
        if alias in out:
            if out.get(name) is not None:
                raise InvalidInput(f"{at}.{alias}", f"give {alias!r} or {name!r}, not both")
            out[name] = out.pop(alias)
    return out


def _images(image: Any, mask: Any, at: str) -> tuple[str | None, str | None]:
    """The control image and mask from any of the forms the extension takes: b64, {image, mask}, [image, mask],
    [{image, mask}] (one entry: Easel's units take one image)."""
    if isinstance(image, list | tuple):
        if not image:
            return None, mask or None
        if isinstance(image[0], dict):
            if len(image) > 1:
                raise InvalidInput(f"{at}.image", f"one image per unit (got {len(image)})")
            image = image[0]
        elif len(image) == 2:
            image, mask = image
        else:
            raise InvalidInput(f"{at}.image", "a list must be [image, mask] or [{image, mask}]")
    if isinstance(image, dict):
        image, mask = image.get("image"), image.get("mask", mask)
    for name, value in (("image", image), ("mask", mask)):
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"{at}.{name}", "must be a base64 image")
    return image or None, mask or None


def _number(unit: dict[str, Any], key: str, at: str, default: float | None = None) -> float | None:
    value = unit.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{at}.{key}", f"must be a number (got {value!r})")
    return value


def unit(raw: Any, at: str) -> jobs.ControlNetRequest | None:
    """One unit, or None for a unit the extension would skip."""
    if not isinstance(raw, dict):
        raise InvalidInput(at, "a ControlNet unit must be an object")
    u = _unaliased(raw, at)
    model = u.get("model") or "None"
    if not u.get("enabled", False) or model == "None":
        return None
    for key in _UNSUPPORTED:
        if u.get(key) is not None:
            raise InvalidInput(f"{at}.{key}", "is not supported by Easel")
    image, mask = _images(u.get("image"), u.get("mask"), at)
    start, end = _number(u, "guidance_start", at, 0.0), _number(u, "guidance_end", at, 1.0)
    if start is not None and end is not None and start > end:
        raise InvalidInput(f"{at}.guidance_start", f"must not be after guidance_end ({start} > {end})")
    res = _number(u, "processor_res", at)
    thresholds = {k: _number(u, k, at) for k in ("threshold_a", "threshold_b")}
    try:
        return jobs.ControlNetRequest(
            model=str(model), module=str(u.get("module") or "none").strip().lower(), image=image, mask=mask,
            weight=_number(u, "weight", at, 1.0),
            resize_mode=vocab.controlnet_resize(u.get("resize_mode", "Crop and Resize"), f"{at}.resize_mode"),
            # -1 (the extension's "unset") and values outside a slider take the preprocessor's defaults
            processor_res=int(res) if res is not None and 64 <= res <= 2048 else None,
            threshold_a=None if thresholds["threshold_a"] == -1 else thresholds["threshold_a"],
            threshold_b=None if thresholds["threshold_b"] == -1 else thresholds["threshold_b"],
            guidance_start=start, guidance_end=end,
            control_mode=vocab.control_mode(u.get("control_mode", "Balanced"), f"{at}.control_mode"),
            pixel_perfect=bool(u.get("pixel_perfect", False)),
        )
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise InvalidInput(".".join([at, *(str(p) for p in problem["loc"])]), problem["msg"]) from None


def units(scripts: dict[str, Any]) -> tuple[list[jobs.ControlNetRequest], dict[str, str]]:
    """The enabled units of `alwayson_scripts`, and where each came from (for naming a bad field)."""
    entry = next((v for k, v in scripts.items() if k.lower() == "controlnet"), None)
    if entry is None:
        return [], {}
    args = entry.get("args", []) if isinstance(entry, dict) else entry
    if not isinstance(args, list):
        raise InvalidInput(ARGS, "must be a list of units")
    out: list[jobs.ControlNetRequest] = []
    names: dict[str, str] = {}
    for i, raw in enumerate(args):
        parsed = unit(raw, f"{ARGS}.{i}")
        if parsed is not None:
            names[f"controlnets.{len(out)}"] = f"{ARGS}.{i}"
            out.append(parsed)
    return out, names
