from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.training_log_line_level import TrainingLogLineLevel
from ..types import UNSET, Unset

T = TypeVar("T", bound="TrainingLogLine")


@_attrs_define
class TrainingLogLine:
    """One line a trainer logged, secrets masked and cut to a bounded length.

    Attributes:
        at (datetime.datetime):
        level (TrainingLogLineLevel):
        text (str):
        seq (int | None | Unset): The stream sequence of the batch it came in (set by the gateway). Default: 0.
    """

    at: datetime.datetime
    level: TrainingLogLineLevel
    text: str
    seq: int | None | Unset = 0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        level = self.level.value

        text = self.text

        seq: int | None | Unset
        if isinstance(self.seq, Unset):
            seq = UNSET
        else:
            seq = self.seq

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "level": level,
                "text": text,
            }
        )
        if seq is not UNSET:
            field_dict["seq"] = seq

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        level = TrainingLogLineLevel(d.pop("level"))

        text = d.pop("text")

        def _parse_seq(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seq = _parse_seq(d.pop("seq", UNSET))

        training_log_line = cls(
            at=at,
            level=level,
            text=text,
            seq=seq,
        )

        training_log_line.additional_properties = d
        return training_log_line

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
