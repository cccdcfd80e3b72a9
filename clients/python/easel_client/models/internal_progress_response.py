from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="InternalProgressResponse")


@_attrs_define
class InternalProgressResponse:
    """/internal/progress: a web UI task's progress.

    Attributes:
        active (bool):
        completed (bool):
        eta (float | None):
        id_live_preview (int):
        live_preview (None | str):
        progress (float | None):
        queued (bool):
        textinfo (None | str):
    """

    active: bool
    completed: bool
    eta: float | None
    id_live_preview: int
    live_preview: None | str
    progress: float | None
    queued: bool
    textinfo: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        active = self.active

        completed = self.completed

        eta: float | None
        eta = self.eta

        id_live_preview = self.id_live_preview

        live_preview: None | str
        live_preview = self.live_preview

        progress: float | None
        progress = self.progress

        queued = self.queued

        textinfo: None | str
        textinfo = self.textinfo

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "active": active,
                "completed": completed,
                "eta": eta,
                "id_live_preview": id_live_preview,
                "live_preview": live_preview,
                "progress": progress,
                "queued": queued,
                "textinfo": textinfo,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        active = d.pop("active")

        completed = d.pop("completed")

        def _parse_eta(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        eta = _parse_eta(d.pop("eta"))

        id_live_preview = d.pop("id_live_preview")

        def _parse_live_preview(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        live_preview = _parse_live_preview(d.pop("live_preview"))

        def _parse_progress(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        progress = _parse_progress(d.pop("progress"))

        queued = d.pop("queued")

        def _parse_textinfo(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        textinfo = _parse_textinfo(d.pop("textinfo"))

        internal_progress_response = cls(
            active=active,
            completed=completed,
            eta=eta,
            id_live_preview=id_live_preview,
            live_preview=live_preview,
            progress=progress,
            queued=queued,
            textinfo=textinfo,
        )

        internal_progress_response.additional_properties = d
        return internal_progress_response

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
