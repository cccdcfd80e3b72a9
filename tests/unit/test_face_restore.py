"""Face restoration in the worker: GFPGAN/CodeFormer weights loaded back through spandrel, faces found by a real
YuNet-format detector, restored and pasted back only where a face is; visibility blends."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from face_models import codeformer_file, detector_file, gfpgan_file, red_face_image
from PIL import Image
from safetensors.torch import save_file

from easel_proto.errors import InvalidInput
from easel_proto.v1.jobs import FaceRestoreSpec
from easel_proto.v1.registry import ModelInfo
from easel_worker.engine import faces


class Files(dict):
    """The test models' files, each made the first time a test asks for it (GFPGAN takes seconds)."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def __missing__(self, key: str) -> Path:
        make = {"gfpgan": gfpgan_file, "codeformer": codeformer_file, "detector": detector_file}[key]
        self[key] = make(self.folder / f"{key}.safetensors")
        return self[key]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    return Files(tmp_path_factory.mktemp("faces"))


class Negative(torch.nn.Module):
    """A stand-in network for the geometry tests: the face in negative (any change shows where it was pasted)."""

    def forward(self, x: torch.Tensor, **_kwargs: object) -> tuple[torch.Tensor]:
        return (-x,)


@pytest.mark.slow
def test_gfpgan_and_codeformer_weights_load_back_as_their_architectures(files):
    assert faces.load_restorer(files["gfpgan"]).arch == "GFPGAN"
    assert faces.load_restorer(files["codeformer"]).arch == "CodeFormer"


def test_other_weights_are_refused_as_no_face_restorer(tmp_path):
    path = tmp_path / "other.safetensors"
    save_file({"conv.weight": torch.zeros(4, 3, 3, 3)}, str(path))
    with pytest.raises(ValueError, match="not GFPGAN or CodeFormer"):
        faces.load_restorer(path)
    with pytest.raises(ValueError, match="uint8 tensor named 'onnx'"):
        faces.Detector(path)


def test_the_detector_finds_the_synthetic_face_and_nothing_in_a_plain_image(files):
    detector = faces.load_detector(files["detector"])
    found = detector.landmarks(red_face_image())
    assert len(found) == 1
    eyes = found[0][:2].mean(axis=0)
    assert abs(eyes[0] - 160) < 2 and 130 < eyes[1] < 160  # the template's eyes, above the box centre (160, 160)
    assert detector.landmarks(np.full((320, 320, 3), 120, np.uint8)) == []


def _changed_only_at_the_face(before: np.ndarray, after: np.ndarray) -> None:
    """The face box (128 px around (160, 160)) changed; outside it and the soft mask's reach, nothing did."""
    changed = np.abs(after - before).max(axis=2) > 0
    assert changed[110:210, 110:210].mean() > 0.9
    outside = np.ones_like(changed)
    outside[80:240, 80:240] = False
    assert not changed[outside].any()


def test_the_face_is_aligned_pasted_back_in_place_and_visibility_blends(files):
    restorer, detector = faces.Restorer("GFPGAN", Negative(), "cpu"), faces.load_detector(files["detector"])
    image = Image.fromarray(red_face_image())
    before = np.asarray(image, dtype=np.int16)
    full = np.asarray(faces.restore_faces(image, restorer, detector), dtype=np.int16)
    _changed_only_at_the_face(before, full)
    centre = before[150:170, 120:140]  # grey stripes left of the red square, inside the face: now in negative
    assert np.abs(full[150:170, 120:140] - (255 - centre)).mean() < 8
    half = np.asarray(faces.restore_faces(image, restorer, detector, visibility=0.5), dtype=np.int16)
    assert np.abs(half - (before + full) / 2).max() <= 1
    given = np.asarray(faces.restore_faces(image, restorer, None, faces=detector.landmarks(before.astype(np.uint8))),
                       dtype=np.int16)
    assert (given == full).all()


@pytest.mark.slow
def test_gfpgan_restores_a_detected_face_in_place(files):
    restorer, detector = faces.load_restorer(files["gfpgan"]), faces.load_detector(files["detector"])
    image = Image.fromarray(red_face_image())
    _changed_only_at_the_face(np.asarray(image, dtype=np.int16),
                              np.asarray(faces.restore_faces(image, restorer, detector), dtype=np.int16))


def test_no_face_or_visibility_zero_returns_the_image_unchanged(files):
    restorer, detector = faces.Restorer("GFPGAN", Negative(), "cpu"), faces.load_detector(files["detector"])
    plain = Image.new("RGB", (256, 256), (120, 130, 140))
    assert faces.restore_faces(plain, restorer, detector) is plain
    face = Image.fromarray(red_face_image())
    assert faces.restore_faces(face, restorer, detector, visibility=0.0) is face


def test_a_pass_whose_restorer_is_not_one_names_its_field(files, tmp_path):
    other = tmp_path / "esrgan.safetensors"
    save_file({"conv_first.weight": torch.zeros(8, 3, 3, 3)}, str(other))
    restorer = ModelInfo(id="r1", name="GFPGAN", kind="face_restorer", base="tiny", source="store:r")
    detector = ModelInfo(id="d1", name="YuNet", kind="face_detector", base="tiny", source="store:d")
    spec = FaceRestoreSpec(restorer=restorer, detector=detector)
    with pytest.raises(InvalidInput) as caught:
        faces.run_face_passes(Image.fromarray(red_face_image()), [spec], {"r1": other, "d1": files["detector"]})
    assert caught.value.details["field"] == "face_restore.0.restorer"


def test_restore_faces_is_in_the_infotext_and_its_models_are_fetched():
    from easel_proto.v1.jobs import ExtrasSpec, GenerationSpec
    from easel_worker.images import infotext
    from easel_worker.worker import spec_models

    restorer = ModelInfo(id="r1", name="CodeFormer", kind="face_restorer", base="sd15", source="store:r")
    detector = ModelInfo(id="d1", name="YuNet", kind="face_detector", base="sd15", source="store:d")
    model = ModelInfo(id="m1", name="tiny-sd", kind="checkpoint", base="tiny", source="builtin:tiny-sd")
    spec = GenerationSpec(prompt="a face", model=model, sampler="Euler", steps=3, cfg_scale=7.0, width=64,
                          height=64, seeds=[7], face_restore=[FaceRestoreSpec(restorer=restorer, detector=detector)])
    assert "Seed: 7, Face restoration: CodeFormer, Size: 64x64" in infotext(spec, 7)
    assert {m.id for m in spec_models(spec)} == {"m1", "r1", "d1"}
    extras = spec.model_copy(update={"task": "extras", "extras": ExtrasSpec(upscaler="None", scale=1.0),
                                     "face_restore": [FaceRestoreSpec(restorer=restorer, detector=detector,
                                                                      visibility=0.7, codeformer_weight=0.2)]})
    assert infotext(extras, 0).endswith("CodeFormer visibility: 0.7, CodeFormer weight: 0.2")


@pytest.mark.slow
def test_codeformer_weight_changes_the_restored_face(files):
    restorer = faces.load_restorer(files["codeformer"])
    detector = faces.load_detector(files["detector"])
    image = Image.fromarray(red_face_image())
    strong = np.asarray(faces.restore_faces(image, restorer, detector, weight=0.0), dtype=np.int16)
    faithful = np.asarray(faces.restore_faces(image, restorer, detector, weight=1.0), dtype=np.int16)
    assert np.abs(strong - np.asarray(image, dtype=np.int16))[110:210, 110:210].mean() > 1
    assert np.abs(strong - faithful)[110:210, 110:210].mean() > 0.1
