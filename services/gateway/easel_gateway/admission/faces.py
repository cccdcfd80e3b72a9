"""Face restoration passes: each request's restorer (kind face_restorer) and detector (kind face_detector) as the
caller may use them; a missing one is a 422 naming the field and the model to import."""

from __future__ import annotations

from easel_gateway.admission.registry import Registry
from easel_proto.errors import InvalidInput
from easel_proto.v1 import jobs
from easel_proto.v1.common import Principal
from easel_proto.v1.registry import ModelInfo

HINTS = {"face_restorer": "import GFPGAN or CodeFormer weights (.safetensors) as a face_restorer model",
         "face_detector": "import OpenCV's YuNet face detector (its ONNX bytes as the uint8 tensor 'onnx' of a "
                          ".safetensors file) as a face_detector model"}


async def _model(name: str, kind: str, field: str, caller: Principal, registry: Registry) -> ModelInfo:
    try:
        return await registry.model(name, caller, kind, field)
    except InvalidInput as exc:
        if exc.details.get("kind"):  # it exists, as another kind: the registry's message says so
            raise
        label = kind.replace("_", " ")
        raise InvalidInput(field, f"no {label} model {name!r} that you may use; {HINTS[kind]} named {name!r}",
                           model=name) from None


async def resolve(requests: list[jobs.FaceRestoreRequest] | None, caller: Principal,
                  registry: Registry) -> list[jobs.FaceRestoreSpec]:
    """The passes, in order, with their models resolved."""
    out = []
    for i, req in enumerate(requests or []):
        restorer = await _model(req.restorer, "face_restorer", f"face_restore.{i}.restorer", caller, registry)
        detector = await _model(req.detector or "YuNet", "face_detector", f"face_restore.{i}.detector", caller,
                                registry)
        out.append(jobs.FaceRestoreSpec(restorer=restorer, detector=detector,
                                        visibility=1.0 if req.visibility is None else req.visibility,
                                        codeformer_weight=0.5 if req.codeformer_weight is None
                                        else req.codeformer_weight))
    return out
