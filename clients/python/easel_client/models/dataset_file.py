from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DatasetFile")


@_attrs_define
class DatasetFile:
    """One image of a dataset (re-encoded as PNG) in the object store, with its caption.

    Attributes:
        height (int):
        key (str):
        path (str): images/<n>.png
        sha256 (str):
        size (int):
        width (int):
        caption (None | str | Unset): Stored beside the image as images/<n>.txt.
        caption_key (None | str | Unset):
    """

    height: int
    key: str
    path: str
    sha256: str
    size: int
    width: int
    caption: None | str | Unset = UNSET
    caption_key: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        height = self.height

        key = self.key

        path = self.path

        sha256 = self.sha256

        size = self.size

        width = self.width

        caption: None | str | Unset
        if isinstance(self.caption, Unset):
            caption = UNSET
        else:
            caption = self.caption

        caption_key: None | str | Unset
        if isinstance(self.caption_key, Unset):
            caption_key = UNSET
        else:
            caption_key = self.caption_key

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "height": height,
                "key": key,
                "path": path,
                "sha256": sha256,
                "size": size,
                "width": width,
            }
        )
        if caption is not UNSET:
            field_dict["caption"] = caption
        if caption_key is not UNSET:
            field_dict["caption_key"] = caption_key

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        height = d.pop("height")

        key = d.pop("key")

        path = d.pop("path")

        sha256 = d.pop("sha256")

        size = d.pop("size")

        width = d.pop("width")

        def _parse_caption(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        caption = _parse_caption(d.pop("caption", UNSET))

        def _parse_caption_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        caption_key = _parse_caption_key(d.pop("caption_key", UNSET))

        dataset_file = cls(
            height=height,
            key=key,
            path=path,
            sha256=sha256,
            size=size,
            width=width,
            caption=caption,
            caption_key=caption_key,
        )

        dataset_file.additional_properties = d
        return dataset_file

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
