from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ScriptsList")


@_attrs_define
class ScriptsList:
    """
    Attributes:
        img2img (list[str]):
        txt2img (list[str]):
    """

    img2img: list[str]
    txt2img: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        img2img = self.img2img

        txt2img = self.txt2img

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "img2img": img2img,
                "txt2img": txt2img,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        img2img = cast(list[str], d.pop("img2img"))

        txt2img = cast(list[str], d.pop("txt2img"))

        scripts_list = cls(
            img2img=img2img,
            txt2img=txt2img,
        )

        scripts_list.additional_properties = d
        return scripts_list

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
