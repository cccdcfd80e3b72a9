from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.model_info import ModelInfo


T = TypeVar("T", bound="SdUpscaleSpec")


@_attrs_define
class SdUpscaleSpec:
    """Tiled img2img of the upscaled init image. Image n (seed s = seeds[n]) runs its tiles in batch_size chunks; tile j of
    chunk i gets seed s + i + j (s + i with a variation seed strength) and variation seed subseeds[0] + j, as the web
    UI's script.

        Attributes:
            height (int):
            width (int): The upscaled image's (and the result's) width.
            overlap (int | None | Unset):  Default: 64.
            scale (float | None | Unset):  Default: 2.0.
            upscaler (None | str | Unset):  Default: 'None'.
            upscaler_model (ModelInfo | None | Unset):
    """

    height: int
    width: int
    overlap: int | None | Unset = 64
    scale: float | None | Unset = 2.0
    upscaler: None | str | Unset = "None"
    upscaler_model: ModelInfo | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.model_info import ModelInfo  # noqa: PLC0415

        height = self.height

        width = self.width

        overlap: int | None | Unset
        if isinstance(self.overlap, Unset):
            overlap = UNSET
        else:
            overlap = self.overlap

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

        upscaler_model: dict[str, Any] | None | Unset
        if isinstance(self.upscaler_model, Unset):
            upscaler_model = UNSET
        elif isinstance(self.upscaler_model, ModelInfo):
            upscaler_model = self.upscaler_model.to_dict()
        else:
            upscaler_model = self.upscaler_model

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "height": height,
                "width": width,
            }
        )
        if overlap is not UNSET:
            field_dict["overlap"] = overlap
        if scale is not UNSET:
            field_dict["scale"] = scale
        if upscaler is not UNSET:
            field_dict["upscaler"] = upscaler
        if upscaler_model is not UNSET:
            field_dict["upscaler_model"] = upscaler_model

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.model_info import ModelInfo  # noqa: PLC0415

        d = dict(src_dict)
        height = d.pop("height")

        width = d.pop("width")

        def _parse_overlap(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        overlap = _parse_overlap(d.pop("overlap", UNSET))

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

        sd_upscale_spec = cls(
            height=height,
            width=width,
            overlap=overlap,
            scale=scale,
            upscaler=upscaler,
            upscaler_model=upscaler_model,
        )

        sd_upscale_spec.additional_properties = d
        return sd_upscale_spec

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
