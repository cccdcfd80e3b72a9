from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SDModelItem")


@_attrs_define
class SDModelItem:
    """
    Attributes:
        config (None | str):
        filename (str):
        hash_ (None | str):
        model_name (str):
        sha256 (None | str):
        title (str):
    """

    config: None | str
    filename: str
    hash_: None | str
    model_name: str
    sha256: None | str
    title: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        config: None | str
        config = self.config

        filename = self.filename

        hash_: None | str
        hash_ = self.hash_

        model_name = self.model_name

        sha256: None | str
        sha256 = self.sha256

        title = self.title

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "config": config,
                "filename": filename,
                "hash": hash_,
                "model_name": model_name,
                "sha256": sha256,
                "title": title,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_config(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        config = _parse_config(d.pop("config"))

        filename = d.pop("filename")

        def _parse_hash_(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        hash_ = _parse_hash_(d.pop("hash"))

        model_name = d.pop("model_name")

        def _parse_sha256(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sha256 = _parse_sha256(d.pop("sha256"))

        title = d.pop("title")

        sd_model_item = cls(
            config=config,
            filename=filename,
            hash_=hash_,
            model_name=model_name,
            sha256=sha256,
            title=title,
        )

        sd_model_item.additional_properties = d
        return sd_model_item

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
