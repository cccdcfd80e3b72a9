from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.training_log_line import TrainingLogLine


T = TypeVar("T", bound="TrainingLogs")


@_attrs_define
class TrainingLogs:
    """A training's log: the lines its trainer published (entries, with `lines` as text), or, where it published none (a
    run that died before it could, or whose lines aged out of the stream), the launcher's last lines of its output
    (`lines` only).

        Attributes:
            lines (list[str]): Each line as text (`LEVEL message` for a published line).
            training_id (str):
            cursor (int | None | Unset): Pass as `after` to get only the lines published since (the `id` of the SSE `log`
                events). Default: 0.
            dropped (int | None | Unset): Lines the trainer left out (too many too fast, or past its cap) in the batches
                read. Default: 0.
            entries (list[TrainingLogLine] | None | Unset): The published lines, oldest first, with their time, level and
                `seq`.
    """

    lines: list[str]
    training_id: str
    cursor: int | None | Unset = 0
    dropped: int | None | Unset = 0
    entries: list[TrainingLogLine] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        lines = self.lines

        training_id = self.training_id

        cursor: int | None | Unset
        if isinstance(self.cursor, Unset):
            cursor = UNSET
        else:
            cursor = self.cursor

        dropped: int | None | Unset
        if isinstance(self.dropped, Unset):
            dropped = UNSET
        else:
            dropped = self.dropped

        entries: list[dict[str, Any]] | None | Unset
        if isinstance(self.entries, Unset):
            entries = UNSET
        elif isinstance(self.entries, list):
            entries = []
            for entries_type_0_item_data in self.entries:
                entries_type_0_item = entries_type_0_item_data.to_dict()
                entries.append(entries_type_0_item)

        else:
            entries = self.entries

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "lines": lines,
                "training_id": training_id,
            }
        )
        if cursor is not UNSET:
            field_dict["cursor"] = cursor
        if dropped is not UNSET:
            field_dict["dropped"] = dropped
        if entries is not UNSET:
            field_dict["entries"] = entries

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.training_log_line import TrainingLogLine  # noqa: PLC0415

        d = dict(src_dict)
        lines = cast(list[str], d.pop("lines"))

        training_id = d.pop("training_id")

        def _parse_cursor(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        cursor = _parse_cursor(d.pop("cursor", UNSET))

        def _parse_dropped(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        dropped = _parse_dropped(d.pop("dropped", UNSET))

        def _parse_entries(data: object) -> list[TrainingLogLine] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                entries_type_0 = []
                _entries_type_0 = data
                for entries_type_0_item_data in _entries_type_0:
                    entries_type_0_item = TrainingLogLine.from_dict(entries_type_0_item_data)

                    entries_type_0.append(entries_type_0_item)

                return entries_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[TrainingLogLine] | None | Unset, data)

        entries = _parse_entries(d.pop("entries", UNSET))

        training_logs = cls(
            lines=lines,
            training_id=training_id,
            cursor=cursor,
            dropped=dropped,
            entries=entries,
        )

        training_logs.additional_properties = d
        return training_logs

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
