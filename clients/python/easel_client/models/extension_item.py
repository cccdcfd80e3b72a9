from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ExtensionItem")


@_attrs_define
class ExtensionItem:
    """
    Attributes:
        branch (str):
        commit_date (int):
        commit_hash (str):
        enabled (bool):
        name (str):
        remote (str):
        version (str):
    """

    branch: str
    commit_date: int
    commit_hash: str
    enabled: bool
    name: str
    remote: str
    version: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        branch = self.branch

        commit_date = self.commit_date

        commit_hash = self.commit_hash

        enabled = self.enabled

        name = self.name

        remote = self.remote

        version = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "branch": branch,
                "commit_date": commit_date,
                "commit_hash": commit_hash,
                "enabled": enabled,
                "name": name,
                "remote": remote,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        branch = d.pop("branch")

        commit_date = d.pop("commit_date")

        commit_hash = d.pop("commit_hash")

        enabled = d.pop("enabled")

        name = d.pop("name")

        remote = d.pop("remote")

        version = d.pop("version")

        extension_item = cls(
            branch=branch,
            commit_date=commit_date,
            commit_hash=commit_hash,
            enabled=enabled,
            name=name,
            remote=remote,
            version=version,
        )

        extension_item.additional_properties = d
        return extension_item

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
