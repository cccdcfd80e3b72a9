from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.script_arg import ScriptArg


T = TypeVar("T", bound="ScriptInfo")


@_attrs_define
class ScriptInfo:
    """
    Attributes:
        args (list[ScriptArg]):
        is_alwayson (bool):
        is_img2img (bool):
        name (str):
    """

    args: list[ScriptArg]
    is_alwayson: bool
    is_img2img: bool
    name: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        args = []
        for args_item_data in self.args:
            args_item = args_item_data.to_dict()
            args.append(args_item)

        is_alwayson = self.is_alwayson

        is_img2img = self.is_img2img

        name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "args": args,
                "is_alwayson": is_alwayson,
                "is_img2img": is_img2img,
                "name": name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.script_arg import ScriptArg  # noqa: PLC0415

        d = dict(src_dict)
        args = []
        _args = d.pop("args")
        for args_item_data in _args:
            args_item = ScriptArg.from_dict(args_item_data)

            args.append(args_item)

        is_alwayson = d.pop("is_alwayson")

        is_img2img = d.pop("is_img2img")

        name = d.pop("name")

        script_info = cls(
            args=args,
            is_alwayson=is_alwayson,
            is_img2img=is_img2img,
            name=name,
        )

        script_info.additional_properties = d
        return script_info

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
