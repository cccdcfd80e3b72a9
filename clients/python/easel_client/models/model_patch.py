from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.model_patch_visibility_type_0 import ModelPatchVisibilityType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.model_patch_metadata_type_0 import ModelPatchMetadataType0


T = TypeVar("T", bound="ModelPatch")


@_attrs_define
class ModelPatch:
    """
    Attributes:
        metadata (ModelPatchMetadataType0 | None | Unset):
        name (None | str | Unset):
        shared_roles (list[str] | None | Unset):
        visibility (ModelPatchVisibilityType0 | None | Unset):
    """

    metadata: ModelPatchMetadataType0 | None | Unset = UNSET
    name: None | str | Unset = UNSET
    shared_roles: list[str] | None | Unset = UNSET
    visibility: ModelPatchVisibilityType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.model_patch_metadata_type_0 import ModelPatchMetadataType0  # noqa: PLC0415

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, ModelPatchMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        shared_roles: list[str] | None | Unset
        if isinstance(self.shared_roles, Unset):
            shared_roles = UNSET
        elif isinstance(self.shared_roles, list):
            shared_roles = self.shared_roles

        else:
            shared_roles = self.shared_roles

        visibility: None | str | Unset
        if isinstance(self.visibility, Unset):
            visibility = UNSET
        elif isinstance(self.visibility, ModelPatchVisibilityType0):
            visibility = self.visibility.value
        else:
            visibility = self.visibility

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if name is not UNSET:
            field_dict["name"] = name
        if shared_roles is not UNSET:
            field_dict["shared_roles"] = shared_roles
        if visibility is not UNSET:
            field_dict["visibility"] = visibility

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.model_patch_metadata_type_0 import ModelPatchMetadataType0  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_metadata(data: object) -> ModelPatchMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = ModelPatchMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModelPatchMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_shared_roles(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                shared_roles_type_0 = cast(list[str], data)

                return shared_roles_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        shared_roles = _parse_shared_roles(d.pop("shared_roles", UNSET))

        def _parse_visibility(data: object) -> ModelPatchVisibilityType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                visibility_type_0 = ModelPatchVisibilityType0(data)

                return visibility_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModelPatchVisibilityType0 | None | Unset, data)

        visibility = _parse_visibility(d.pop("visibility", UNSET))

        model_patch = cls(
            metadata=metadata,
            name=name,
            shared_roles=shared_roles,
            visibility=visibility,
        )

        return model_patch
