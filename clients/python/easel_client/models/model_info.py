from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.model_info_base import ModelInfoBase
from ..models.model_info_format_type_0 import ModelInfoFormatType0
from ..models.model_info_kind import ModelInfoKind
from ..models.model_info_status_type_0 import ModelInfoStatusType0
from ..models.model_info_visibility_type_0 import ModelInfoVisibilityType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.error import Error
    from ..models.model_file import ModelFile
    from ..models.model_info_metadata_type_0 import ModelInfoMetadataType0


T = TypeVar("T", bound="ModelInfo")


@_attrs_define
class ModelInfo:
    """What a worker needs to load a model.

    Attributes:
        base (ModelInfoBase):
        id (str):
        kind (ModelInfoKind):
        name (str):
        source (str): Where the weights live: builtin:NAME, s3://..., hf://...
        bytes_done (int | None | Unset):  Default: 0.
        bytes_total (int | None | Unset):
        created_at (datetime.datetime | None | Unset):
        default_height (int | None | Unset):  Default: 512.
        default_width (int | None | Unset):  Default: 512.
        error (Error | None | Unset):
        files (list[ModelFile] | None | Unset):
        format_ (ModelInfoFormatType0 | None | Unset):  Default: ModelInfoFormatType0.BUILTIN.
        metadata (ModelInfoMetadataType0 | None | Unset): Trigger words, description, preview image key...
        owner_id (None | str | Unset):
        sha256 (None | str | Unset):
        shared_roles (list[str] | None | Unset):
        size (int | None | Unset):
        status (ModelInfoStatusType0 | None | Unset):  Default: ModelInfoStatusType0.READY.
        tenant_id (None | str | Unset):
        title (None | str | Unset): The web UI's title: name [first 8 hex of sha256].
        visibility (ModelInfoVisibilityType0 | None | Unset):  Default: ModelInfoVisibilityType0.PUBLIC.
    """

    base: ModelInfoBase
    id: str
    kind: ModelInfoKind
    name: str
    source: str
    bytes_done: int | None | Unset = 0
    bytes_total: int | None | Unset = UNSET
    created_at: datetime.datetime | None | Unset = UNSET
    default_height: int | None | Unset = 512
    default_width: int | None | Unset = 512
    error: Error | None | Unset = UNSET
    files: list[ModelFile] | None | Unset = UNSET
    format_: ModelInfoFormatType0 | None | Unset = ModelInfoFormatType0.BUILTIN
    metadata: ModelInfoMetadataType0 | None | Unset = UNSET
    owner_id: None | str | Unset = UNSET
    sha256: None | str | Unset = UNSET
    shared_roles: list[str] | None | Unset = UNSET
    size: int | None | Unset = UNSET
    status: ModelInfoStatusType0 | None | Unset = ModelInfoStatusType0.READY
    tenant_id: None | str | Unset = UNSET
    title: None | str | Unset = UNSET
    visibility: ModelInfoVisibilityType0 | None | Unset = ModelInfoVisibilityType0.PUBLIC
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.error import Error  # noqa: PLC0415
        from ..models.model_info_metadata_type_0 import ModelInfoMetadataType0  # noqa: PLC0415

        base = self.base.value

        id = self.id

        kind = self.kind.value

        name = self.name

        source = self.source

        bytes_done: int | None | Unset
        if isinstance(self.bytes_done, Unset):
            bytes_done = UNSET
        else:
            bytes_done = self.bytes_done

        bytes_total: int | None | Unset
        if isinstance(self.bytes_total, Unset):
            bytes_total = UNSET
        else:
            bytes_total = self.bytes_total

        created_at: None | str | Unset
        if isinstance(self.created_at, Unset):
            created_at = UNSET
        elif isinstance(self.created_at, datetime.datetime):
            created_at = self.created_at.isoformat()
        else:
            created_at = self.created_at

        default_height: int | None | Unset
        if isinstance(self.default_height, Unset):
            default_height = UNSET
        else:
            default_height = self.default_height

        default_width: int | None | Unset
        if isinstance(self.default_width, Unset):
            default_width = UNSET
        else:
            default_width = self.default_width

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, Error):
            error = self.error.to_dict()
        else:
            error = self.error

        files: list[dict[str, Any]] | None | Unset
        if isinstance(self.files, Unset):
            files = UNSET
        elif isinstance(self.files, list):
            files = []
            for files_type_0_item_data in self.files:
                files_type_0_item = files_type_0_item_data.to_dict()
                files.append(files_type_0_item)

        else:
            files = self.files

        format_: None | str | Unset
        if isinstance(self.format_, Unset):
            format_ = UNSET
        elif isinstance(self.format_, ModelInfoFormatType0):
            format_ = self.format_.value
        else:
            format_ = self.format_

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, ModelInfoMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        owner_id: None | str | Unset
        if isinstance(self.owner_id, Unset):
            owner_id = UNSET
        else:
            owner_id = self.owner_id

        sha256: None | str | Unset
        if isinstance(self.sha256, Unset):
            sha256 = UNSET
        else:
            sha256 = self.sha256

        shared_roles: list[str] | None | Unset
        if isinstance(self.shared_roles, Unset):
            shared_roles = UNSET
        elif isinstance(self.shared_roles, list):
            shared_roles = self.shared_roles

        else:
            shared_roles = self.shared_roles

        size: int | None | Unset
        if isinstance(self.size, Unset):
            size = UNSET
        else:
            size = self.size

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, ModelInfoStatusType0):
            status = self.status.value
        else:
            status = self.status

        tenant_id: None | str | Unset
        if isinstance(self.tenant_id, Unset):
            tenant_id = UNSET
        else:
            tenant_id = self.tenant_id

        title: None | str | Unset
        if isinstance(self.title, Unset):
            title = UNSET
        else:
            title = self.title

        visibility: None | str | Unset
        if isinstance(self.visibility, Unset):
            visibility = UNSET
        elif isinstance(self.visibility, ModelInfoVisibilityType0):
            visibility = self.visibility.value
        else:
            visibility = self.visibility

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "base": base,
                "id": id,
                "kind": kind,
                "name": name,
                "source": source,
            }
        )
        if bytes_done is not UNSET:
            field_dict["bytes_done"] = bytes_done
        if bytes_total is not UNSET:
            field_dict["bytes_total"] = bytes_total
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if default_height is not UNSET:
            field_dict["default_height"] = default_height
        if default_width is not UNSET:
            field_dict["default_width"] = default_width
        if error is not UNSET:
            field_dict["error"] = error
        if files is not UNSET:
            field_dict["files"] = files
        if format_ is not UNSET:
            field_dict["format"] = format_
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if owner_id is not UNSET:
            field_dict["owner_id"] = owner_id
        if sha256 is not UNSET:
            field_dict["sha256"] = sha256
        if shared_roles is not UNSET:
            field_dict["shared_roles"] = shared_roles
        if size is not UNSET:
            field_dict["size"] = size
        if status is not UNSET:
            field_dict["status"] = status
        if tenant_id is not UNSET:
            field_dict["tenant_id"] = tenant_id
        if title is not UNSET:
            field_dict["title"] = title
        if visibility is not UNSET:
            field_dict["visibility"] = visibility

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.error import Error  # noqa: PLC0415
        from ..models.model_file import ModelFile  # noqa: PLC0415
        from ..models.model_info_metadata_type_0 import ModelInfoMetadataType0  # noqa: PLC0415

        d = dict(src_dict)
        base = ModelInfoBase(d.pop("base"))

        id = d.pop("id")

        kind = ModelInfoKind(d.pop("kind"))

        name = d.pop("name")

        source = d.pop("source")

        def _parse_bytes_done(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        bytes_done = _parse_bytes_done(d.pop("bytes_done", UNSET))

        def _parse_bytes_total(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        bytes_total = _parse_bytes_total(d.pop("bytes_total", UNSET))

        def _parse_created_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                created_at_type_0 = datetime.datetime.fromisoformat(data)

                return created_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        created_at = _parse_created_at(d.pop("created_at", UNSET))

        def _parse_default_height(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        default_height = _parse_default_height(d.pop("default_height", UNSET))

        def _parse_default_width(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        default_width = _parse_default_width(d.pop("default_width", UNSET))

        def _parse_error(data: object) -> Error | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = Error.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Error | None | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_files(data: object) -> list[ModelFile] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                files_type_0 = []
                _files_type_0 = data
                for files_type_0_item_data in _files_type_0:
                    files_type_0_item = ModelFile.from_dict(files_type_0_item_data)

                    files_type_0.append(files_type_0_item)

                return files_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ModelFile] | None | Unset, data)

        files = _parse_files(d.pop("files", UNSET))

        def _parse_format_(data: object) -> ModelInfoFormatType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                format_type_0 = ModelInfoFormatType0(data)

                return format_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModelInfoFormatType0 | None | Unset, data)

        format_ = _parse_format_(d.pop("format", UNSET))

        def _parse_metadata(data: object) -> ModelInfoMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = ModelInfoMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModelInfoMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        def _parse_owner_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        owner_id = _parse_owner_id(d.pop("owner_id", UNSET))

        def _parse_sha256(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sha256 = _parse_sha256(d.pop("sha256", UNSET))

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

        def _parse_size(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        size = _parse_size(d.pop("size", UNSET))

        def _parse_status(data: object) -> ModelInfoStatusType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = ModelInfoStatusType0(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModelInfoStatusType0 | None | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        def _parse_tenant_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tenant_id = _parse_tenant_id(d.pop("tenant_id", UNSET))

        def _parse_title(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        title = _parse_title(d.pop("title", UNSET))

        def _parse_visibility(data: object) -> ModelInfoVisibilityType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                visibility_type_0 = ModelInfoVisibilityType0(data)

                return visibility_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModelInfoVisibilityType0 | None | Unset, data)

        visibility = _parse_visibility(d.pop("visibility", UNSET))

        model_info = cls(
            base=base,
            id=id,
            kind=kind,
            name=name,
            source=source,
            bytes_done=bytes_done,
            bytes_total=bytes_total,
            created_at=created_at,
            default_height=default_height,
            default_width=default_width,
            error=error,
            files=files,
            format_=format_,
            metadata=metadata,
            owner_id=owner_id,
            sha256=sha256,
            shared_roles=shared_roles,
            size=size,
            status=status,
            tenant_id=tenant_id,
            title=title,
            visibility=visibility,
        )

        model_info.additional_properties = d
        return model_info

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
