from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SchedulerItem")


@_attrs_define
class SchedulerItem:
    """
    Attributes:
        aliases (list[str] | None):
        default_rho (float):
        label (str):
        name (str):
        need_inner_model (bool):
    """

    aliases: list[str] | None
    default_rho: float
    label: str
    name: str
    need_inner_model: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        aliases: list[str] | None
        if isinstance(self.aliases, list):
            aliases = self.aliases

        else:
            aliases = self.aliases

        default_rho = self.default_rho

        label = self.label

        name = self.name

        need_inner_model = self.need_inner_model

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "aliases": aliases,
                "default_rho": default_rho,
                "label": label,
                "name": name,
                "need_inner_model": need_inner_model,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_aliases(data: object) -> list[str] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                aliases_type_0 = cast(list[str], data)

                return aliases_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None, data)

        aliases = _parse_aliases(d.pop("aliases"))

        default_rho = d.pop("default_rho")

        label = d.pop("label")

        name = d.pop("name")

        need_inner_model = d.pop("need_inner_model")

        scheduler_item = cls(
            aliases=aliases,
            default_rho=default_rho,
            label=label,
            name=name,
            need_inner_model=need_inner_model,
        )

        scheduler_item.additional_properties = d
        return scheduler_item

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
