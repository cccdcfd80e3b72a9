from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateEmbedding")


@_attrs_define
class CreateEmbedding:
    """
    Attributes:
        name (str):
        init_text (str | Unset):  Default: '*'.
        num_vectors_per_token (int | Unset):  Default: 1.
        overwrite_old (bool | Unset):  Default: False.
    """

    name: str
    init_text: str | Unset = "*"
    num_vectors_per_token: int | Unset = 1
    overwrite_old: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        init_text = self.init_text

        num_vectors_per_token = self.num_vectors_per_token

        overwrite_old = self.overwrite_old

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
            }
        )
        if init_text is not UNSET:
            field_dict["init_text"] = init_text
        if num_vectors_per_token is not UNSET:
            field_dict["num_vectors_per_token"] = num_vectors_per_token
        if overwrite_old is not UNSET:
            field_dict["overwrite_old"] = overwrite_old

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        init_text = d.pop("init_text", UNSET)

        num_vectors_per_token = d.pop("num_vectors_per_token", UNSET)

        overwrite_old = d.pop("overwrite_old", UNSET)

        create_embedding = cls(
            name=name,
            init_text=init_text,
            num_vectors_per_token=num_vectors_per_token,
            overwrite_old=overwrite_old,
        )

        create_embedding.additional_properties = d
        return create_embedding

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
