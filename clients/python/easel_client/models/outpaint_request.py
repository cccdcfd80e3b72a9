from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="OutpaintRequest")


@_attrs_define
class OutpaintRequest:
    """Pixels to add on each side; the new area is inpainted.

    Attributes:
        bottom (int | None | Unset):  Default: 0.
        left (int | None | Unset):  Default: 0.
        right (int | None | Unset):  Default: 0.
        top (int | None | Unset):  Default: 0.
    """

    bottom: int | None | Unset = 0
    left: int | None | Unset = 0
    right: int | None | Unset = 0
    top: int | None | Unset = 0

    def to_dict(self) -> dict[str, Any]:
        bottom: int | None | Unset
        if isinstance(self.bottom, Unset):
            bottom = UNSET
        else:
            bottom = self.bottom

        left: int | None | Unset
        if isinstance(self.left, Unset):
            left = UNSET
        else:
            left = self.left

        right: int | None | Unset
        if isinstance(self.right, Unset):
            right = UNSET
        else:
            right = self.right

        top: int | None | Unset
        if isinstance(self.top, Unset):
            top = UNSET
        else:
            top = self.top

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if bottom is not UNSET:
            field_dict["bottom"] = bottom
        if left is not UNSET:
            field_dict["left"] = left
        if right is not UNSET:
            field_dict["right"] = right
        if top is not UNSET:
            field_dict["top"] = top

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_bottom(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        bottom = _parse_bottom(d.pop("bottom", UNSET))

        def _parse_left(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        left = _parse_left(d.pop("left", UNSET))

        def _parse_right(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        right = _parse_right(d.pop("right", UNSET))

        def _parse_top(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        top = _parse_top(d.pop("top", UNSET))

        outpaint_request = cls(
            bottom=bottom,
            left=left,
            right=right,
            top=top,
        )

        return outpaint_request
