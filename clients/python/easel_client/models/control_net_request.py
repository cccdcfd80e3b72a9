from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.control_mode import ControlMode
from ..models.resize_mode import ResizeMode
from ..types import UNSET, Unset

T = TypeVar("T", bound="ControlNetRequest")


@_attrs_define
class ControlNetRequest:
    """One ControlNet unit as a client names it.

    Attributes:
        model (str): A controlnet model by name, title or id.
        control_mode (ControlMode | None | Unset):  Default: ControlMode.BALANCED.
        guidance_end (float | None | Unset):  Default: 1.0.
        guidance_start (float | None | Unset):  Default: 0.0.
        image (None | str | Unset): The control image; omitted on img2img: the init image.
        mask (None | str | Unset):
        module (None | str | Unset): Preprocessor: none, invert, canny, scribble_xdog, scribble_hed, ... Default:
            'none'.
        pixel_perfect (bool | None | Unset):  Default: False.
        processor_res (int | None | Unset):
        resize_mode (None | ResizeMode | Unset):  Default: ResizeMode.CROP_AND_RESIZE.
        threshold_a (float | None | Unset):
        threshold_b (float | None | Unset):
        weight (float | None | Unset):  Default: 1.0.
    """

    model: str
    control_mode: ControlMode | None | Unset = ControlMode.BALANCED
    guidance_end: float | None | Unset = 1.0
    guidance_start: float | None | Unset = 0.0
    image: None | str | Unset = UNSET
    mask: None | str | Unset = UNSET
    module: None | str | Unset = "none"
    pixel_perfect: bool | None | Unset = False
    processor_res: int | None | Unset = UNSET
    resize_mode: None | ResizeMode | Unset = ResizeMode.CROP_AND_RESIZE
    threshold_a: float | None | Unset = UNSET
    threshold_b: float | None | Unset = UNSET
    weight: float | None | Unset = 1.0

    def to_dict(self) -> dict[str, Any]:
        model = self.model

        control_mode: None | str | Unset
        if isinstance(self.control_mode, Unset):
            control_mode = UNSET
        elif isinstance(self.control_mode, ControlMode):
            control_mode = self.control_mode.value
        else:
            control_mode = self.control_mode

        guidance_end: float | None | Unset
        if isinstance(self.guidance_end, Unset):
            guidance_end = UNSET
        else:
            guidance_end = self.guidance_end

        guidance_start: float | None | Unset
        if isinstance(self.guidance_start, Unset):
            guidance_start = UNSET
        else:
            guidance_start = self.guidance_start

        image: None | str | Unset
        if isinstance(self.image, Unset):
            image = UNSET
        else:
            image = self.image

        mask: None | str | Unset
        if isinstance(self.mask, Unset):
            mask = UNSET
        else:
            mask = self.mask

        module: None | str | Unset
        if isinstance(self.module, Unset):
            module = UNSET
        else:
            module = self.module

        pixel_perfect: bool | None | Unset
        if isinstance(self.pixel_perfect, Unset):
            pixel_perfect = UNSET
        else:
            pixel_perfect = self.pixel_perfect

        processor_res: int | None | Unset
        if isinstance(self.processor_res, Unset):
            processor_res = UNSET
        else:
            processor_res = self.processor_res

        resize_mode: None | str | Unset
        if isinstance(self.resize_mode, Unset):
            resize_mode = UNSET
        elif isinstance(self.resize_mode, ResizeMode):
            resize_mode = self.resize_mode.value
        else:
            resize_mode = self.resize_mode

        threshold_a: float | None | Unset
        if isinstance(self.threshold_a, Unset):
            threshold_a = UNSET
        else:
            threshold_a = self.threshold_a

        threshold_b: float | None | Unset
        if isinstance(self.threshold_b, Unset):
            threshold_b = UNSET
        else:
            threshold_b = self.threshold_b

        weight: float | None | Unset
        if isinstance(self.weight, Unset):
            weight = UNSET
        else:
            weight = self.weight

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "model": model,
            }
        )
        if control_mode is not UNSET:
            field_dict["control_mode"] = control_mode
        if guidance_end is not UNSET:
            field_dict["guidance_end"] = guidance_end
        if guidance_start is not UNSET:
            field_dict["guidance_start"] = guidance_start
        if image is not UNSET:
            field_dict["image"] = image
        if mask is not UNSET:
            field_dict["mask"] = mask
        if module is not UNSET:
            field_dict["module"] = module
        if pixel_perfect is not UNSET:
            field_dict["pixel_perfect"] = pixel_perfect
        if processor_res is not UNSET:
            field_dict["processor_res"] = processor_res
        if resize_mode is not UNSET:
            field_dict["resize_mode"] = resize_mode
        if threshold_a is not UNSET:
            field_dict["threshold_a"] = threshold_a
        if threshold_b is not UNSET:
            field_dict["threshold_b"] = threshold_b
        if weight is not UNSET:
            field_dict["weight"] = weight

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        model = d.pop("model")

        def _parse_control_mode(data: object) -> ControlMode | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                control_mode_type_0 = ControlMode(data)

                return control_mode_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ControlMode | None | Unset, data)

        control_mode = _parse_control_mode(d.pop("control_mode", UNSET))

        def _parse_guidance_end(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        guidance_end = _parse_guidance_end(d.pop("guidance_end", UNSET))

        def _parse_guidance_start(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        guidance_start = _parse_guidance_start(d.pop("guidance_start", UNSET))

        def _parse_image(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        image = _parse_image(d.pop("image", UNSET))

        def _parse_mask(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        mask = _parse_mask(d.pop("mask", UNSET))

        def _parse_module(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        module = _parse_module(d.pop("module", UNSET))

        def _parse_pixel_perfect(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        pixel_perfect = _parse_pixel_perfect(d.pop("pixel_perfect", UNSET))

        def _parse_processor_res(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        processor_res = _parse_processor_res(d.pop("processor_res", UNSET))

        def _parse_resize_mode(data: object) -> None | ResizeMode | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resize_mode_type_0 = ResizeMode(data)

                return resize_mode_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ResizeMode | Unset, data)

        resize_mode = _parse_resize_mode(d.pop("resize_mode", UNSET))

        def _parse_threshold_a(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        threshold_a = _parse_threshold_a(d.pop("threshold_a", UNSET))

        def _parse_threshold_b(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        threshold_b = _parse_threshold_b(d.pop("threshold_b", UNSET))

        def _parse_weight(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        weight = _parse_weight(d.pop("weight", UNSET))

        control_net_request = cls(
            model=model,
            control_mode=control_mode,
            guidance_end=guidance_end,
            guidance_start=guidance_start,
            image=image,
            mask=mask,
            module=module,
            pixel_perfect=pixel_perfect,
            processor_res=processor_res,
            resize_mode=resize_mode,
            threshold_a=threshold_a,
            threshold_b=threshold_b,
            weight=weight,
        )

        return control_net_request
