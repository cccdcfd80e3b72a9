"""Refiner and SDXL conditioning: SDXL checkpoints only, refined by another SDXL checkpoint the caller may use."""

from __future__ import annotations

from easel_gateway.admission.registry import Registry
from easel_proto.errors import InvalidInput
from easel_proto.v1 import jobs
from easel_proto.v1.common import Principal
from easel_proto.v1.registry import ModelInfo


def check(body: jobs.JobRequest, model: ModelInfo) -> None:
    """InvalidInput naming the first SDXL-only field a request sets for a checkpoint of another base."""
    for field in ("refiner", "sdxl"):
        value = getattr(body, field)
        if value is not None and model.base != "sdxl":
            named = f"{field}.{min(value.model_fields_set)}" if value.model_fields_set else field
            raise InvalidInput(named, f"applies to SDXL checkpoints only; {model.name!r} is a {model.base} "
                               "checkpoint", base=model.base)


def wants_refiner(body: jobs.JobRequest) -> bool:
    """Whether the job asks for a refiner that would start before its last step."""
    return body.refiner is not None and body.refiner.switch_at < 1


async def refiner(body: jobs.JobRequest, model: ModelInfo, caller: Principal,
                  registry: Registry) -> jobs.RefinerSpec | None:
    """The refiner, unless none is asked for or it would start after the last step."""
    if not wants_refiner(body):
        return None
    found = await registry.for_checkpoint(body.refiner.model, caller, "checkpoint", "refiner.model", model)
    return jobs.RefinerSpec(model=found, switch_at=body.refiner.switch_at)
