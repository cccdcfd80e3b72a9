from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.quotas import Quotas


T = TypeVar("T", bound="Role")


@_attrs_define
class Role:
    """
    Attributes:
        name (str):
        permissions (list[str]):
        quotas (Quotas): Limits on a user; null means not set here (a user's own falls back to their roles', then to the
            deployment's default; null in effect is unlimited). Each value has a sane range.
        builtin (bool | None | Unset):  Default: False.
    """

    name: str
    permissions: list[str]
    quotas: Quotas
    builtin: bool | None | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        permissions = self.permissions

        quotas = self.quotas.to_dict()

        builtin: bool | None | Unset
        if isinstance(self.builtin, Unset):
            builtin = UNSET
        else:
            builtin = self.builtin

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "permissions": permissions,
                "quotas": quotas,
            }
        )
        if builtin is not UNSET:
            field_dict["builtin"] = builtin

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.quotas import Quotas  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        permissions = cast(list[str], d.pop("permissions"))

        quotas = Quotas.from_dict(d.pop("quotas"))

        def _parse_builtin(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        builtin = _parse_builtin(d.pop("builtin", UNSET))

        role = cls(
            name=name,
            permissions=permissions,
            quotas=quotas,
            builtin=builtin,
        )

        role.additional_properties = d
        return role

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
