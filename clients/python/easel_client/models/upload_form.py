from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.upload_form_fields import UploadFormFields


T = TypeVar("T", bound="UploadForm")


@_attrs_define
class UploadForm:
    """POST multipart/form-data to url with these fields first and the file last (S3's browser upload).

    Attributes:
        fields (UploadFormFields):
        url (str):
    """

    fields: UploadFormFields
    url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        fields = self.fields.to_dict()

        url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "fields": fields,
                "url": url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.upload_form_fields import UploadFormFields  # noqa: PLC0415

        d = dict(src_dict)
        fields = UploadFormFields.from_dict(d.pop("fields"))

        url = d.pop("url")

        upload_form = cls(
            fields=fields,
            url=url,
        )

        upload_form.additional_properties = d
        return upload_form

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
