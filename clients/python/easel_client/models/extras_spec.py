from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.model_info import ModelInfo


T = TypeVar("T", bound="ExtrasSpec")


@_attrs_define
class ExtrasSpec:
    """
    Attributes:
        crop (bool | None | Unset):  Default: True.
        height (int | None | Unset):
        scale (float | None | Unset):  Default: 2.0.
        upscaler (None | str | Unset):  Default: 'Lanczos'.
        upscaler_2 (None | str | Unset):
        upscaler_2_model (ModelInfo | None | Unset):
        upscaler_2_visibility (float | None | Unset):  Default: 0.0.
        upscaler_model (ModelInfo | None | Unset):
        width (int | None | Unset):
    """

    crop: bool | None | Unset = True
    height: int | None | Unset = UNSET
    scale: float | None | Unset = 2.0
    upscaler: None | str | Unset = "Lanczos"
    upscaler_2: None | str | Unset = UNSET
    upscaler_2_model: ModelInfo | None | Unset = UNSET
    upscaler_2_visibility: float | None | Unset = 0.0
    upscaler_model: ModelInfo | None | Unset = UNSET
    width: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.model_info import ModelInfo  # noqa: PLC0415

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

        upscaler_2_model: dict[str, Any] | None | Unset
        if isinstance(self.upscaler_2_model, Unset):
            upscaler_2_model = UNSET
        elif isinstance(self.upscaler_2_model, ModelInfo):
            upscaler_2_model = self.upscaler_2_model.to_dict()
        else:
            upscaler_2_model = self.upscaler_2_model

        upscaler_2_visibility: float | None | Unset
        if isinstance(self.upscaler_2_visibility, Unset):
            upscaler_2_visibility = UNSET
        else:
            upscaler_2_visibility = self.upscaler_2_visibility

        upscaler_model: dict[str, Any] | None | Unset
        if isinstance(self.upscaler_model, Unset):
            upscaler_model = UNSET
        elif isinstance(self.upscaler_model, ModelInfo):
            upscaler_model = self.upscaler_model.to_dict()
        else:
            upscaler_model = self.upscaler_model

        width: int | None | Unset
        if isinstance(self.width, Unset):
            width = UNSET
        else:
            width = self.width

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
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
        if upscaler_2_model is not UNSET:
            field_dict["upscaler_2_model"] = upscaler_2_model
        if upscaler_2_visibility is not UNSET:
            field_dict["upscaler_2_visibility"] = upscaler_2_visibility
        if upscaler_model is not UNSET:
            field_dict["upscaler_model"] = upscaler_model
        if width is not UNSET:
            field_dict["width"] = width

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.model_info import ModelInfo  # noqa: PLC0415

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

        def _parse_upscaler_2_model(data: object) -> ModelInfo | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                upscaler_2_model_type_0 = ModelInfo.from_dict(data)

                return upscaler_2_model_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModelInfo | None | Unset, data)

        upscaler_2_model = _parse_upscaler_2_model(d.pop("upscaler_2_model", UNSET))

        def _parse_upscaler_2_visibility(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        upscaler_2_visibility = _parse_upscaler_2_visibility(d.pop("upscaler_2_visibility", UNSET))

        def _parse_upscaler_model(data: object) -> ModelInfo | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                upscaler_model_type_0 = ModelInfo.from_dict(data)

                return upscaler_model_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModelInfo | None | Unset, data)

        upscaler_model = _parse_upscaler_model(d.pop("upscaler_model", UNSET))

        def _parse_width(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        width = _parse_width(d.pop("width", UNSET))

        extras_spec = cls(
            crop=crop,
            height=height,
            scale=scale,
            upscaler=upscaler,
            upscaler_2=upscaler_2,
            upscaler_2_model=upscaler_2_model,
            upscaler_2_visibility=upscaler_2_visibility,
            upscaler_model=upscaler_model,
            width=width,
        )

        extras_spec.additional_properties = d
        return extras_spec

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
