"""The web UI's names for samplers, schedulers and integer-coded choices, read as leniently as it reads them."""

from __future__ import annotations

from typing import Any

from easel_proto.errors import InvalidInput
from easel_proto.webui import (
    CONTROL_MODES,
    CONTROLNET_RESIZE_MODES,
    INPAINT_FILLS,
    RESIZE_MODES,
    SAMPLER_ALIASES,
    SAMPLERS,
    SCHEDULER_ALIASES,
    SCHEDULER_LABELS,
    SCHEDULERS,
    UNAVAILABLE_SAMPLERS,
)

_SAMPLERS = {name.lower(): name for name in SAMPLERS} | {k.lower(): v for k, v in SAMPLER_ALIASES.items()}
_SCHEDULERS = ({name: name for name in SCHEDULERS} | {label.lower(): name for name, label in SCHEDULER_LABELS.items()}
               | {alias.lower(): name for alias, name in SCHEDULER_ALIASES.items()})
# v1.9 spells a sampler and its schedule apart; older names carry the schedule ("DPM++ 2M Karras").
_SCHEDULE_SUFFIXES = {" karras": "karras", " exponential": "exponential"}


def sampler(name: str | None, field: str) -> tuple[str | None, str | None]:
    """(sampler, scheduler or None) for a sampler name or alias; (None, None) for none given."""
    if not name:
        return None, None
    key = name.strip().lower()
    if key in _SAMPLERS:
        return _SAMPLERS[key], None
    for suffix, schedule in _SCHEDULE_SUFFIXES.items():
        if key.endswith(suffix) and key[: -len(suffix)] in _SAMPLERS:
            return _SAMPLERS[key[: -len(suffix)]], schedule
    if key in UNAVAILABLE_SAMPLERS:
        raise InvalidInput(field, f"the {UNAVAILABLE_SAMPLERS[key]} sampler is not available on Easel; "
                                  f"available: {', '.join(SAMPLERS)}")
    raise InvalidInput(field, f"unknown sampler {name!r}; known: {', '.join(SAMPLERS)}")


def scheduler(name: str | None, field: str = "scheduler", warnings: list[str] | None = None) -> str | None:
    """A scheduler by name or label (`karras`, `Karras`); None for none given.

    With `warnings`, an unknown name is automatic and a warning is added, as the web UI corrects it.
    """
    if not name:
        return None
    key = name.strip().lower()
    if key in _SCHEDULERS:
        return _SCHEDULERS[key]
    known = ", ".join(SCHEDULER_LABELS.values())
    if warnings is None:
        raise InvalidInput(field, f"unknown scheduler {name!r}; known: {known}")
    warnings.append(f"{field}: unknown scheduler {name!r}, used Automatic instead; known: {known}")
    return "automatic"


def coded(value: Any, names: tuple[str, ...], field: str, labels: dict[str, str] | None = None) -> str | None:
    """An integer-coded choice (the web UI's index), a label from `labels`, or a name itself."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput(field, f"must be one of 0..{len(names) - 1}")
    if isinstance(value, int):
        if not 0 <= value < len(names):
            raise InvalidInput(field, f"must be one of 0..{len(names) - 1} (got {value})")
        return names[value]
    if value.isdigit():
        return coded(int(value), names, field, labels)
    by_label = {k.lower(): v for k, v in (labels or {}).items()} | {n.lower(): n for n in names}
    if value.strip().lower() in by_label:
        return by_label[value.strip().lower()]
    known = ", ".join(labels or names)
    raise InvalidInput(field, f"unknown value {value!r}; known: {known}")


def resize_mode(value: Any, field: str = "resize_mode") -> str | None:
    return coded(value, RESIZE_MODES, field)


def inpaint_fill(value: Any, field: str = "inpainting_fill") -> str | None:
    return coded(value, INPAINT_FILLS, field, {"latent noise": "latent_noise", "latent nothing": "latent_nothing"})


def control_mode(value: Any, field: str) -> str | None:
    return coded(value, tuple(CONTROL_MODES.values()), field, CONTROL_MODES)


_CN_RESIZE_ORDER = ("just_resize", "crop_and_resize", "resize_and_fill")


def controlnet_resize(value: Any, field: str) -> str | None:
    return coded(value, _CN_RESIZE_ORDER, field, CONTROLNET_RESIZE_MODES)
