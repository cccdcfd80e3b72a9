from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SdxlConditioning")


@_attrs_define
class SdxlConditioning:
    """SDXL's size and aesthetic conditioning; SDXL checkpoints only.

    Attributes:
        aesthetic_score (float | None | Unset): For refiners trained with aesthetic scores (the web UI's
            sdxl_refiner_high_aesthetic_score). Default: 6.0.
        crop_left (int | None | Unset): The crop the model is told the source had (the web UI's sdxl_crop_left).
            Default: 0.
        crop_top (int | None | Unset):  Default: 0.
        negative_aesthetic_score (float | None | Unset):  Default: 2.5.
        original_height (int | None | Unset):
        original_width (int | None | Unset): The size the model is told the source image had; omitted: the output's.
    """

    aesthetic_score: float | None | Unset = 6.0
    crop_left: int | None | Unset = 0
    crop_top: int | None | Unset = 0
    negative_aesthetic_score: float | None | Unset = 2.5
    original_height: int | None | Unset = UNSET
    original_width: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        aesthetic_score: float | None | Unset
        if isinstance(self.aesthetic_score, Unset):
            aesthetic_score = UNSET
        else:
            aesthetic_score = self.aesthetic_score

        crop_left: int | None | Unset
        if isinstance(self.crop_left, Unset):
            crop_left = UNSET
        else:
            crop_left = self.crop_left

        crop_top: int | None | Unset
        if isinstance(self.crop_top, Unset):
            crop_top = UNSET
        else:
            crop_top = self.crop_top

        negative_aesthetic_score: float | None | Unset
        if isinstance(self.negative_aesthetic_score, Unset):
            negative_aesthetic_score = UNSET
        else:
            negative_aesthetic_score = self.negative_aesthetic_score

        original_height: int | None | Unset
        if isinstance(self.original_height, Unset):
            original_height = UNSET
        else:
            original_height = self.original_height

        original_width: int | None | Unset
        if isinstance(self.original_width, Unset):
            original_width = UNSET
        else:
            original_width = self.original_width

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if aesthetic_score is not UNSET:
            field_dict["aesthetic_score"] = aesthetic_score
        if crop_left is not UNSET:
            field_dict["crop_left"] = crop_left
        if crop_top is not UNSET:
            field_dict["crop_top"] = crop_top
        if negative_aesthetic_score is not UNSET:
            field_dict["negative_aesthetic_score"] = negative_aesthetic_score
        if original_height is not UNSET:
            field_dict["original_height"] = original_height
        if original_width is not UNSET:
            field_dict["original_width"] = original_width

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_aesthetic_score(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        aesthetic_score = _parse_aesthetic_score(d.pop("aesthetic_score", UNSET))

        def _parse_crop_left(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        crop_left = _parse_crop_left(d.pop("crop_left", UNSET))

        def _parse_crop_top(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        crop_top = _parse_crop_top(d.pop("crop_top", UNSET))

        def _parse_negative_aesthetic_score(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        negative_aesthetic_score = _parse_negative_aesthetic_score(d.pop("negative_aesthetic_score", UNSET))

        def _parse_original_height(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        original_height = _parse_original_height(d.pop("original_height", UNSET))

        def _parse_original_width(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        original_width = _parse_original_width(d.pop("original_width", UNSET))

        sdxl_conditioning = cls(
            aesthetic_score=aesthetic_score,
            crop_left=crop_left,
            crop_top=crop_top,
            negative_aesthetic_score=negative_aesthetic_score,
            original_height=original_height,
            original_width=original_width,
        )

        return sdxl_conditioning
