"""Reading a selectable script's positional `script_args` as the web UI's scripts take them."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from easel_gateway.sdapi import convert
from easel_gateway.sdapi.convert import Converted
from easel_gateway.sdapi.payloads import Generation
from easel_proto.errors import InvalidInput

SEED_SPACE = 2**32


def arg(args: list[Any], i: int, default: Any, kind: type, low: float | None = None,
        high: float | None = None) -> Any:
    """script_args[i] as `kind` (default when missing or null), within [low, high]; 422 on script_args.<i>."""
    value = args[i] if i < len(args) and args[i] is not None else default
    field = f"script_args.{i}"
    if kind is bool:
        if not isinstance(value, bool | int):
            raise InvalidInput(field, f"must be true or false (got {value!r})")
        return bool(value)
    if kind in (int, float):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise InvalidInput(field, f"must be a number (got {value!r})")
        try:
            value = kind(float(value)) if kind is int else float(value)
        except ValueError:
            raise InvalidInput(field, f"must be a number (got {value!r})") from None
        if (low is not None and value < low) or (high is not None and value > high):
            raise InvalidInput(field, f"must be within {low:g}..{high:g} (got {value})")
        return value
    if not isinstance(value, kind):
        raise InvalidInput(field, f"must be a {kind.__name__} (got {value!r})")
    return value


def choice(args: list[Any], i: int, default: str, choices: tuple[str, ...]) -> str:
    value = arg(args, i, default, str)
    match = next((c for c in choices if c.lower() == value.lower()), None)
    if match is None:
        raise InvalidInput(f"script_args.{i}", f"must be one of {', '.join(choices)} (got {value!r})")
    return match


def fixed_seed(p: Generation) -> int:
    """The call's seed, picked once when random (-1) so every job of the script shares it."""
    return p.seed if p.seed is not None and p.seed >= 0 else secrets.randbelow(SEED_SPACE)


def maker(img2img: bool, model: str | None, pool: str | None,
          options: dict[str, Any] | None = None) -> Callable[[Generation], Converted]:
    """Payload -> job request for this endpoint (and /inference's model and pool; `options`: the caller's saved web
    UI options, for face restoration)."""
    to_job = convert.img2img if img2img else convert.txt2img
    return lambda p: to_job(p, model=model, pool=pool, options=options)
