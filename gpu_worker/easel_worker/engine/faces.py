"""Face restoration: the web UI's "restore faces" (GFPGAN or CodeFormer) and the extras tab's face passes.

As the web UI (facexlib's FaceRestoreHelper): faces are detected with five landmarks (eyes, nose, mouth corners),
each is warped onto the FFHQ template at 512x512, restored by the network in [-1, 1], warped back and pasted
under a soft, eroded mask. An image in which no face is found is returned unchanged. `visibility` blends the
restored image over the original (0: unchanged).

Models, both imported registry models (nothing is fetched at run time):
- restorer (kind face_restorer): GFPGAN v1.x "clean" or CodeFormer weights as .safetensors, loaded by spandrel
  (GFPGAN) and spandrel_extra_arches (CodeFormer), which detect the architecture from the keys;
- detector (kind face_detector): OpenCV's YuNet face detector, whose ONNX bytes are stored as one uint8 tensor
  named "onnx" in a .safetensors file (the registry keeps safetensors only; ONNX is a protobuf graph, which OpenCV's
  importer reads without running code). facexlib's RetinaFace is not used: it downloads weights at run time and
  needs torchvision's detection ops; OpenCV is already a worker dependency and its FaceDetectorYN gives the same
  five landmarks.
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
from PIL import Image
from safetensors.torch import load_file

from easel_proto.errors import InvalidInput

FACE_SIZE = 512
# facexlib's FFHQ template for a 512x512 face: left eye, right eye (as seen), nose tip, mouth left, mouth right
FACE_TEMPLATE = np.array([[192.98138, 239.94708], [318.90277, 240.19360], [256.63416, 314.01935],
                          [201.26117, 371.41043], [313.08905, 371.15118]], dtype=np.float32)
BORDER = (135, 133, 132)  # facexlib's fill outside the image when a face near the edge is warped
SCORE_THRESHOLD = 0.9  # YuNet's default confidence
RESTORERS = ("GFPGAN", "CodeFormer")
ONNX_TENSOR = "onnx"


@dataclass(frozen=True)
class Restorer:
    """A loaded face restorer: its architecture ("GFPGAN" or "CodeFormer") and network."""

    arch: str
    net: torch.nn.Module
    device: str

    @torch.no_grad()
    def __call__(self, face: torch.Tensor, weight: float) -> torch.Tensor:
        """A (1, 3, 512, 512) face in [-1, 1] restored, in [-1, 1]; `weight` is CodeFormer's fidelity."""
        if self.arch == "CodeFormer":
            out = self.net(face, weight=weight, adain=True)[0]
        else:
            out = self.net(face, return_rgb=False)[0]
        return out.clamp(-1, 1)


def _spandrel() -> tuple[Any, Any]:
    """spandrel's loader and registry, with spandrel_extra_arches (CodeFormer) installed into it.

    spandrel imports torchvision.transforms.functional at import time for two architectures this module never
    runs (LaMa, RestoreFormer). torchvision has no build for the CPU torch wheel the project pins (the CUDA image
    installs it), so where it cannot be imported a stand-in that raises on use serves that import only, and is
    removed from sys.modules afterwards.
    """
    stand_in = None
    if "spandrel" not in sys.modules:
        try:
            import torchvision.transforms.functional  # noqa: F401
        except Exception:  # not installed, or a build for another torch that fails on import
            for name in [n for n in sys.modules if n == "torchvision" or n.startswith("torchvision.")]:
                del sys.modules[name]
            stand_in = _torchvision_stand_in()
    try:
        import spandrel
        import spandrel_extra_arches
    finally:
        for name in stand_in or ():
            sys.modules.pop(name, None)
    if "CodeFormer" not in spandrel.MAIN_REGISTRY:
        spandrel_extra_arches.install(ignore_duplicates=True)
    return spandrel.ModelLoader, spandrel.MAIN_REGISTRY


