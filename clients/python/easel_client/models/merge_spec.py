from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.merge_spec_interp_method import MergeSpecInterpMethod
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.merge_spec_metadata_type_0 import MergeSpecMetadataType0
    from ..models.model_info import ModelInfo


T = TypeVar("T", bound="MergeSpec")


@_attrs_define
class MergeSpec:
    """A checkpoint merge as the web UI's merger runs it, every model resolved: the primary is the spec's `model`.

    Attributes:
        interp_method (MergeSpecInterpMethod): Weighted sum: A*(1-M)+B*M; Add difference: A+(B-C)*M; No interpolation: A
            alone (to bake a VAE, convert to fp16, discard weights).
        multiplier (float): M
        name (str): The new model's name (custom_name, else the web UI's generated one).
        add_merge_recipe (bool | None | Unset):  Default: True.
        bake_in_vae (ModelInfo | None | Unset): A VAE whose weights replace the result's.
        copy_metadata_fields (bool | None | Unset):  Default: True.
        discard_weights (None | str | Unset): A regular expression: weights whose names match are left out. Default: ''.
        metadata (MergeSpecMetadataType0 | None | Unset): metadata_json: written into the file's safetensors metadata.
        save_as_half (bool | None | Unset):  Default: False.
        save_metadata (bool | None | Unset):  Default: True.
        secondary (ModelInfo | None | Unset):
        tertiary (ModelInfo | None | Unset):
    """

    interp_method: MergeSpecInterpMethod
    multiplier: float
    name: str
    add_merge_recipe: bool | None | Unset = True
    bake_in_vae: ModelInfo | None | Unset = UNSET
    copy_metadata_fields: bool | None | Unset = True
    discard_weights: None | str | Unset = ""
    metadata: MergeSpecMetadataType0 | None | Unset = UNSET
    save_as_half: bool | None | Unset = False
    save_metadata: bool | None | Unset = True
    secondary: ModelInfo | None | Unset = UNSET
    tertiary: ModelInfo | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.merge_spec_metadata_type_0 import MergeSpecMetadataType0  # noqa: PLC0415
        from ..models.model_info import ModelInfo  # noqa: PLC0415

        interp_method = self.interp_method.value

        multiplier = self.multiplier

        name = self.name

        add_merge_recipe: bool | None | Unset
        if isinstance(self.add_merge_recipe, Unset):
            add_merge_recipe = UNSET
        else:
            add_merge_recipe = self.add_merge_recipe

        bake_in_vae: dict[str, Any] | None | Unset
        if isinstance(self.bake_in_vae, Unset):
            bake_in_vae = UNSET
        elif isinstance(self.bake_in_vae, ModelInfo):
            bake_in_vae = self.bake_in_vae.to_dict()
        else:
            bake_in_vae = self.bake_in_vae

        copy_metadata_fields: bool | None | Unset
        if isinstance(self.copy_metadata_fields, Unset):
            copy_metadata_fields = UNSET
        else:
            copy_metadata_fields = self.copy_metadata_fields

        discard_weights: None | str | Unset
        if isinstance(self.discard_weights, Unset):
            discard_weights = UNSET
        else:
            discard_weights = self.discard_weights

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, MergeSpecMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

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

        secondary: dict[str, Any] | None | Unset
        if isinstance(self.secondary, Unset):
            secondary = UNSET
        elif isinstance(self.secondary, ModelInfo):
            secondary = self.secondary.to_dict()
        else:
            secondary = self.secondary

        tertiary: dict[str, Any] | None | Unset
        if isinstance(self.tertiary, Unset):
            tertiary = UNSET
        elif isinstance(self.tertiary, ModelInfo):
            tertiary = self.tertiary.to_dict()
        else:
            tertiary = self.tertiary

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "interp_method": interp_method,
                "multiplier": multiplier,
                "name": name,
            }
        )
        if add_merge_recipe is not UNSET:
            field_dict["add_merge_recipe"] = add_merge_recipe
        if bake_in_vae is not UNSET:
            field_dict["bake_in_vae"] = bake_in_vae
        if copy_metadata_fields is not UNSET:
            field_dict["copy_metadata_fields"] = copy_metadata_fields
        if discard_weights is not UNSET:
            field_dict["discard_weights"] = discard_weights
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if save_as_half is not UNSET:
            field_dict["save_as_half"] = save_as_half
        if save_metadata is not UNSET:
            field_dict["save_metadata"] = save_metadata
        if secondary is not UNSET:
            field_dict["secondary"] = secondary
        if tertiary is not UNSET:
            field_dict["tertiary"] = tertiary

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.merge_spec_metadata_type_0 import MergeSpecMetadataType0  # noqa: PLC0415
        from ..models.model_info import ModelInfo  # noqa: PLC0415

        d = dict(src_dict)
        interp_method = MergeSpecInterpMethod(d.pop("interp_method"))

        multiplier = d.pop("multiplier")

        name = d.pop("name")

        def _parse_add_merge_recipe(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        add_merge_recipe = _parse_add_merge_recipe(d.pop("add_merge_recipe", UNSET))

        def _parse_bake_in_vae(data: object) -> ModelInfo | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                bake_in_vae_type_0 = ModelInfo.from_dict(data)

                return bake_in_vae_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModelInfo | None | Unset, data)

        bake_in_vae = _parse_bake_in_vae(d.pop("bake_in_vae", UNSET))

        def _parse_copy_metadata_fields(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        copy_metadata_fields = _parse_copy_metadata_fields(d.pop("copy_metadata_fields", UNSET))

        def _parse_discard_weights(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        discard_weights = _parse_discard_weights(d.pop("discard_weights", UNSET))

        def _parse_metadata(data: object) -> MergeSpecMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = MergeSpecMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MergeSpecMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

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

        def _parse_secondary(data: object) -> ModelInfo | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                secondary_type_0 = ModelInfo.from_dict(data)

                return secondary_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModelInfo | None | Unset, data)

        secondary = _parse_secondary(d.pop("secondary", UNSET))

        def _parse_tertiary(data: object) -> ModelInfo | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                tertiary_type_0 = ModelInfo.from_dict(data)

                return tertiary_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModelInfo | None | Unset, data)

        tertiary = _parse_tertiary(d.pop("tertiary", UNSET))

        merge_spec = cls(
            interp_method=interp_method,
            multiplier=multiplier,
            name=name,
            add_merge_recipe=add_merge_recipe,
            bake_in_vae=bake_in_vae,
            copy_metadata_fields=copy_metadata_fields,
            discard_weights=discard_weights,
            metadata=metadata,
            save_as_half=save_as_half,
            save_metadata=save_metadata,
            secondary=secondary,
            tertiary=tertiary,
        )

        return merge_spec
