from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.sampler_item_options import SamplerItemOptions


T = TypeVar("T", bound="SamplerItem")


@_attrs_define
class SamplerItem:
    """
    Attributes:
        aliases (list[str]):
        name (str):
        options (SamplerItemOptions):
    """

    aliases: list[str]
    name: str
    options: SamplerItemOptions
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        aliases = self.aliases

        name = self.name

        options = self.options.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "aliases": aliases,
                "name": name,
                "options": options,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.sampler_item_options import SamplerItemOptions  # noqa: PLC0415

        d = dict(src_dict)
        aliases = cast(list[str], d.pop("aliases"))

        name = d.pop("name")

        options = SamplerItemOptions.from_dict(d.pop("options"))

        sampler_item = cls(
            aliases=aliases,
            name=name,
            options=options,
        )

        sampler_item.additional_properties = d
        return sampler_item

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
