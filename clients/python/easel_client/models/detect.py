from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Detect")


@_attrs_define
class Detect:
    """/controlnet/detect: run a preprocessor on images.

    Attributes:
        controlnet_images (list[str] | None | Unset):
        controlnet_input_images (list[str] | None | Unset):
        controlnet_masks (list[str] | None | Unset):
        controlnet_module (None | str | Unset):  Default: 'none'.
        controlnet_processor_res (int | None | Unset):  Default: 512.
        controlnet_threshold_a (float | None | Unset):  Default: -1.0.
        controlnet_threshold_b (float | None | Unset):  Default: -1.0.
        low_vram (bool | None | Unset):  Default: False.
    """

    controlnet_images: list[str] | None | Unset = UNSET
    controlnet_input_images: list[str] | None | Unset = UNSET
    controlnet_masks: list[str] | None | Unset = UNSET
    controlnet_module: None | str | Unset = "none"
    controlnet_processor_res: int | None | Unset = 512
    controlnet_threshold_a: float | None | Unset = -1.0
    controlnet_threshold_b: float | None | Unset = -1.0
    low_vram: bool | None | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        controlnet_images: list[str] | None | Unset
        if isinstance(self.controlnet_images, Unset):
            controlnet_images = UNSET
        elif isinstance(self.controlnet_images, list):
            controlnet_images = self.controlnet_images

        else:
            controlnet_images = self.controlnet_images

        controlnet_input_images: list[str] | None | Unset
        if isinstance(self.controlnet_input_images, Unset):
            controlnet_input_images = UNSET
        elif isinstance(self.controlnet_input_images, list):
            controlnet_input_images = self.controlnet_input_images

        else:
            controlnet_input_images = self.controlnet_input_images

        controlnet_masks: list[str] | None | Unset
        if isinstance(self.controlnet_masks, Unset):
            controlnet_masks = UNSET
        elif isinstance(self.controlnet_masks, list):
            controlnet_masks = self.controlnet_masks

        else:
            controlnet_masks = self.controlnet_masks

        controlnet_module: None | str | Unset
        if isinstance(self.controlnet_module, Unset):
            controlnet_module = UNSET
        else:
            controlnet_module = self.controlnet_module

        controlnet_processor_res: int | None | Unset
        if isinstance(self.controlnet_processor_res, Unset):
            controlnet_processor_res = UNSET
        else:
            controlnet_processor_res = self.controlnet_processor_res

        controlnet_threshold_a: float | None | Unset
        if isinstance(self.controlnet_threshold_a, Unset):
            controlnet_threshold_a = UNSET
        else:
            controlnet_threshold_a = self.controlnet_threshold_a

        controlnet_threshold_b: float | None | Unset
        if isinstance(self.controlnet_threshold_b, Unset):
            controlnet_threshold_b = UNSET
        else:
            controlnet_threshold_b = self.controlnet_threshold_b

        low_vram: bool | None | Unset
        if isinstance(self.low_vram, Unset):
            low_vram = UNSET
        else:
            low_vram = self.low_vram

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if controlnet_images is not UNSET:
            field_dict["controlnet_images"] = controlnet_images
        if controlnet_input_images is not UNSET:
            field_dict["controlnet_input_images"] = controlnet_input_images
        if controlnet_masks is not UNSET:
            field_dict["controlnet_masks"] = controlnet_masks
        if controlnet_module is not UNSET:
            field_dict["controlnet_module"] = controlnet_module
        if controlnet_processor_res is not UNSET:
            field_dict["controlnet_processor_res"] = controlnet_processor_res
        if controlnet_threshold_a is not UNSET:
            field_dict["controlnet_threshold_a"] = controlnet_threshold_a
        if controlnet_threshold_b is not UNSET:
            field_dict["controlnet_threshold_b"] = controlnet_threshold_b
        if low_vram is not UNSET:
            field_dict["low_vram"] = low_vram

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_controlnet_images(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                controlnet_images_type_0 = cast(list[str], data)

                return controlnet_images_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        controlnet_images = _parse_controlnet_images(d.pop("controlnet_images", UNSET))

        def _parse_controlnet_input_images(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                controlnet_input_images_type_0 = cast(list[str], data)

                return controlnet_input_images_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        controlnet_input_images = _parse_controlnet_input_images(d.pop("controlnet_input_images", UNSET))

        def _parse_controlnet_masks(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                controlnet_masks_type_0 = cast(list[str], data)

                return controlnet_masks_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        controlnet_masks = _parse_controlnet_masks(d.pop("controlnet_masks", UNSET))

        def _parse_controlnet_module(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        controlnet_module = _parse_controlnet_module(d.pop("controlnet_module", UNSET))

        def _parse_controlnet_processor_res(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        controlnet_processor_res = _parse_controlnet_processor_res(d.pop("controlnet_processor_res", UNSET))

        def _parse_controlnet_threshold_a(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        controlnet_threshold_a = _parse_controlnet_threshold_a(d.pop("controlnet_threshold_a", UNSET))

        def _parse_controlnet_threshold_b(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        controlnet_threshold_b = _parse_controlnet_threshold_b(d.pop("controlnet_threshold_b", UNSET))

        def _parse_low_vram(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        low_vram = _parse_low_vram(d.pop("low_vram", UNSET))

        detect = cls(
            controlnet_images=controlnet_images,
            controlnet_input_images=controlnet_input_images,
            controlnet_masks=controlnet_masks,
            controlnet_module=controlnet_module,
            controlnet_processor_res=controlnet_processor_res,
            controlnet_threshold_a=controlnet_threshold_a,
            controlnet_threshold_b=controlnet_threshold_b,
            low_vram=low_vram,
        )

        detect.additional_properties = d
        return detect

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
