"""The registry's content checks for the face_restorer and face_detector kinds: an import of the wrong weights fails
at import time, naming `source`, not in the first job that uses them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from easel_proto.errors import InvalidInput
from easel_proto.v1.common import Principal
from easel_proto.v1.registry import ImportModelRequest
from easel_registry import flows, safety
from easel_registry.sources import Fetched

GFPGAN_KEYS = {"toRGB.0.weight": torch.zeros(3, 4, 1, 1), "stylegan_decoder.style_mlp.1.weight": torch.zeros(4, 4)}
CODEFORMER_KEYS = {k: torch.zeros(2) for k in safety.FACE_RESTORER_KEYS["CodeFormer"]}


def _fetched(tmp_path: Path, tensors: dict[str, torch.Tensor]) -> list[Fetched]:
    path = tmp_path / "model.safetensors"
    save_file(tensors, str(path))
    return [Fetched("model.safetensors", path, path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest())]


def _request(kind: str) -> ImportModelRequest:
    return ImportModelRequest(principal=Principal(user_id="u1", tenant_id="t1", username="u"), name="GFPGAN",
                              kind=kind, base="sd15", source={"type": "upload", "uri": "x"})


@pytest.mark.parametrize(("tensors", "arch"), [(GFPGAN_KEYS, "GFPGAN"), (CODEFORMER_KEYS, "CodeFormer")])
def test_gfpgan_and_codeformer_weights_import_as_face_restorers(tmp_path, tensors, arch):
    assert flows.inspect(_fetched(tmp_path, tensors), _request("face_restorer"))["format"] == "safetensors"
    assert safety.check_face_model("face_restorer", list(tensors), single=True) == arch


def test_other_weights_are_refused_as_a_face_restorer_or_detector(tmp_path):
    esrgan = _fetched(tmp_path, {"conv_first.weight": torch.zeros(4, 3, 3, 3)})
    for kind, words in (("face_restorer", "not a face restorer"), ("face_detector", "not a face detector")):
        with pytest.raises(InvalidInput) as caught:
            flows.inspect(esrgan, _request(kind))
        assert caught.value.details["field"] == "source" and words in caught.value.message


def test_a_face_detector_is_the_onnx_bytes_tensor(tmp_path):
    onnx = torch.from_numpy(np.frombuffer(b"\x08\x08graph", dtype=np.uint8).copy())
    assert flows.inspect(_fetched(tmp_path, {"onnx": onnx}), _request("face_detector"))["format"] == "safetensors"
