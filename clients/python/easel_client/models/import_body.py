from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.import_body_base import ImportBodyBase
from ..models.import_body_kind import ImportBodyKind
from ..models.import_body_visibility_type_0 import ImportBodyVisibilityType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.import_body_metadata import ImportBodyMetadata
    from ..models.model_source import ModelSource


T = TypeVar("T", bound="ImportBody")


@_attrs_define
class ImportBody:
    """
    Attributes:
        base (ImportBodyBase):
        kind (ImportBodyKind):
        name (str):
        source (ModelSource): Where an import fetches a model from.
        metadata (ImportBodyMetadata | Unset):
        shared_roles (list[str] | Unset):
        visibility (ImportBodyVisibilityType0 | None | Unset):  Default: ImportBodyVisibilityType0.PRIVATE.
    """

    base: ImportBodyBase
    kind: ImportBodyKind
    name: str
    source: ModelSource
    metadata: ImportBodyMetadata | Unset = UNSET
    shared_roles: list[str] | Unset = UNSET
    visibility: ImportBodyVisibilityType0 | None | Unset = ImportBodyVisibilityType0.PRIVATE

    def to_dict(self) -> dict[str, Any]:
        base = self.base.value

        kind = self.kind.value

        name = self.name

        source = self.source.to_dict()

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        shared_roles: list[str] | Unset = UNSET
        if not isinstance(self.shared_roles, Unset):
            shared_roles = self.shared_roles

        visibility: None | str | Unset
        if isinstance(self.visibility, Unset):
            visibility = UNSET
        elif isinstance(self.visibility, ImportBodyVisibilityType0):
            visibility = self.visibility.value
        else:
            visibility = self.visibility

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "base": base,
                "kind": kind,
                "name": name,
                "source": source,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if shared_roles is not UNSET:
            field_dict["shared_roles"] = shared_roles
        if visibility is not UNSET:
            field_dict["visibility"] = visibility

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.import_body_metadata import ImportBodyMetadata  # noqa: PLC0415
        from ..models.model_source import ModelSource  # noqa: PLC0415

        d = dict(src_dict)
        base = ImportBodyBase(d.pop("base"))

        kind = ImportBodyKind(d.pop("kind"))

        name = d.pop("name")

        source = ModelSource.from_dict(d.pop("source"))

        _metadata = d.pop("metadata", UNSET)
        metadata: ImportBodyMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = ImportBodyMetadata.from_dict(_metadata)

        shared_roles = cast(list[str], d.pop("shared_roles", UNSET))

        def _parse_visibility(data: object) -> ImportBodyVisibilityType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                visibility_type_0 = ImportBodyVisibilityType0(data)

                return visibility_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ImportBodyVisibilityType0 | None | Unset, data)

        visibility = _parse_visibility(d.pop("visibility", UNSET))

        import_body = cls(
            base=base,
            kind=kind,
            name=name,
            source=source,
            metadata=metadata,
            shared_roles=shared_roles,
            visibility=visibility,
        )

        return import_body
