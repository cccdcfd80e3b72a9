from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ExtrasRequest")


@_attrs_define
class ExtrasRequest:
    """Upscale images without generating (the web UI's extras tab).

    Attributes:
        crop (bool | None | Unset):  Default: True.
        height (int | None | Unset):
        scale (float | None | Unset):  Default: 2.0.
        upscaler (None | str | Unset):  Default: 'Lanczos'.
        upscaler_2 (None | str | Unset):
        upscaler_2_visibility (float | None | Unset):  Default: 0.0.
        width (int | None | Unset):
    """

    crop: bool | None | Unset = True
    height: int | None | Unset = UNSET
    scale: float | None | Unset = 2.0
    upscaler: None | str | Unset = "Lanczos"
    upscaler_2: None | str | Unset = UNSET
    upscaler_2_visibility: float | None | Unset = 0.0
    width: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        crop: bool | None | Unset
        if isinstance(self.crop, Unset):
            crop = UNSET
        else:
            crop = self.crop

        height: int | None | Unset
        if isinstance(self.height, Unset):
            height = UNSET
        else:
            height = self.height

        scale: float | None | Unset
        if isinstance(self.scale, Unset):
            scale = UNSET
        else:
            scale = self.scale

        upscaler: None | str | Unset
        if isinstance(self.upscaler, Unset):
            upscaler = UNSET
        else:
            upscaler = self.upscaler

        upscaler_2: None | str | Unset
        if isinstance(self.upscaler_2, Unset):
            upscaler_2 = UNSET
        else:
            upscaler_2 = self.upscaler_2

        upscaler_2_visibility: float | None | Unset
        if isinstance(self.upscaler_2_visibility, Unset):
            upscaler_2_visibility = UNSET
        else:
            upscaler_2_visibility = self.upscaler_2_visibility

        width: int | None | Unset
        if isinstance(self.width, Unset):
            width = UNSET
        else:
            width = self.width

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if crop is not UNSET:
            field_dict["crop"] = crop
        if height is not UNSET:
            field_dict["height"] = height
        if scale is not UNSET:
            field_dict["scale"] = scale
        if upscaler is not UNSET:
            field_dict["upscaler"] = upscaler
        if upscaler_2 is not UNSET:
            field_dict["upscaler_2"] = upscaler_2
        if upscaler_2_visibility is not UNSET:
            field_dict["upscaler_2_visibility"] = upscaler_2_visibility
        if width is not UNSET:
            field_dict["width"] = width

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_crop(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        crop = _parse_crop(d.pop("crop", UNSET))

        def _parse_height(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        height = _parse_height(d.pop("height", UNSET))

        def _parse_scale(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        scale = _parse_scale(d.pop("scale", UNSET))

        def _parse_upscaler(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        upscaler = _parse_upscaler(d.pop("upscaler", UNSET))

        def _parse_upscaler_2(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        upscaler_2 = _parse_upscaler_2(d.pop("upscaler_2", UNSET))

        def _parse_upscaler_2_visibility(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        upscaler_2_visibility = _parse_upscaler_2_visibility(d.pop("upscaler_2_visibility", UNSET))

        def _parse_width(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        width = _parse_width(d.pop("width", UNSET))

        extras_request = cls(
            crop=crop,
            height=height,
            scale=scale,
            upscaler=upscaler,
            upscaler_2=upscaler_2,
            upscaler_2_visibility=upscaler_2_visibility,
            width=width,
        )

        return extras_request
