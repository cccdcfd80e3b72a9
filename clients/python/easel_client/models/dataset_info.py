from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.dataset_info_visibility_type_0 import DatasetInfoVisibilityType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.dataset_file import DatasetFile


T = TypeVar("T", bound="DatasetInfo")


@_attrs_define
class DatasetInfo:
    """
    Attributes:
        id (str):
        images (int):
        min_side (int): The shorter side of the smallest image, in pixels.
        name (str):
        owner_id (str):
        size (int):
        tenant_id (str):
        created_at (datetime.datetime | None | Unset):
        files (list[DatasetFile] | None | Unset):
        shared_roles (list[str] | None | Unset):
        visibility (DatasetInfoVisibilityType0 | None | Unset):  Default: DatasetInfoVisibilityType0.PRIVATE.
    """

    id: str
    images: int
    min_side: int
    name: str
    owner_id: str
    size: int
    tenant_id: str
    created_at: datetime.datetime | None | Unset = UNSET
    files: list[DatasetFile] | None | Unset = UNSET
    shared_roles: list[str] | None | Unset = UNSET
    visibility: DatasetInfoVisibilityType0 | None | Unset = DatasetInfoVisibilityType0.PRIVATE
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        images = self.images

        min_side = self.min_side

        name = self.name

        owner_id = self.owner_id

        size = self.size

        tenant_id = self.tenant_id

        created_at: None | str | Unset
        if isinstance(self.created_at, Unset):
            created_at = UNSET
        elif isinstance(self.created_at, datetime.datetime):
            created_at = self.created_at.isoformat()
        else:
            created_at = self.created_at

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
        elif isinstance(self.visibility, DatasetInfoVisibilityType0):
            visibility = self.visibility.value
        else:
            visibility = self.visibility

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "images": images,
                "min_side": min_side,
                "name": name,
                "owner_id": owner_id,
                "size": size,
                "tenant_id": tenant_id,
            }
        )
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if files is not UNSET:
            field_dict["files"] = files
        if shared_roles is not UNSET:
            field_dict["shared_roles"] = shared_roles
        if visibility is not UNSET:
            field_dict["visibility"] = visibility

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dataset_file import DatasetFile  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        images = d.pop("images")

        min_side = d.pop("min_side")

        name = d.pop("name")

        owner_id = d.pop("owner_id")

        size = d.pop("size")

        tenant_id = d.pop("tenant_id")

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

        def _parse_files(data: object) -> list[DatasetFile] | None | Unset:
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
                    files_type_0_item = DatasetFile.from_dict(files_type_0_item_data)

                    files_type_0.append(files_type_0_item)

                return files_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[DatasetFile] | None | Unset, data)

        files = _parse_files(d.pop("files", UNSET))

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

        def _parse_visibility(data: object) -> DatasetInfoVisibilityType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                visibility_type_0 = DatasetInfoVisibilityType0(data)

                return visibility_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DatasetInfoVisibilityType0 | None | Unset, data)

        visibility = _parse_visibility(d.pop("visibility", UNSET))

        dataset_info = cls(
            id=id,
            images=images,
            min_side=min_side,
            name=name,
            owner_id=owner_id,
            size=size,
            tenant_id=tenant_id,
            created_at=created_at,
            files=files,
            shared_roles=shared_roles,
            visibility=visibility,
        )

        dataset_info.additional_properties = d
        return dataset_info

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
