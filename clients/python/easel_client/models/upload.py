from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.upload_form import UploadForm


T = TypeVar("T", bound="Upload")


@_attrs_define
class Upload:
    """
    Attributes:
        upload_id (str):
        url (str):
        abandon_at (datetime.datetime | None | Unset): Removed then unless imported before
        form (None | Unset | UploadForm): With an S3 object store: upload straight to it
    """

    upload_id: str
    url: str
    abandon_at: datetime.datetime | None | Unset = UNSET
    form: None | Unset | UploadForm = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.upload_form import UploadForm  # noqa: PLC0415

        upload_id = self.upload_id

        url = self.url

        abandon_at: None | str | Unset
        if isinstance(self.abandon_at, Unset):
            abandon_at = UNSET
        elif isinstance(self.abandon_at, datetime.datetime):
            abandon_at = self.abandon_at.isoformat()
        else:
            abandon_at = self.abandon_at

        form: dict[str, Any] | None | Unset
        if isinstance(self.form, Unset):
            form = UNSET
        elif isinstance(self.form, UploadForm):
            form = self.form.to_dict()
        else:
            form = self.form

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "upload_id": upload_id,
                "url": url,
            }
        )
        if abandon_at is not UNSET:
            field_dict["abandon_at"] = abandon_at
        if form is not UNSET:
            field_dict["form"] = form

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.upload_form import UploadForm  # noqa: PLC0415

        d = dict(src_dict)
        upload_id = d.pop("upload_id")

        url = d.pop("url")

        def _parse_abandon_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                abandon_at_type_0 = datetime.datetime.fromisoformat(data)

                return abandon_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        abandon_at = _parse_abandon_at(d.pop("abandon_at", UNSET))

        def _parse_form(data: object) -> None | Unset | UploadForm:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                form_type_0 = UploadForm.from_dict(data)

                return form_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UploadForm, data)

        form = _parse_form(d.pop("form", UNSET))

        upload = cls(
            upload_id=upload_id,
            url=url,
            abandon_at=abandon_at,
            form=form,
        )

        upload.additional_properties = d
        return upload

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
