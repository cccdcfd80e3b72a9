"""The web UI's training form starts from the API's defaults and offers the API's choices: its
webui/src/training-defaults.json agrees with proto/schemas/v1/trainings.json."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "proto" / "schemas" / "v1" / "trainings.json").read_text())["$defs"]
UI = json.loads((ROOT / "webui" / "src" / "training-defaults.json").read_text())


def _property(path: str) -> dict:
    """The schema of TrainingRequest's field `path` (dotted), through its $refs."""
    node = SCHEMA["TrainingRequest"]
    for part in path.split("."):
        node = node["properties"][part]
        ref = node.get("$ref") or next((a["$ref"] for a in node.get("anyOf", []) if "$ref" in a), None)
        if ref:
            node = SCHEMA[ref.rsplit("/", 1)[1]]
    return node


def _leaves(tree: dict, prefix: str = "") -> list[tuple[str, object]]:
    out = []
    for key, value in tree.items():
        if isinstance(value, dict):
            out += _leaves(value, f"{prefix}{key}.")
        else:
            out.append((f"{prefix}{key}", value))
    return out


def test_the_forms_defaults_are_the_apis():
    leaves = _leaves(UI["defaults"])
    assert len(leaves) > 15
    for path, value in leaves:
        assert _property(path)["default"] == value, path


def test_the_forms_choices_are_the_apis():
    assert UI["choices"]["method"] == SCHEMA["TrainingMethod"]["enum"]
    for path, choices in UI["choices"].items():
        if path != "method":
            assert _property(path)["enum"] == choices, path
