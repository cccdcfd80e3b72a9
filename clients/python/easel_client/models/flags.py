from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Flags")


@_attrs_define
class Flags:
    """GET /sdapi/v1/cmd-flags: the web UI's command-line flags, as one started for API use shows them.

    Attributes:
        api (bool):
        api_auth (None | str):
        api_log (bool):
        api_server_stop (bool):
        disable_safe_unpickle (bool):
        enable_insecure_extension_access (bool):
        freeze_settings (bool):
        gradio_auth (None | str):
        hide_ui_dir_config (bool):
        listen (bool):
        lowvram (bool):
        medvram (bool):
        no_half (bool):
        nowebui (bool):
        skip_torch_cuda_test (bool):
        xformers (bool):
    """

    api: bool
    api_auth: None | str
    api_log: bool
    api_server_stop: bool
    disable_safe_unpickle: bool
    enable_insecure_extension_access: bool
    freeze_settings: bool
    gradio_auth: None | str
    hide_ui_dir_config: bool
    listen: bool
    lowvram: bool
    medvram: bool
    no_half: bool
    nowebui: bool
    skip_torch_cuda_test: bool
    xformers: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        api = self.api

        api_auth: None | str
        api_auth = self.api_auth

        api_log = self.api_log

        api_server_stop = self.api_server_stop

        disable_safe_unpickle = self.disable_safe_unpickle

        enable_insecure_extension_access = self.enable_insecure_extension_access

        freeze_settings = self.freeze_settings

        gradio_auth: None | str
        gradio_auth = self.gradio_auth

        hide_ui_dir_config = self.hide_ui_dir_config

        listen = self.listen

        lowvram = self.lowvram

        medvram = self.medvram

        no_half = self.no_half

        nowebui = self.nowebui

        skip_torch_cuda_test = self.skip_torch_cuda_test

        xformers = self.xformers

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "api": api,
                "api_auth": api_auth,
                "api_log": api_log,
                "api_server_stop": api_server_stop,
                "disable_safe_unpickle": disable_safe_unpickle,
                "enable_insecure_extension_access": enable_insecure_extension_access,
                "freeze_settings": freeze_settings,
                "gradio_auth": gradio_auth,
                "hide_ui_dir_config": hide_ui_dir_config,
                "listen": listen,
                "lowvram": lowvram,
                "medvram": medvram,
                "no_half": no_half,
                "nowebui": nowebui,
                "skip_torch_cuda_test": skip_torch_cuda_test,
                "xformers": xformers,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        api = d.pop("api")

        def _parse_api_auth(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        api_auth = _parse_api_auth(d.pop("api_auth"))

        api_log = d.pop("api_log")

        api_server_stop = d.pop("api_server_stop")

        disable_safe_unpickle = d.pop("disable_safe_unpickle")

        enable_insecure_extension_access = d.pop("enable_insecure_extension_access")

        freeze_settings = d.pop("freeze_settings")

        def _parse_gradio_auth(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        gradio_auth = _parse_gradio_auth(d.pop("gradio_auth"))

        hide_ui_dir_config = d.pop("hide_ui_dir_config")

        listen = d.pop("listen")

        lowvram = d.pop("lowvram")

        medvram = d.pop("medvram")

        no_half = d.pop("no_half")

        nowebui = d.pop("nowebui")

        skip_torch_cuda_test = d.pop("skip_torch_cuda_test")

        xformers = d.pop("xformers")

        flags = cls(
            api=api,
            api_auth=api_auth,
            api_log=api_log,
            api_server_stop=api_server_stop,
            disable_safe_unpickle=disable_safe_unpickle,
            enable_insecure_extension_access=enable_insecure_extension_access,
            freeze_settings=freeze_settings,
            gradio_auth=gradio_auth,
            hide_ui_dir_config=hide_ui_dir_config,
            listen=listen,
            lowvram=lowvram,
            medvram=medvram,
            no_half=no_half,
            nowebui=nowebui,
            skip_torch_cuda_test=skip_torch_cuda_test,
            xformers=xformers,
        )

        flags.additional_properties = d
        return flags

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