def _torchvision_stand_in() -> list[str]:
    def unavailable(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("torchvision is not installed")

    functional = types.ModuleType("torchvision.transforms.functional")
    functional.InterpolationMode = type("InterpolationMode", (), {"BILINEAR": "bilinear", "NEAREST": "nearest"})
    functional.rotate = functional.normalize = unavailable
    transforms = types.ModuleType("torchvision.transforms")
    transforms.functional = functional
    root = types.ModuleType("torchvision")
    root.transforms = transforms
    modules = {"torchvision": root, "torchvision.transforms": transforms,
               "torchvision.transforms.functional": functional}
    sys.modules.update(modules)
    return list(modules)


@lru_cache(maxsize=2)
def load_restorer(path: Path, device: str = "cpu") -> Restorer:
    """The GFPGAN or CodeFormer network in the .safetensors file at `path`; ValueError for other weights."""
    loader, _ = _spandrel()
    state = load_file(str(path))
    try:
        descriptor = loader(device=torch.device(device)).load_from_state_dict(state)
    except Exception as exc:  # spandrel's UnsupportedModelError, or shapes that do not fit the architecture
        raise ValueError(f"not GFPGAN or CodeFormer weights ({type(exc).__name__}: {exc})") from None
    arch = descriptor.architecture.id
    if arch not in RESTORERS:
        raise ValueError(f"{arch} weights are not a face restorer Easel runs (GFPGAN or CodeFormer)")
    net = descriptor.model.eval()
    return Restorer(arch, net, device)


def onnx_bytes(path: Path) -> bytes:
    """The detector's ONNX graph, stored as the uint8 tensor "onnx" of a .safetensors file."""
    tensors = load_file(str(path))
    data = tensors.get(ONNX_TENSOR)
    if data is None or data.dtype != torch.uint8 or data.dim() != 1:
        raise ValueError(f"a face detector is one 1-D uint8 tensor named {ONNX_TENSOR!r} holding YuNet's ONNX bytes")
    return data.numpy().tobytes()


class Detector:
    """OpenCV's YuNet face detector on a model read from a .safetensors file."""

    def __init__(self, path: Path) -> None:
        self._model = np.frombuffer(onnx_bytes(path), dtype=np.uint8)
        try:
            self._net = cv2.FaceDetectorYN.create("onnx", self._model, np.empty(0, np.uint8), (320, 320),
                                                  SCORE_THRESHOLD, 0.3, 5000)
        except cv2.error as exc:
            raise ValueError(f"OpenCV cannot read the face detector: {str(exc).strip()[:200]}") from None

    def landmarks(self, rgb: np.ndarray) -> list[np.ndarray]:
        """Each face's five landmarks (5 x 2, as FACE_TEMPLATE orders them), the largest face first."""
        height, width = rgb.shape[:2]
        self._net.setInputSize((width, height))
        _, faces = self._net.detect(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        if faces is None:
            return []
        faces = sorted(faces, key=lambda f: -f[2] * f[3])
        return [np.asarray(f[4:14], dtype=np.float32).reshape(5, 2) for f in faces]


@lru_cache(maxsize=2)
def load_detector(path: Path) -> Detector:
    return Detector(path)


def restore_faces(image: Image.Image, restorer: Restorer, detector: Detector | None, *, visibility: float = 1.0,
                  weight: float = 0.5, faces: list[np.ndarray] | None = None) -> Image.Image:
    """`image` with each detected face restored and blended over it by `visibility`.

    faces: the landmarks to use instead of the detector's (5 x 2 each). No face, or visibility 0: `image` as given.
    """
    if visibility <= 0:
        return image
    rgb = np.asarray(image.convert("RGB"))
    if faces is None:
        faces = detector.landmarks(rgb) if detector is not None else []
    if not faces:
        return image
    out = rgb.astype(np.float32)
    for points in faces:
        out = paste_face(out, restore_crop(rgb, points, restorer, weight), points)
    restored = Image.fromarray(out.round().clip(0, 255).astype(np.uint8))
    if visibility >= 1:
        return restored
    return Image.blend(image.convert("RGB"), restored, visibility)


def _affine(points: np.ndarray) -> np.ndarray:
    """The similarity transform taking the landmarks onto the template (facexlib's LMEDS estimate)."""
    matrix, _ = cv2.estimateAffinePartial2D(points.astype(np.float32), FACE_TEMPLATE, method=cv2.LMEDS)
    if matrix is None:
        raise ValueError("face landmarks are degenerate")
    return matrix


def restore_crop(rgb: np.ndarray, points: np.ndarray, restorer: Restorer, weight: float) -> np.ndarray:
    """The face at `points` aligned to 512x512 and restored (uint8 RGB)."""
    crop = cv2.warpAffine(rgb, _affine(points), (FACE_SIZE, FACE_SIZE), borderMode=cv2.BORDER_CONSTANT,
                          borderValue=BORDER)
    face = torch.from_numpy(crop).permute(2, 0, 1).float().div(127.5).sub(1).unsqueeze(0).to(restorer.device)
    out = restorer(face, weight)[0].float().cpu()
    return out.add(1).mul(127.5).round().clamp(0, 255).byte().permute(1, 2, 0).numpy()


def paste_face(canvas: np.ndarray, face: np.ndarray, points: np.ndarray) -> np.ndarray:
    """`face` (512x512, aligned to the template) warped back onto the float canvas under facexlib's soft mask:
    the warped square eroded and blurred by a twentieth of the face's size."""
    height, width = canvas.shape[:2]
    inverse = cv2.invertAffineTransform(_affine(points))
    back = cv2.warpAffine(face, inverse, (width, height)).astype(np.float32)
    mask = cv2.warpAffine(np.ones((FACE_SIZE, FACE_SIZE), np.float32), inverse, (width, height))
    mask = cv2.erode(mask, np.ones((2, 2), np.uint8))
    edge = int(np.sqrt(float(mask.sum()))) // 20
    if edge > 0:
        mask = cv2.erode(mask, np.ones((edge * 2, edge * 2), np.uint8))
        mask = cv2.GaussianBlur(mask, (edge * 2 + 1, edge * 2 + 1), 0)
    mask = mask[..., None]
    return mask * back + (1 - mask) * canvas


def run_face_passes(image: Image.Image, passes: list[Any], files: dict[str, Path] | Any, device: str = "cpu",
                    field: str = "face_restore") -> Image.Image:
    """`image` through each FaceRestoreSpec in order (the web UI: GFPGAN, then CodeFormer)."""
    from easel_proto.errors import GenerationFailed

    for i, spec in enumerate(passes):
        paths = []
        for model in (spec.restorer, spec.detector):
            path = files.get(model.id)
            if path is None:
                raise GenerationFailed(f"{model.kind} {model.name!r} has not been fetched to this worker",
                                       model=model.id)
            paths.append(path)
        try:
            restorer = load_restorer(paths[0], str(device))
        except ValueError as exc:
            raise InvalidInput(f"{field}.{i}.restorer", f"{spec.restorer.name!r}: {exc}") from None
        try:
            detector = load_detector(paths[1])
        except ValueError as exc:
            raise InvalidInput(f"{field}.{i}.detector", f"{spec.detector.name!r}: {exc}") from None
        image = restore_faces(image, restorer, detector, visibility=1.0 if spec.visibility is None else spec.visibility,
                              weight=0.5 if spec.codeformer_weight is None else spec.codeformer_weight)
    return image
