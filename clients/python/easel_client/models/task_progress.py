from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TaskProgress")


@_attrs_define
class TaskProgress:
    """/internal/progress: a web UI task by the id the client gave it (force_task_id).

    Attributes:
        id_live_preview (int | None | Unset):  Default: -1.
        id_task (None | str | Unset):
        live_preview (bool | None | Unset):  Default: True.
    """

    id_live_preview: int | None | Unset = -1
    id_task: None | str | Unset = UNSET
    live_preview: bool | None | Unset = True
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id_live_preview: int | None | Unset
        if isinstance(self.id_live_preview, Unset):
            id_live_preview = UNSET
        else:
            id_live_preview = self.id_live_preview

        id_task: None | str | Unset
        if isinstance(self.id_task, Unset):
            id_task = UNSET
        else:
            id_task = self.id_task

        live_preview: bool | None | Unset
        if isinstance(self.live_preview, Unset):
            live_preview = UNSET
        else:
            live_preview = self.live_preview

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id_live_preview is not UNSET:
            field_dict["id_live_preview"] = id_live_preview
        if id_task is not UNSET:
            field_dict["id_task"] = id_task
        if live_preview is not UNSET:
            field_dict["live_preview"] = live_preview

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_id_live_preview(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        id_live_preview = _parse_id_live_preview(d.pop("id_live_preview", UNSET))

        def _parse_id_task(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        id_task = _parse_id_task(d.pop("id_task", UNSET))

        def _parse_live_preview(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        live_preview = _parse_live_preview(d.pop("live_preview", UNSET))

        task_progress = cls(
            id_live_preview=id_live_preview,
            id_task=id_task,
            live_preview=live_preview,
        )

        task_progress.additional_properties = d
        return task_progress

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
