"""Content checks that never load a model: names, pickles, safetensors headers.

Nothing here unpickles or imports torch; a file is judged by its name and its first bytes only.
"""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path, PurePosixPath
from typing import Any

from easel_common.storage import check_key
from easel_proto.errors import InvalidInput
from easel_proto.interrogators import describe_layouts, interrogator_type

PICKLE_REFUSED = "pickled checkpoints are refused; convert to safetensors"
PICKLED_SUFFIXES = (".ckpt", ".pt", ".pth", ".bin", ".pkl", ".pickle")
# pickled checkpoints a single-file import converts to safetensors in a confined process (conversion.py)
CONVERTIBLE_SUFFIXES = (".ckpt", ".pt", ".pth", ".bin")
# what a folder import keeps: weights as safetensors, configs and tokenizer files
KEPT_SUFFIXES = (".safetensors", ".json", ".txt")
MAX_HEADER_BYTES = 100 * 1024 * 1024
_DTYPES = {"BOOL", "U8", "I8", "F8_E4M3", "F8_E5M2", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64",
           "I64", "U64", "F4", "F6_E2M3", "F6_E3M2", "E8M0", "C64"}


def check_path(path: str, field: str = "source") -> str:
    """A relative path inside a model: no absolute paths, '..', backslashes or control characters."""
    try:
        check_key(path, field)
    except InvalidInput as exc:
        raise InvalidInput(field, f"unsafe file path {path!r}: {exc.details.get('reason', exc.message)}") from None
    return path


def is_pickled_name(name: str) -> bool:
    return PurePosixPath(name.lower()).suffix in PICKLED_SUFFIXES


def is_convertible_name(name: str) -> bool:
    return PurePosixPath(name.lower()).suffix in CONVERTIBLE_SUFFIXES


def refuse_pickled_name(name: str, field: str = "source") -> None:
    if is_pickled_name(name):
        raise InvalidInput(field, f"{PICKLE_REFUSED} ({PurePosixPath(name).name})")


def looks_pickled(head: bytes) -> bool:
    """A pickle (protocol 2+ starts with PROTO 0x80) or a zip (torch.save's format since 1.6)."""
    return (len(head) >= 2 and head[0] == 0x80 and 1 <= head[1] <= 5) or head.startswith(b"PK\x03\x04")


def refuse_pickled_content(head: bytes, field: str = "source") -> None:
    if looks_pickled(head):
        raise InvalidInput(field, PICKLE_REFUSED)


def safetensors_header(path: Path, field: str = "source") -> dict[str, Any]:
    """The JSON header of a safetensors file, checked against the file's size; InvalidInput if it is not one."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(8)
        refuse_pickled_content(head, field)
        if len(head) < 8:
            raise InvalidInput(field, "not a safetensors file: too short")
        (length,) = struct.unpack("<Q", head)
        if length < 2 or length > MAX_HEADER_BYTES or 8 + length > size:
            raise InvalidInput(field, "not a safetensors file: bad header length")
        raw = f.read(length)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput(field, "not a safetensors file: the header is not JSON") from None
    if not isinstance(header, dict):
        raise InvalidInput(field, "not a safetensors file: the header is not an object")
    data_size = size - 8 - length
    for name, entry in header.items():
        if name == "__metadata__":
            if not isinstance(entry, dict):
                raise InvalidInput(field, "corrupt safetensors file: __metadata__ is not an object")
            continue
        if not isinstance(entry, dict) or entry.get("dtype") not in _DTYPES:
            raise InvalidInput(field, f"corrupt safetensors file: tensor {name[:100]!r} has no known dtype")
        offsets, shape = entry.get("data_offsets"), entry.get("shape")
        if (not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape)
                or not isinstance(offsets, list) or len(offsets) != 2
                or not all(isinstance(o, int) for o in offsets)
                or not 0 <= offsets[0] <= offsets[1] <= data_size):
            raise InvalidInput(field, f"corrupt safetensors file: tensor {name[:100]!r} lies outside the file")
    return header


_HYPERNETWORK_KEY = re.compile(r"^\d+\.[01]\.linear\.\d+\.(?:weight|bias)$")


def check_hypernetwork(keys: list[str], *, single: bool, field: str = "source") -> None:
    """A hypernetwork is one .safetensors file in Easel's flat layout of the web UI's modules
    (`<width>.<0|1>.linear.<i>.<weight|bias>`); the web UI's own .pt pickles are refused before this."""
    if not single:
        raise InvalidInput(field, "a hypernetwork is one .safetensors file")
    wrong = next((k for k in keys if not _HYPERNETWORK_KEY.match(k)), None)
    if wrong is not None or not keys:
        shown = f"{wrong[:100]!r} is" if wrong is not None else "no tensors are"
        raise InvalidInput(field, f"not a hypernetwork: {shown} not <width>.<0|1>.linear.<i>.<weight|bias>")


def check_interrogator(paths: list[str], field: str = "source") -> str:
    """An interrogator is a folder in one of the layouts of easel_proto.interrogators; its type (clip or
    deepdanbooru)."""
    kind = interrogator_type(paths)
    if kind is None:
        raise InvalidInput(field, f"not an interrogator: expected {describe_layouts()}")
    return kind


def detected_base(keys: list[str]) -> str | None:
    """A cheap guess from tensor names: SDXL has a second text encoder."""
    if any(k.startswith(("conditioner.embedders.1", "lora_te2_", "text_encoder_2")) for k in keys):
        return "sdxl"
    return None


# The keys spandrel detects each face restorer by (GFPGAN v1.x clean; CodeFormer), so an import fails here, not
# in the first job that uses it.
FACE_RESTORER_KEYS = {
    "GFPGAN": ("toRGB.0.weight", "stylegan_decoder.style_mlp.1.weight"),
    "CodeFormer": ("position_emb", "idx_pred_layer.1.weight", "quantize.embedding.weight",
                   "ft_layers.0.self_attn.in_proj_weight", "encoder.blocks.0.weight"),
}
FACE_DETECTOR_TENSOR = "onnx"


def check_face_model(kind: str, keys: list[str], *, single: bool, field: str = "source") -> str | None:
    """A face_restorer is one .safetensors file of GFPGAN or CodeFormer weights (returns which); a face_detector
    is one .safetensors file holding OpenCV YuNet's ONNX graph as the single uint8 tensor "onnx"."""
    if not single:
        raise InvalidInput(field, f"a {kind} is one .safetensors file")
    if kind == "face_detector":
        if keys != [FACE_DETECTOR_TENSOR]:
            raise InvalidInput(field, f"not a face detector: expected one tensor {FACE_DETECTOR_TENSOR!r} holding "
                               "YuNet's ONNX bytes")
        return None
    present = set(keys)
    for arch, needed in FACE_RESTORER_KEYS.items():
        if all(k in present for k in needed):
            return arch
    raise InvalidInput(field, "not a face restorer: expected GFPGAN (v1.x clean) or CodeFormer weights")
