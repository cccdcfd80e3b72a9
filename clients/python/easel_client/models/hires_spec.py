from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.model_info import ModelInfo


T = TypeVar("T", bound="HiresSpec")


@_attrs_define
class HiresSpec:
    """
    Attributes:
        height (int):
        steps (int):
        width (int):
        denoising_strength (float | None | Unset):  Default: 0.7.
        negative_prompt (None | str | Unset):  Default: ''.
        prompt (None | str | Unset):  Default: ''.
        token_merging_ratio (float | None | Unset): Token merging in the hires pass, resolved; 0: none. Default: 0.0.
        upscaler (None | str | Unset):  Default: 'Latent'.
        upscaler_model (ModelInfo | None | Unset):
    """

    height: int
    steps: int
    width: int
    denoising_strength: float | None | Unset = 0.7
    negative_prompt: None | str | Unset = ""
    prompt: None | str | Unset = ""
    token_merging_ratio: float | None | Unset = 0.0
    upscaler: None | str | Unset = "Latent"
    upscaler_model: ModelInfo | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.model_info import ModelInfo  # noqa: PLC0415

        height = self.height

        steps = self.steps

        width = self.width

        denoising_strength: float | None | Unset
        if isinstance(self.denoising_strength, Unset):
            denoising_strength = UNSET
        else:
            denoising_strength = self.denoising_strength

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

        upscaler_model: dict[str, Any] | None | Unset
        if isinstance(self.upscaler_model, Unset):
            upscaler_model = UNSET
        elif isinstance(self.upscaler_model, ModelInfo):
            upscaler_model = self.upscaler_model.to_dict()
        else:
            upscaler_model = self.upscaler_model

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "height": height,
                "steps": steps,
                "width": width,
            }
        )
        if denoising_strength is not UNSET:
            field_dict["denoising_strength"] = denoising_strength
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt
        if prompt is not UNSET:
            field_dict["prompt"] = prompt
        if token_merging_ratio is not UNSET:
            field_dict["token_merging_ratio"] = token_merging_ratio
        if upscaler is not UNSET:
            field_dict["upscaler"] = upscaler
        if upscaler_model is not UNSET:
            field_dict["upscaler_model"] = upscaler_model

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.model_info import ModelInfo  # noqa: PLC0415

        d = dict(src_dict)
        height = d.pop("height")

        steps = d.pop("steps")

        width = d.pop("width")

        def _parse_denoising_strength(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        denoising_strength = _parse_denoising_strength(d.pop("denoising_strength", UNSET))

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

        def _parse_upscaler_model(data: object) -> ModelInfo | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                upscaler_model_type_0 = ModelInfo.from_dict(data)

                return upscaler_model_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModelInfo | None | Unset, data)

        upscaler_model = _parse_upscaler_model(d.pop("upscaler_model", UNSET))

        hires_spec = cls(
            height=height,
            steps=steps,
            width=width,
            denoising_strength=denoising_strength,
            negative_prompt=negative_prompt,
            prompt=prompt,
            token_merging_ratio=token_merging_ratio,
            upscaler=upscaler,
            upscaler_model=upscaler_model,
        )

        hires_spec.additional_properties = d
        return hires_spec

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
