from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from .. import types
from ..models.body_create_dataset_visibility import BodyCreateDatasetVisibility
from ..types import UNSET, Unset

T = TypeVar("T", bound="BodyCreateDataset")


@_attrs_define
class BodyCreateDataset:
    """
    Attributes:
        name (str):
        archive (None | str | Unset): A zip of images, each with an optional caption in <image name>.txt beside it
        captions (list[str] | None | Unset): The images' captions, in the same order (fewer: the rest have none)
        images (list[str] | None | Unset): Images, one part each
        shared_roles (list[str] | None | Unset):
        visibility (BodyCreateDatasetVisibility | Unset):  Default: BodyCreateDatasetVisibility.PRIVATE.
    """

    name: str
    archive: None | str | Unset = UNSET
    captions: list[str] | None | Unset = UNSET
    images: list[str] | None | Unset = UNSET
    shared_roles: list[str] | None | Unset = UNSET
    visibility: BodyCreateDatasetVisibility | Unset = BodyCreateDatasetVisibility.PRIVATE
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        archive: None | str | Unset
        if isinstance(self.archive, Unset):
            archive = UNSET
        else:
            archive = self.archive

        captions: list[str] | None | Unset
        if isinstance(self.captions, Unset):
            captions = UNSET
        elif isinstance(self.captions, list):
            captions = self.captions

        else:
            captions = self.captions

        images: list[str] | None | Unset
        if isinstance(self.images, Unset):
            images = UNSET
        elif isinstance(self.images, list):
            images = self.images

        else:
            images = self.images

        shared_roles: list[str] | None | Unset
        if isinstance(self.shared_roles, Unset):
            shared_roles = UNSET
        elif isinstance(self.shared_roles, list):
            shared_roles = self.shared_roles

        else:
            shared_roles = self.shared_roles

        visibility: str | Unset = UNSET
        if not isinstance(self.visibility, Unset):
            visibility = self.visibility.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
            }
        )
        if archive is not UNSET:
            field_dict["archive"] = archive
        if captions is not UNSET:
            field_dict["captions"] = captions
        if images is not UNSET:
            field_dict["images"] = images
        if shared_roles is not UNSET:
            field_dict["shared_roles"] = shared_roles
        if visibility is not UNSET:
            field_dict["visibility"] = visibility

        return field_dict

    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        files.append(("name", (None, str(self.name).encode(), "text/plain")))

        if not isinstance(self.archive, Unset):
            if isinstance(self.archive, str):
                files.append(("archive", (None, str(self.archive).encode(), "text/plain")))
            else:
                files.append(("archive", (None, str(self.archive).encode(), "text/plain")))

        if not isinstance(self.captions, Unset):
            if isinstance(self.captions, list):
                for captions_type_0_item_element in self.captions:
                    files.append(("captions", (None, str(captions_type_0_item_element).encode(), "text/plain")))
            else:
                files.append(("captions", (None, str(self.captions).encode(), "text/plain")))

        if not isinstance(self.images, Unset):
            if isinstance(self.images, list):
                for images_type_0_item_element in self.images:
                    files.append(("images", (None, str(images_type_0_item_element).encode(), "text/plain")))
            else:
                files.append(("images", (None, str(self.images).encode(), "text/plain")))

        if not isinstance(self.shared_roles, Unset):
            if isinstance(self.shared_roles, list):
                for shared_roles_type_0_item_element in self.shared_roles:
                    files.append(("shared_roles", (None, str(shared_roles_type_0_item_element).encode(), "text/plain")))
            else:
                files.append(("shared_roles", (None, str(self.shared_roles).encode(), "text/plain")))

        if not isinstance(self.visibility, Unset):
            files.append(("visibility", (None, str(self.visibility.value).encode(), "text/plain")))

        for prop_name, prop in self.additional_properties.items():
            files.append((prop_name, (None, str(prop).encode(), "text/plain")))

        return files

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        def _parse_archive(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        archive = _parse_archive(d.pop("archive", UNSET))

        def _parse_captions(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                captions_type_0 = cast(list[str], data)

                return captions_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        captions = _parse_captions(d.pop("captions", UNSET))

        def _parse_images(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                images_type_0 = cast(list[str], data)

                return images_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        images = _parse_images(d.pop("images", UNSET))

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

        _visibility = d.pop("visibility", UNSET)
        visibility: BodyCreateDatasetVisibility | Unset
        if isinstance(_visibility, Unset):
            visibility = UNSET
        else:
            visibility = BodyCreateDatasetVisibility(_visibility)

        body_create_dataset = cls(
            name=name,
            archive=archive,
            captions=captions,
            images=images,
            shared_roles=shared_roles,
            visibility=visibility,
        )

        body_create_dataset.additional_properties = d
        return body_create_dataset

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
