"""The GPU worker's generation engine: GenerationSpec in, PIL images out; no NATS or HTTP here."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .base import Engine, Interrupt, PreviewCallback, Skip, StepCallback, Stopped
from .null import NullEngine

if TYPE_CHECKING:
    from .engine import GenerationEngine
    from .samplers import SAMPLERS, make_scheduler
    from .tiny import build_tiny_sd, ensure_tiny_sd

__all__ = [
    "SAMPLERS",
    "Engine",
    "GenerationEngine",
    "Interrupt",
    "NullEngine",
    "PreviewCallback",
    "Skip",
    "StepCallback",
    "Stopped",
    "build_tiny_sd",
    "ensure_tiny_sd",
    "make_scheduler",
]

# torch and diffusers take seconds to import; a worker running NullEngine should not pay that.
_LAZY = {
    "GenerationEngine": ".engine",
    "SAMPLERS": ".samplers",
    "make_scheduler": ".samplers",
    "build_tiny_sd": ".tiny",
    "ensure_tiny_sd": ".tiny",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
