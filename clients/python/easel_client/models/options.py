from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Options")


@_attrs_define
class Options:
    """GET /sdapi/v1/options: the web UI's whole option table (its Options model has a field per option); the
    ones Easel applies are named here, every other comes through as stored (an extension's too).

        Attributes:
            clip_stop_at_last_layers (int): The caller's default CLIP skip
            code_former_weight (float | None): CodeFormer's fidelity, unless override_settings say
            face_restoration_model (None | str): restore_faces' model, unless override_settings say
            return_grid (bool): Whether scripts put their grid first in images
            sd_checkpoint_hash (None | str): That checkpoint's SHA-256; null when it is gone
            sd_model_checkpoint (None | str): The caller's default checkpoint, by its web UI title
            sd_vae (str): The caller's default VAE: a name, Automatic or None
    """

    clip_stop_at_last_layers: int
    code_former_weight: float | None
    face_restoration_model: None | str
    return_grid: bool
    sd_checkpoint_hash: None | str
    sd_model_checkpoint: None | str
    sd_vae: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        clip_stop_at_last_layers = self.clip_stop_at_last_layers

        code_former_weight: float | None
        code_former_weight = self.code_former_weight

        face_restoration_model: None | str
        face_restoration_model = self.face_restoration_model

        return_grid = self.return_grid

        sd_checkpoint_hash: None | str
        sd_checkpoint_hash = self.sd_checkpoint_hash

        sd_model_checkpoint: None | str
        sd_model_checkpoint = self.sd_model_checkpoint

        sd_vae = self.sd_vae

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "CLIP_stop_at_last_layers": clip_stop_at_last_layers,
                "code_former_weight": code_former_weight,
                "face_restoration_model": face_restoration_model,
                "return_grid": return_grid,
                "sd_checkpoint_hash": sd_checkpoint_hash,
                "sd_model_checkpoint": sd_model_checkpoint,
                "sd_vae": sd_vae,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        clip_stop_at_last_layers = d.pop("CLIP_stop_at_last_layers")

        def _parse_code_former_weight(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        code_former_weight = _parse_code_former_weight(d.pop("code_former_weight"))

        def _parse_face_restoration_model(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        face_restoration_model = _parse_face_restoration_model(d.pop("face_restoration_model"))

        return_grid = d.pop("return_grid")

        def _parse_sd_checkpoint_hash(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sd_checkpoint_hash = _parse_sd_checkpoint_hash(d.pop("sd_checkpoint_hash"))

        def _parse_sd_model_checkpoint(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sd_model_checkpoint = _parse_sd_model_checkpoint(d.pop("sd_model_checkpoint"))

        sd_vae = d.pop("sd_vae")

        options = cls(
            clip_stop_at_last_layers=clip_stop_at_last_layers,
            code_former_weight=code_former_weight,
            face_restoration_model=face_restoration_model,
            return_grid=return_grid,
            sd_checkpoint_hash=sd_checkpoint_hash,
            sd_model_checkpoint=sd_model_checkpoint,
            sd_vae=sd_vae,
        )

        options.additional_properties = d
        return options

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
