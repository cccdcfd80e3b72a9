"""Generation specs for the built-in tiny model, run straight on an engine (no stack), and their pixels."""

from __future__ import annotations

import numpy as np

from easel_proto.v1.jobs import GenerationSpec
from easel_proto.v1.registry import ModelInfo

TINY = ModelInfo(id="m-tiny", name="tiny", kind="checkpoint", base="tiny", source="builtin:tiny-sd")


def spec(**over) -> GenerationSpec:
    fields = dict(prompt="a lighthouse at dusk", negative_prompt="blurry", model=TINY, sampler="Euler a", steps=3,
                  cfg_scale=7.0, width=64, height=64, seeds=[5, 6])
    return GenerationSpec(**(fields | over))


def pixels(images) -> np.ndarray:
    return np.stack([np.asarray(im, dtype=np.int16) for im in images])


def no_steps(done: int, total: int) -> None:
    pass
