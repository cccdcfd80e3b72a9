from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.sampler import Sampler
from ..models.scheduler import Scheduler
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.prompt_style import PromptStyle
    from ..models.user_settings_webui_options_type_0 import UserSettingsWebuiOptionsType0


T = TypeVar("T", bound="UserSettings")


@_attrs_define
class UserSettings:
    """A user's own defaults for the fields a job leaves out.

    Attributes:
        cfg_scale (float | None | Unset):
        clip_skip (int | None | Unset):
        height (int | None | Unset):
        model (None | str | Unset):
        negative_prompt (None | str | Unset):
        pool (None | str | Unset):
        sampler (None | Sampler | Unset):
        scheduler (None | Scheduler | Unset):
        steps (int | None | Unset):
        styles (list[PromptStyle] | None | Unset):
        vae (None | str | Unset):
        webui_options (None | Unset | UserSettingsWebuiOptionsType0): Web UI options a client set through
            /sdapi/v1/options that Easel keeps but does not act on.
        width (int | None | Unset):
    """

    cfg_scale: float | None | Unset = UNSET
    clip_skip: int | None | Unset = UNSET
    height: int | None | Unset = UNSET
    model: None | str | Unset = UNSET
    negative_prompt: None | str | Unset = UNSET
    pool: None | str | Unset = UNSET
    sampler: None | Sampler | Unset = UNSET
    scheduler: None | Scheduler | Unset = UNSET
    steps: int | None | Unset = UNSET
    styles: list[PromptStyle] | None | Unset = UNSET
    vae: None | str | Unset = UNSET
    webui_options: None | Unset | UserSettingsWebuiOptionsType0 = UNSET
    width: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.user_settings_webui_options_type_0 import UserSettingsWebuiOptionsType0  # noqa: PLC0415

        cfg_scale: float | None | Unset
        if isinstance(self.cfg_scale, Unset):
            cfg_scale = UNSET
        else:
            cfg_scale = self.cfg_scale

        clip_skip: int | None | Unset
        if isinstance(self.clip_skip, Unset):
            clip_skip = UNSET
        else:
            clip_skip = self.clip_skip

        height: int | None | Unset
        if isinstance(self.height, Unset):
            height = UNSET
        else:
            height = self.height

        model: None | str | Unset
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        negative_prompt: None | str | Unset
        if isinstance(self.negative_prompt, Unset):
            negative_prompt = UNSET
        else:
            negative_prompt = self.negative_prompt

        pool: None | str | Unset
        if isinstance(self.pool, Unset):
            pool = UNSET
        else:
            pool = self.pool

        sampler: None | str | Unset
        if isinstance(self.sampler, Unset):
            sampler = UNSET
        elif isinstance(self.sampler, Sampler):
            sampler = self.sampler.value
        else:
            sampler = self.sampler

        scheduler: None | str | Unset
        if isinstance(self.scheduler, Unset):
            scheduler = UNSET
        elif isinstance(self.scheduler, Scheduler):
            scheduler = self.scheduler.value
        else:
            scheduler = self.scheduler

        steps: int | None | Unset
        if isinstance(self.steps, Unset):
            steps = UNSET
        else:
            steps = self.steps

        styles: list[dict[str, Any]] | None | Unset
        if isinstance(self.styles, Unset):
            styles = UNSET
        elif isinstance(self.styles, list):
            styles = []
            for componentsschemas_styles_item_data in self.styles:
                componentsschemas_styles_item = componentsschemas_styles_item_data.to_dict()
                styles.append(componentsschemas_styles_item)

        else:
            styles = self.styles

        vae: None | str | Unset
        if isinstance(self.vae, Unset):
            vae = UNSET
        else:
            vae = self.vae

        webui_options: dict[str, Any] | None | Unset
        if isinstance(self.webui_options, Unset):
            webui_options = UNSET
        elif isinstance(self.webui_options, UserSettingsWebuiOptionsType0):
            webui_options = self.webui_options.to_dict()
        else:
            webui_options = self.webui_options

        width: int | None | Unset
        if isinstance(self.width, Unset):
            width = UNSET
        else:
            width = self.width

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if cfg_scale is not UNSET:
            field_dict["cfg_scale"] = cfg_scale
        if clip_skip is not UNSET:
            field_dict["clip_skip"] = clip_skip
        if height is not UNSET:
            field_dict["height"] = height
        if model is not UNSET:
            field_dict["model"] = model
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt
        if pool is not UNSET:
            field_dict["pool"] = pool
        if sampler is not UNSET:
            field_dict["sampler"] = sampler
        if scheduler is not UNSET:
            field_dict["scheduler"] = scheduler
        if steps is not UNSET:
            field_dict["steps"] = steps
        if styles is not UNSET:
            field_dict["styles"] = styles
        if vae is not UNSET:
            field_dict["vae"] = vae
        if webui_options is not UNSET:
            field_dict["webui_options"] = webui_options
        if width is not UNSET:
            field_dict["width"] = width

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.prompt_style import PromptStyle  # noqa: PLC0415
        from ..models.user_settings_webui_options_type_0 import UserSettingsWebuiOptionsType0  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_cfg_scale(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        cfg_scale = _parse_cfg_scale(d.pop("cfg_scale", UNSET))

        def _parse_clip_skip(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        clip_skip = _parse_clip_skip(d.pop("clip_skip", UNSET))

        def _parse_height(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        height = _parse_height(d.pop("height", UNSET))

        def _parse_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))

        def _parse_negative_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        negative_prompt = _parse_negative_prompt(d.pop("negative_prompt", UNSET))

        def _parse_pool(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        pool = _parse_pool(d.pop("pool", UNSET))

        def _parse_sampler(data: object) -> None | Sampler | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                sampler_type_0 = Sampler(data)

                return sampler_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Sampler | Unset, data)

        sampler = _parse_sampler(d.pop("sampler", UNSET))

        def _parse_scheduler(data: object) -> None | Scheduler | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                scheduler_type_0 = Scheduler(data)

                return scheduler_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Scheduler | Unset, data)

        scheduler = _parse_scheduler(d.pop("scheduler", UNSET))

        def _parse_steps(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        steps = _parse_steps(d.pop("steps", UNSET))

        def _parse_styles(data: object) -> list[PromptStyle] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                styles_type_0 = []
                _styles_type_0 = data
                for componentsschemas_styles_item_data in _styles_type_0:
                    componentsschemas_styles_item = PromptStyle.from_dict(componentsschemas_styles_item_data)

                    styles_type_0.append(componentsschemas_styles_item)

                return styles_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[PromptStyle] | None | Unset, data)

        styles = _parse_styles(d.pop("styles", UNSET))

        def _parse_vae(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        vae = _parse_vae(d.pop("vae", UNSET))

        def _parse_webui_options(data: object) -> None | Unset | UserSettingsWebuiOptionsType0:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                webui_options_type_0 = UserSettingsWebuiOptionsType0.from_dict(data)

                return webui_options_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UserSettingsWebuiOptionsType0, data)

        webui_options = _parse_webui_options(d.pop("webui_options", UNSET))

        def _parse_width(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        width = _parse_width(d.pop("width", UNSET))

        user_settings = cls(
            cfg_scale=cfg_scale,
            clip_skip=clip_skip,
            height=height,
            model=model,
            negative_prompt=negative_prompt,
            pool=pool,
            sampler=sampler,
            scheduler=scheduler,
            steps=steps,
            styles=styles,
            vae=vae,
            webui_options=webui_options,
            width=width,
        )

        return user_settings
