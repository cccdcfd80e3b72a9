"""Interrogator models (registry kind `interrogator`): which of the web UI's two interrogators a folder holds.

Both are transformers `save_pretrained` folders with safetensors weights, told apart by their layout alone (the
registry checks it at import; the gateway picks a model of the type a call asks for; the worker loads it):
- `clip`: the web UI's CLIP interrogator, a BLIP captioning model in `blip/` and a CLIP model in `clip/`; optional
  category lists (one term a line) in `interrogate/*.txt`, as the web UI's `interrogate` folder (`flavors.top3.txt`
  ranks the top 3), else Easel's small built-in lists;
- `deepdanbooru`: the web UI's DeepBooru tagger, an image classifier whose config names its tags (`id2label`), at
  the folder's root (`config.json`, `model.safetensors`), read as multi-label.
"""

from __future__ import annotations

from collections.abc import Iterable

TYPES = ("clip", "deepdanbooru")
CATEGORY_FOLDER = "interrogate"


def interrogator_type(paths: Iterable[str]) -> str | None:
    """The interrogator a model's file paths make up, or None when they are neither layout."""
    found = set(paths)
    if {"blip/config.json", "clip/config.json"} <= found and any(
            p.startswith("blip/") and p.endswith(".safetensors") for p in found) and any(
            p.startswith("clip/") and p.endswith(".safetensors") for p in found):
        return "clip"
    if "config.json" in found and any("/" not in p and p.endswith(".safetensors") for p in found):
        return "deepdanbooru"
    return None


def describe_layouts() -> str:
    return ("a CLIP interrogator folder (blip/ and clip/, each a transformers model with safetensors weights) or a "
            "tagger folder (config.json with id2label and a .safetensors classifier at its root)")
