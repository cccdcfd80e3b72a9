from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.web_ui_error_body_details import WebUIErrorBodyDetails


T = TypeVar("T", bound="WebUIErrorBody")


@_attrs_define
class WebUIErrorBody:
    """The web UI's error body, with Easel's code and details beside it.

    Attributes:
        body (str):
        code (str):
        detail (str):
        details (WebUIErrorBodyDetails):
        error (str):
        errors (str):
    """

    body: str
    code: str
    detail: str
    details: WebUIErrorBodyDetails
    error: str
    errors: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        body = self.body

        code = self.code

        detail = self.detail

        details = self.details.to_dict()

        error = self.error

        errors = self.errors

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "body": body,
                "code": code,
                "detail": detail,
                "details": details,
                "error": error,
                "errors": errors,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.web_ui_error_body_details import WebUIErrorBodyDetails  # noqa: PLC0415

        d = dict(src_dict)
        body = d.pop("body")

        code = d.pop("code")

        detail = d.pop("detail")

        details = WebUIErrorBodyDetails.from_dict(d.pop("details"))

        error = d.pop("error")

        errors = d.pop("errors")

        web_ui_error_body = cls(
            body=body,
            code=code,
            detail=detail,
            details=details,
            error=error,
            errors=errors,
        )

        web_ui_error_body.additional_properties = d
        return web_ui_error_body

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
