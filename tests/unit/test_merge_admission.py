"""What POST /v1/models/merge makes of the web UI's fields before any lookup: names, metadata_json, options."""

from __future__ import annotations

import pytest

from easel_gateway.admission import merge
from easel_proto.errors import InvalidInput
from easel_proto.v1 import jobs
from easel_proto.v1.registry import ModelInfo


def model(name: str) -> ModelInfo:
    return ModelInfo(id=name, name=name, kind="checkpoint", base="tiny", source="x")


def test_names_are_the_web_uis_when_custom_name_is_empty():
    a, b, c = model("a"), model("b"), model("c")
    weighted = jobs.MergeRequest(primary_model_name="a", multiplier=0.3)
    assert merge.generated_name(weighted, a, b, None) == "0.7(a) + 0.3(b)"
    diff = jobs.MergeRequest(primary_model_name="a", interp_method="Add difference", multiplier=0.25)
    assert merge.generated_name(diff, a, b, c) == "a + 0.25(b - c)"
    none = jobs.MergeRequest(primary_model_name="a", interp_method="No interpolation")
    assert merge.generated_name(none, a, None, None) == "a"
    custom = jobs.MergeRequest(primary_model_name="a", custom_name="mine.safetensors")
    assert merge._name(custom, a, b, None) == "mine"
    with pytest.raises(InvalidInput) as exc:
        merge._name(jobs.MergeRequest(primary_model_name="a", custom_name="../x"), a, b, None)
    assert exc.value.details["field"] == "custom_name"


def test_metadata_json_is_an_object_of_strings():
    assert merge._metadata('{"a": "b", "n": 1, "l": [1]}') == {"a": "b", "n": "1", "l": "[1]"}
    assert merge._metadata("") == {}
    for bad in ("[1]", "{nope"):
        with pytest.raises(InvalidInput) as exc:
            merge._metadata(bad)
        assert exc.value.details["field"] == "metadata_json"


@pytest.mark.parametrize(("fields", "field"), [
    ({"checkpoint_format": "ckpt"}, "checkpoint_format"),
    ({"config_source": 2}, "config_source"),
    ({"discard_weights": "(unclosed"}, "discard_weights"),
])
def test_options_easel_does_not_have_are_refused_by_name(fields, field):
    with pytest.raises(InvalidInput) as exc:
        merge._check_options(jobs.MergeRequest(primary_model_name="a", **fields))
    assert exc.value.details["field"] == field
