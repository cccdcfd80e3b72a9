from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.lora_item_metadata import LoraItemMetadata


T = TypeVar("T", bound="LoraItem")


@_attrs_define
class LoraItem:
    """
    Attributes:
        alias (str):
        metadata (LoraItemMetadata):
        name (str):
        path (str):
    """

    alias: str
    metadata: LoraItemMetadata
    name: str
    path: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        alias = self.alias

        metadata = self.metadata.to_dict()

        name = self.name

        path = self.path

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "alias": alias,
                "metadata": metadata,
                "name": name,
                "path": path,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.lora_item_metadata import LoraItemMetadata  # noqa: PLC0415

        d = dict(src_dict)
        alias = d.pop("alias")

        metadata = LoraItemMetadata.from_dict(d.pop("metadata"))

        name = d.pop("name")

        path = d.pop("path")

        lora_item = cls(
            alias=alias,
            metadata=metadata,
            name=name,
            path=path,
        )

        lora_item.additional_properties = d
        return lora_item

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
