"""ControlNet units: preprocessors and their settings, the models and annotators they run for the checkpoint, and
their images; and the units of a `detect` job (/controlnet/detect: each image's preprocessed map)."""

from __future__ import annotations

from easel_gateway.admission.inputs import Inputs
from easel_gateway.admission.registry import Registry
from easel_proto.errors import InvalidInput
from easel_proto.v1 import jobs
from easel_proto.v1.common import Principal
from easel_proto.v1.registry import ModelInfo
from easel_proto.webui import PREPROCESSORS, Preprocessor

Found = tuple[ModelInfo, ModelInfo | None]  # a unit's ControlNet model and its preprocessor's annotator


def preprocessor(module: str, field: str) -> Preprocessor:
    """The preprocessor named `module`; InvalidInput on `field` listing the known ones otherwise."""
    pre = PREPROCESSORS.get(module)
    if pre is None:
        raise InvalidInput(field, f"unknown preprocessor {module!r}; known: {', '.join(PREPROCESSORS)}")
    return pre


def check(units: list[jobs.ControlNetRequest], task: str) -> list[Preprocessor]:
    """Each unit's preprocessor, once its fields are consistent; nothing is looked up or decoded."""
    pres = []
    for i, unit in enumerate(units):
        at = f"controlnets.{i}"
        if unit.model.lower() == "none":
            raise InvalidInput(f"{at}.model", "name a controlnet model (leave the unit out to use none)")
        pres.append(preprocessor(unit.module or "none", f"{at}.module"))
        if unit.image is None and task != "img2img":
            raise InvalidInput(f"{at}.image", "a control image is required (only img2img uses the init image)")
        start, end = unit.guidance_start or 0.0, 1.0 if unit.guidance_end is None else unit.guidance_end
        if start > end:
            raise InvalidInput(f"{at}.guidance_start", f"must not be after guidance_end ({start} > {end})")
    return pres


async def measure(units: list[jobs.ControlNetRequest], inputs: Inputs) -> None:
    """Check each unit's image and mask from their headers."""
    for i, unit in enumerate(units):
        if unit.image:
            await inputs.measure(unit.image, f"controlnets.{i}.image")
        if unit.mask:
            await inputs.measure(unit.mask, f"controlnets.{i}.mask", mode="L")


async def models(units: list[jobs.ControlNetRequest], pres: list[Preprocessor], checkpoint: ModelInfo,
                 caller: Principal, registry: Registry) -> list[Found]:
    """Each unit's ControlNet for the checkpoint's base, and the annotator its preprocessor runs (if any)."""
    found: list[Found] = []
    for i, (unit, pre) in enumerate(zip(units, pres, strict=True)):
        at = f"controlnets.{i}"
        model = await registry.for_checkpoint(unit.model, caller, "controlnet", f"{at}.model", checkpoint)
        annotator = None
        if pre.annotator:
            try:
                annotator = await registry.model(pre.annotator, caller, "annotator", f"{at}.module")
            except InvalidInput:
                raise InvalidInput(f"{at}.module", f"preprocessor {pre.name!r} needs the annotator model "
                                   f"{pre.annotator!r}: import it (kind annotator) first",
                                   annotator=pre.annotator) from None
        found.append((model, annotator))
    return found


def _thresholds(pre: Preprocessor, a: float | None, b: float | None) -> dict[str, float | None]:
    """The preprocessor's thresholds: the values sent within its sliders' ranges, else its defaults."""
    return {"threshold_a": pre.threshold_a.pick(a) if pre.threshold_a else None,
            "threshold_b": pre.threshold_b.pick(b) if pre.threshold_b else None}


async def specs(units: list[jobs.ControlNetRequest], pres: list[Preprocessor], found: list[Found],
                inputs: Inputs) -> list[jobs.ControlNetSpec]:
    """The units as a worker runs them, their images decoded; thresholds and resolution filled in."""
    out: list[jobs.ControlNetSpec] = []
    for i, (unit, pre, (model, annotator)) in enumerate(zip(units, pres, found, strict=True)):
        at = f"controlnets.{i}"
        out.append(jobs.ControlNetSpec(
            model=model, module=pre.name, annotator=annotator,
            image=await inputs.add(unit.image, f"{at}.image") if unit.image else None,
            mask=await inputs.add(unit.mask, f"{at}.mask", mode="L") if unit.mask else None,
            weight=1.0 if unit.weight is None else unit.weight, resize_mode=unit.resize_mode or "crop_and_resize",
            processor_res=unit.processor_res or pre.resolution, **_thresholds(pre, unit.threshold_a, unit.threshold_b),
            guidance_start=unit.guidance_start or 0.0,
            guidance_end=1.0 if unit.guidance_end is None else unit.guidance_end,
            control_mode=unit.control_mode or "balanced", pixel_perfect=bool(unit.pixel_perfect),
        ))
    return out


async def measure_detect(images: list[tuple[str, str]], masks: list[str | None], inputs: Inputs) -> None:
    """Check a detect job's images (each with the field it came in) and masks from their headers."""
    for i, (data, field) in enumerate(images):
        await inputs.measure(data, field)
        if i < len(masks) and masks[i]:
            await inputs.measure(masks[i], f"controlnet_masks.{i}", mode="L")


async def detect_specs(images: list[tuple[str, str]], masks: list[str | None], pre: Preprocessor,
                       processor_res: int | None, thresholds: tuple[float | None, float | None],
                       checkpoint: ModelInfo, annotator: ModelInfo | None, inputs: Inputs) -> list[jobs.ControlNetSpec]:
    """One unit per image of a detect job, its image decoded."""
    units = []
    for i, (data, field) in enumerate(images):
        mask = masks[i] if i < len(masks) else None
        units.append(jobs.ControlNetSpec(
            # the unit's model is not run by a detect job; the spec names the checkpoint in its place
            model=checkpoint, module=pre.name, annotator=annotator, image=await inputs.add(data, field),
            mask=await inputs.add(mask, f"controlnet_masks.{i}", mode="L") if mask else None,
            processor_res=processor_res if processor_res and 64 <= processor_res <= 2048 else pre.resolution,
            **_thresholds(pre, *thresholds)))
    return units
