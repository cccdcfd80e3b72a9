"""The training methods, one module each, behind one interface (base.Method)."""

from __future__ import annotations

from .base import Exported, Method
from .full import FullFineTune
from .hypernetwork import Hypernetwork
from .lora import Lora
from .textual_inversion import TextualInversion

METHODS: dict[str, type[Method]] = {
    "lora": Lora,
    "dreambooth_lora": Lora,
    "dreambooth": FullFineTune,
    "textual_inversion": TextualInversion,
    "hypernetwork": Hypernetwork,
}

__all__ = ["METHODS", "Exported", "Method"]
