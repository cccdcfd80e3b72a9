from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.progress_response_state import ProgressResponseState


T = TypeVar("T", bound="ProgressResponse")


@_attrs_define
class ProgressResponse:
    """
    Attributes:
        current_image (None | str):
        eta_relative (float):
        progress (float):
        state (ProgressResponseState):
        textinfo (None | str):
    """

    current_image: None | str
    eta_relative: float
    progress: float
    state: ProgressResponseState
    textinfo: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        current_image: None | str
        current_image = self.current_image

        eta_relative = self.eta_relative

        progress = self.progress

        state = self.state.to_dict()

        textinfo: None | str
        textinfo = self.textinfo

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "current_image": current_image,
                "eta_relative": eta_relative,
                "progress": progress,
                "state": state,
                "textinfo": textinfo,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.progress_response_state import ProgressResponseState  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_current_image(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        current_image = _parse_current_image(d.pop("current_image"))

        eta_relative = d.pop("eta_relative")

        progress = d.pop("progress")

        state = ProgressResponseState.from_dict(d.pop("state"))

        def _parse_textinfo(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        textinfo = _parse_textinfo(d.pop("textinfo"))

        progress_response = cls(
            current_image=current_image,
            eta_relative=eta_relative,
            progress=progress,
            state=state,
            textinfo=textinfo,
        )

        progress_response.additional_properties = d
        return progress_response

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
