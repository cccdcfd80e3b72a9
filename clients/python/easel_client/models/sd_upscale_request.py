from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SdUpscaleRequest")


@_attrs_define
class SdUpscaleRequest:
    """The web UI's SD upscale script: the first init image upscaled by `scale` with `upscaler`, split into tiles of the
    job's width x height overlapping by `overlap` pixels, each tile img2img'd with the job's prompt, strength and seeds,
    and the tiles blended back. The result has the upscaled size.

        Attributes:
            overlap (int | None | Unset): Pixels each tile shares with its neighbours, blended linearly. Default: 64.
            scale (float | None | Unset):  Default: 2.0.
            upscaler (None | str | Unset): Lanczos, Nearest, an upscaler model, or None: no upscaling (as the web UI's
                script). Default: 'None'.
    """

    overlap: int | None | Unset = 64
    scale: float | None | Unset = 2.0
    upscaler: None | str | Unset = "None"

    def to_dict(self) -> dict[str, Any]:
        overlap: int | None | Unset
        if isinstance(self.overlap, Unset):
            overlap = UNSET
        else:
            overlap = self.overlap

        scale: float | None | Unset
        if isinstance(self.scale, Unset):
            scale = UNSET
        else:
            scale = self.scale

        upscaler: None | str | Unset
        if isinstance(self.upscaler, Unset):
            upscaler = UNSET
        else:
            upscaler = self.upscaler

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if overlap is not UNSET:
            field_dict["overlap"] = overlap
        if scale is not UNSET:
            field_dict["scale"] = scale
        if upscaler is not UNSET:
            field_dict["upscaler"] = upscaler

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_overlap(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        overlap = _parse_overlap(d.pop("overlap", UNSET))

        def _parse_scale(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        scale = _parse_scale(d.pop("scale", UNSET))

        def _parse_upscaler(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        upscaler = _parse_upscaler(d.pop("upscaler", UNSET))

        sd_upscale_request = cls(
            overlap=overlap,
            scale=scale,
            upscaler=upscaler,
        )

        return sd_upscale_request
