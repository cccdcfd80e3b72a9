from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="HiresRequest")


@_attrs_define
class HiresRequest:
    """Hires fix: generate small, upscale, then refine with a second img2img pass.

    Attributes:
        denoising_strength (float | None | Unset):  Default: 0.7.
        height (int | None | Unset):
        negative_prompt (None | str | Unset):
        prompt (None | str | Unset):
        scale (float | None | Unset): Upscale factor (default 2) unless width/height are given.
        steps (int | None | Unset): Second-pass steps; 0 or omitted: the first pass's.
        token_merging_ratio (float | None | Unset): Token merging in the hires pass (the web UI's
            token_merging_ratio_hr); null: the first pass's.
        upscaler (None | str | Unset): Latent (default), a latent mode, Lanczos, Nearest or an upscaler model.
        width (int | None | Unset):
    """

    denoising_strength: float | None | Unset = 0.7
    height: int | None | Unset = UNSET
    negative_prompt: None | str | Unset = UNSET
    prompt: None | str | Unset = UNSET
    scale: float | None | Unset = UNSET
    steps: int | None | Unset = UNSET
    token_merging_ratio: float | None | Unset = UNSET
    upscaler: None | str | Unset = UNSET
    width: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        denoising_strength: float | None | Unset
        if isinstance(self.denoising_strength, Unset):
            denoising_strength = UNSET
        else:
            denoising_strength = self.denoising_strength

        height: int | None | Unset
        if isinstance(self.height, Unset):
            height = UNSET
        else:
            height = self.height

        negative_prompt: None | str | Unset
        if isinstance(self.negative_prompt, Unset):
            negative_prompt = UNSET
        else:
            negative_prompt = self.negative_prompt

        prompt: None | str | Unset
        if isinstance(self.prompt, Unset):
            prompt = UNSET
        else:
            prompt = self.prompt

        scale: float | None | Unset
        if isinstance(self.scale, Unset):
            scale = UNSET
        else:
            scale = self.scale

        steps: int | None | Unset
        if isinstance(self.steps, Unset):
            steps = UNSET
        else:
            steps = self.steps

        token_merging_ratio: float | None | Unset
        if isinstance(self.token_merging_ratio, Unset):
            token_merging_ratio = UNSET
        else:
            token_merging_ratio = self.token_merging_ratio

        upscaler: None | str | Unset
        if isinstance(self.upscaler, Unset):
            upscaler = UNSET
        else:
            upscaler = self.upscaler

        width: int | None | Unset
        if isinstance(self.width, Unset):
            width = UNSET
        else:
            width = self.width

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if denoising_strength is not UNSET:
            field_dict["denoising_strength"] = denoising_strength
        if height is not UNSET:
            field_dict["height"] = height
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt
        if prompt is not UNSET:
            field_dict["prompt"] = prompt
        if scale is not UNSET:
            field_dict["scale"] = scale
        if steps is not UNSET:
            field_dict["steps"] = steps
        if token_merging_ratio is not UNSET:
            field_dict["token_merging_ratio"] = token_merging_ratio
        if upscaler is not UNSET:
            field_dict["upscaler"] = upscaler
        if width is not UNSET:
            field_dict["width"] = width

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_denoising_strength(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        denoising_strength = _parse_denoising_strength(d.pop("denoising_strength", UNSET))

        def _parse_height(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        height = _parse_height(d.pop("height", UNSET))

        def _parse_negative_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        negative_prompt = _parse_negative_prompt(d.pop("negative_prompt", UNSET))

        def _parse_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        prompt = _parse_prompt(d.pop("prompt", UNSET))

        def _parse_scale(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        scale = _parse_scale(d.pop("scale", UNSET))

        def _parse_steps(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        steps = _parse_steps(d.pop("steps", UNSET))

        def _parse_token_merging_ratio(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        token_merging_ratio = _parse_token_merging_ratio(d.pop("token_merging_ratio", UNSET))

        def _parse_upscaler(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        upscaler = _parse_upscaler(d.pop("upscaler", UNSET))

        def _parse_width(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        width = _parse_width(d.pop("width", UNSET))

        hires_request = cls(
            denoising_strength=denoising_strength,
            height=height,
            negative_prompt=negative_prompt,
            prompt=prompt,
            scale=scale,
            steps=steps,
            token_merging_ratio=token_merging_ratio,
            upscaler=upscaler,
            width=width,
        )

        return hires_request
