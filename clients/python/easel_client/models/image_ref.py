from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ImageRef")


@_attrs_define
class ImageRef:
    """
    Attributes:
        index (int):
        seed (int):
        link (None | str | Unset): With ?links=true: a time-limited URL that fetches the image without a credential (a
            presigned S3 URL, or a signed gateway URL with the local store).
        link_expires_at (datetime.datetime | None | Unset):
        url (None | str | Unset):
    """

    index: int
    seed: int
    link: None | str | Unset = UNSET
    link_expires_at: datetime.datetime | None | Unset = UNSET
    url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        index = self.index

        seed = self.seed

        link: None | str | Unset
        if isinstance(self.link, Unset):
            link = UNSET
        else:
            link = self.link

        link_expires_at: None | str | Unset
        if isinstance(self.link_expires_at, Unset):
            link_expires_at = UNSET
        elif isinstance(self.link_expires_at, datetime.datetime):
            link_expires_at = self.link_expires_at.isoformat()
        else:
            link_expires_at = self.link_expires_at

        url: None | str | Unset
        if isinstance(self.url, Unset):
            url = UNSET
        else:
            url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "index": index,
                "seed": seed,
            }
        )
        if link is not UNSET:
            field_dict["link"] = link
        if link_expires_at is not UNSET:
            field_dict["link_expires_at"] = link_expires_at
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        index = d.pop("index")

        seed = d.pop("seed")

        def _parse_link(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        link = _parse_link(d.pop("link", UNSET))

        def _parse_link_expires_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                link_expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return link_expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        link_expires_at = _parse_link_expires_at(d.pop("link_expires_at", UNSET))

        def _parse_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        url = _parse_url(d.pop("url", UNSET))

        image_ref = cls(
            index=index,
            seed=seed,
            link=link,
            link_expires_at=link_expires_at,
            url=url,
        )

        image_ref.additional_properties = d
        return image_ref

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
