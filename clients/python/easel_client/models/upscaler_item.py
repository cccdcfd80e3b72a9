from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="UpscalerItem")


@_attrs_define
class UpscalerItem:
    """
    Attributes:
        model_name (None | str):
        model_path (None | str):
        model_url (None | str):
        name (str):
        scale (float):
    """

    model_name: None | str
    model_path: None | str
    model_url: None | str
    name: str
    scale: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        model_name: None | str
        model_name = self.model_name

        model_path: None | str
        model_path = self.model_path

        model_url: None | str
        model_url = self.model_url

        name = self.name

        scale = self.scale

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "model_name": model_name,
                "model_path": model_path,
                "model_url": model_url,
                "name": name,
                "scale": scale,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_model_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        model_name = _parse_model_name(d.pop("model_name"))

        def _parse_model_path(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        model_path = _parse_model_path(d.pop("model_path"))

        def _parse_model_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        model_url = _parse_model_url(d.pop("model_url"))

        name = d.pop("name")

        scale = d.pop("scale")

        upscaler_item = cls(
            model_name=model_name,
            model_path=model_path,
            model_url=model_url,
            name=name,
            scale=scale,
        )

        upscaler_item.additional_properties = d
        return upscaler_item

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
