"""Models every deployment has without importing anything."""

from __future__ import annotations

from easel_proto.v1.registry import ModelInfo

BUILTIN: tuple[ModelInfo, ...] = (
    ModelInfo(
        id="builtin-tiny-sd", name="tiny-sd", kind="checkpoint", base="tiny", source="builtin:tiny-sd",
        default_width=64, default_height=64,
    ),
    # SDXL's architecture at toy size (worker: engine.tiny), so SDXL paths run anywhere
    ModelInfo(
        id="builtin-tiny-sdxl", name="tiny-sdxl", kind="checkpoint", base="sdxl", source="builtin:tiny-sdxl",
        default_width=64, default_height=64,
    ),
)


def find(name: str) -> ModelInfo | None:
    """A built-in model by id or name."""
    return next((m for m in BUILTIN if name in (m.id, m.name)), None)
