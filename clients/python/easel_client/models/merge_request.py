from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.merge_request_interp_method_type_0 import MergeRequestInterpMethodType0
from ..types import UNSET, Unset

T = TypeVar("T", bound="MergeRequest")


@_attrs_define
class MergeRequest:
    """POST /v1/models/merge: the web UI's checkpoint merger, with its field names.

    Attributes:
        primary_model_name (str):
        add_merge_recipe (bool | None | Unset):  Default: True.
        bake_in_vae (None | str | Unset):  Default: 'None'.
        checkpoint_format (None | str | Unset): Only safetensors: Easel stores no pickles. Default: 'safetensors'.
        config_source (int | None | Unset): Only 0 (the inputs' own): Easel keeps no .yaml configs. Default: 0.
        copy_metadata_fields (bool | None | Unset):  Default: True.
        custom_name (None | str | Unset):  Default: ''.
        discard_weights (None | str | Unset):  Default: ''.
        interp_method (MergeRequestInterpMethodType0 | None | Unset):  Default:
            MergeRequestInterpMethodType0.WEIGHTED_SUM.
        metadata_json (None | str | Unset):  Default: ''.
        multiplier (float | None | Unset):  Default: 0.3.
        pool (None | str | Unset):
        save_as_half (bool | None | Unset):  Default: False.
        save_metadata (bool | None | Unset):  Default: True.
        secondary_model_name (None | str | Unset):
        tertiary_model_name (None | str | Unset):
    """

    primary_model_name: str
    add_merge_recipe: bool | None | Unset = True
    bake_in_vae: None | str | Unset = "None"
    checkpoint_format: None | str | Unset = "safetensors"
    config_source: int | None | Unset = 0
    copy_metadata_fields: bool | None | Unset = True
    custom_name: None | str | Unset = ""
    discard_weights: None | str | Unset = ""
    interp_method: MergeRequestInterpMethodType0 | None | Unset = MergeRequestInterpMethodType0.WEIGHTED_SUM
    metadata_json: None | str | Unset = ""
    multiplier: float | None | Unset = 0.3
    pool: None | str | Unset = UNSET
    save_as_half: bool | None | Unset = False
    save_metadata: bool | None | Unset = True
    secondary_model_name: None | str | Unset = UNSET
    tertiary_model_name: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        primary_model_name = self.primary_model_name

        add_merge_recipe: bool | None | Unset
        if isinstance(self.add_merge_recipe, Unset):
            add_merge_recipe = UNSET
        else:
            add_merge_recipe = self.add_merge_recipe

        bake_in_vae: None | str | Unset
        if isinstance(self.bake_in_vae, Unset):
            bake_in_vae = UNSET
        else:
            bake_in_vae = self.bake_in_vae

        checkpoint_format: None | str | Unset
        if isinstance(self.checkpoint_format, Unset):
            checkpoint_format = UNSET
        else:
            checkpoint_format = self.checkpoint_format

        config_source: int | None | Unset
        if isinstance(self.config_source, Unset):
            config_source = UNSET
        else:
            config_source = self.config_source

        copy_metadata_fields: bool | None | Unset
        if isinstance(self.copy_metadata_fields, Unset):
            copy_metadata_fields = UNSET
        else:
            copy_metadata_fields = self.copy_metadata_fields

        custom_name: None | str | Unset
        if isinstance(self.custom_name, Unset):
            custom_name = UNSET
        else:
            custom_name = self.custom_name

        discard_weights: None | str | Unset
        if isinstance(self.discard_weights, Unset):
            discard_weights = UNSET
        else:
            discard_weights = self.discard_weights

        interp_method: None | str | Unset
        if isinstance(self.interp_method, Unset):
            interp_method = UNSET
        elif isinstance(self.interp_method, MergeRequestInterpMethodType0):
            interp_method = self.interp_method.value
        else:
            interp_method = self.interp_method

        metadata_json: None | str | Unset
        if isinstance(self.metadata_json, Unset):
            metadata_json = UNSET
        else:
            metadata_json = self.metadata_json

        multiplier: float | None | Unset
        if isinstance(self.multiplier, Unset):
            multiplier = UNSET
        else:
            multiplier = self.multiplier

        pool: None | str | Unset
        if isinstance(self.pool, Unset):
            pool = UNSET
        else:
            pool = self.pool

        save_as_half: bool | None | Unset
        if isinstance(self.save_as_half, Unset):
            save_as_half = UNSET
        else:
            save_as_half = self.save_as_half

        save_metadata: bool | None | Unset
        if isinstance(self.save_metadata, Unset):
            save_metadata = UNSET
        else:
            save_metadata = self.save_metadata

        secondary_model_name: None | str | Unset
        if isinstance(self.secondary_model_name, Unset):
            secondary_model_name = UNSET
        else:
            secondary_model_name = self.secondary_model_name

        tertiary_model_name: None | str | Unset
        if isinstance(self.tertiary_model_name, Unset):
            tertiary_model_name = UNSET
        else:
            tertiary_model_name = self.tertiary_model_name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "primary_model_name": primary_model_name,
            }
        )
        if add_merge_recipe is not UNSET:
            field_dict["add_merge_recipe"] = add_merge_recipe
        if bake_in_vae is not UNSET:
            field_dict["bake_in_vae"] = bake_in_vae
        if checkpoint_format is not UNSET:
            field_dict["checkpoint_format"] = checkpoint_format
        if config_source is not UNSET:
            field_dict["config_source"] = config_source
        if copy_metadata_fields is not UNSET:
            field_dict["copy_metadata_fields"] = copy_metadata_fields
        if custom_name is not UNSET:
            field_dict["custom_name"] = custom_name
        if discard_weights is not UNSET:
            field_dict["discard_weights"] = discard_weights
        if interp_method is not UNSET:
            field_dict["interp_method"] = interp_method
        if metadata_json is not UNSET:
            field_dict["metadata_json"] = metadata_json
        if multiplier is not UNSET:
            field_dict["multiplier"] = multiplier
        if pool is not UNSET:
            field_dict["pool"] = pool
        if save_as_half is not UNSET:
            field_dict["save_as_half"] = save_as_half
        if save_metadata is not UNSET:
            field_dict["save_metadata"] = save_metadata
        if secondary_model_name is not UNSET:
            field_dict["secondary_model_name"] = secondary_model_name
        if tertiary_model_name is not UNSET:
            field_dict["tertiary_model_name"] = tertiary_model_name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        primary_model_name = d.pop("primary_model_name")

        def _parse_add_merge_recipe(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        add_merge_recipe = _parse_add_merge_recipe(d.pop("add_merge_recipe", UNSET))

        def _parse_bake_in_vae(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        bake_in_vae = _parse_bake_in_vae(d.pop("bake_in_vae", UNSET))

        def _parse_checkpoint_format(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        checkpoint_format = _parse_checkpoint_format(d.pop("checkpoint_format", UNSET))

        def _parse_config_source(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        config_source = _parse_config_source(d.pop("config_source", UNSET))

        def _parse_copy_metadata_fields(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        copy_metadata_fields = _parse_copy_metadata_fields(d.pop("copy_metadata_fields", UNSET))

        def _parse_custom_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        custom_name = _parse_custom_name(d.pop("custom_name", UNSET))

        def _parse_discard_weights(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        discard_weights = _parse_discard_weights(d.pop("discard_weights", UNSET))

        def _parse_interp_method(data: object) -> MergeRequestInterpMethodType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                interp_method_type_0 = MergeRequestInterpMethodType0(data)

                return interp_method_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MergeRequestInterpMethodType0 | None | Unset, data)

        interp_method = _parse_interp_method(d.pop("interp_method", UNSET))

        def _parse_metadata_json(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        metadata_json = _parse_metadata_json(d.pop("metadata_json", UNSET))

        def _parse_multiplier(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        multiplier = _parse_multiplier(d.pop("multiplier", UNSET))

        def _parse_pool(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        pool = _parse_pool(d.pop("pool", UNSET))

        def _parse_save_as_half(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        save_as_half = _parse_save_as_half(d.pop("save_as_half", UNSET))

        def _parse_save_metadata(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        save_metadata = _parse_save_metadata(d.pop("save_metadata", UNSET))

        def _parse_secondary_model_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        secondary_model_name = _parse_secondary_model_name(d.pop("secondary_model_name", UNSET))

        def _parse_tertiary_model_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tertiary_model_name = _parse_tertiary_model_name(d.pop("tertiary_model_name", UNSET))

        merge_request = cls(
            primary_model_name=primary_model_name,
            add_merge_recipe=add_merge_recipe,
            bake_in_vae=bake_in_vae,
            checkpoint_format=checkpoint_format,
            config_source=config_source,
            copy_metadata_fields=copy_metadata_fields,
            custom_name=custom_name,
            discard_weights=discard_weights,
            interp_method=interp_method,
            metadata_json=metadata_json,
            multiplier=multiplier,
            pool=pool,
            save_as_half=save_as_half,
            save_metadata=save_metadata,
            secondary_model_name=secondary_model_name,
            tertiary_model_name=tertiary_model_name,
        )

        return merge_request
