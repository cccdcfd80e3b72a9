from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.training_samples_sampler_type_0 import TrainingSamplesSamplerType0
from ..types import UNSET, Unset

T = TypeVar("T", bound="TrainingSamples")


@_attrs_define
class TrainingSamples:
    """Images rendered with the model as it trains.

    Attributes:
        cfg_scale (float | None | Unset):  Default: 7.0.
        every (int | None | Unset): Render every this many steps (0: only at the end). Default: 0.
        negative_prompt (None | str | Unset):  Default: ''.
        prompts (list[str] | None | Unset):
        sampler (None | TrainingSamplesSamplerType0 | Unset): The sampler the samples are drawn with (the web UI's
            preview_sampler_name). Default: TrainingSamplesSamplerType0.DPM_2M.
        seed (int | None | Unset):  Default: 0.
        steps (int | None | Unset):  Default: 20.
    """

    cfg_scale: float | None | Unset = 7.0
    every: int | None | Unset = 0
    negative_prompt: None | str | Unset = ""
    prompts: list[str] | None | Unset = UNSET
    sampler: None | TrainingSamplesSamplerType0 | Unset = TrainingSamplesSamplerType0.DPM_2M
    seed: int | None | Unset = 0
    steps: int | None | Unset = 20

    def to_dict(self) -> dict[str, Any]:
        cfg_scale: float | None | Unset
        if isinstance(self.cfg_scale, Unset):
            cfg_scale = UNSET
        else:
            cfg_scale = self.cfg_scale

        every: int | None | Unset
        if isinstance(self.every, Unset):
            every = UNSET
        else:
            every = self.every

        negative_prompt: None | str | Unset
        if isinstance(self.negative_prompt, Unset):
            negative_prompt = UNSET
        else:
            negative_prompt = self.negative_prompt

        prompts: list[str] | None | Unset
        if isinstance(self.prompts, Unset):
            prompts = UNSET
        elif isinstance(self.prompts, list):
            prompts = self.prompts

        else:
            prompts = self.prompts

        sampler: None | str | Unset
        if isinstance(self.sampler, Unset):
            sampler = UNSET
        elif isinstance(self.sampler, TrainingSamplesSamplerType0):
            sampler = self.sampler.value
        else:
            sampler = self.sampler

        seed: int | None | Unset
        if isinstance(self.seed, Unset):
            seed = UNSET
        else:
            seed = self.seed

        steps: int | None | Unset
        if isinstance(self.steps, Unset):
            steps = UNSET
        else:
            steps = self.steps

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if cfg_scale is not UNSET:
            field_dict["cfg_scale"] = cfg_scale
        if every is not UNSET:
            field_dict["every"] = every
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt
        if prompts is not UNSET:
            field_dict["prompts"] = prompts
        if sampler is not UNSET:
            field_dict["sampler"] = sampler
        if seed is not UNSET:
            field_dict["seed"] = seed
        if steps is not UNSET:
            field_dict["steps"] = steps

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_cfg_scale(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        cfg_scale = _parse_cfg_scale(d.pop("cfg_scale", UNSET))

        def _parse_every(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        every = _parse_every(d.pop("every", UNSET))

        def _parse_negative_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        negative_prompt = _parse_negative_prompt(d.pop("negative_prompt", UNSET))

        def _parse_prompts(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                prompts_type_0 = cast(list[str], data)

                return prompts_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        prompts = _parse_prompts(d.pop("prompts", UNSET))

        def _parse_sampler(data: object) -> None | TrainingSamplesSamplerType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                sampler_type_0 = TrainingSamplesSamplerType0(data)

                return sampler_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TrainingSamplesSamplerType0 | Unset, data)

        sampler = _parse_sampler(d.pop("sampler", UNSET))

        def _parse_seed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seed = _parse_seed(d.pop("seed", UNSET))

        def _parse_steps(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        steps = _parse_steps(d.pop("steps", UNSET))

        training_samples = cls(
            cfg_scale=cfg_scale,
            every=every,
            negative_prompt=negative_prompt,
            prompts=prompts,
            sampler=sampler,
            seed=seed,
            steps=steps,
        )

        return training_samples
