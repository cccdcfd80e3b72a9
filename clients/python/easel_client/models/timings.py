from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Timings")


@_attrs_define
class Timings:
    """
    Attributes:
        generation_s (float | None | Unset):
        load_s (float | None | Unset):
        queue_s (float | None | Unset):
        steps_per_s (float | None | Unset):
        total_s (float | None | Unset):
    """

    generation_s: float | None | Unset = UNSET
    load_s: float | None | Unset = UNSET
    queue_s: float | None | Unset = UNSET
    steps_per_s: float | None | Unset = UNSET
    total_s: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        generation_s: float | None | Unset
        if isinstance(self.generation_s, Unset):
            generation_s = UNSET
        else:
            generation_s = self.generation_s

        load_s: float | None | Unset
        if isinstance(self.load_s, Unset):
            load_s = UNSET
        else:
            load_s = self.load_s

        queue_s: float | None | Unset
        if isinstance(self.queue_s, Unset):
            queue_s = UNSET
        else:
            queue_s = self.queue_s

        steps_per_s: float | None | Unset
        if isinstance(self.steps_per_s, Unset):
            steps_per_s = UNSET
        else:
            steps_per_s = self.steps_per_s

        total_s: float | None | Unset
        if isinstance(self.total_s, Unset):
            total_s = UNSET
        else:
            total_s = self.total_s

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if generation_s is not UNSET:
            field_dict["generation_s"] = generation_s
        if load_s is not UNSET:
            field_dict["load_s"] = load_s
        if queue_s is not UNSET:
            field_dict["queue_s"] = queue_s
        if steps_per_s is not UNSET:
            field_dict["steps_per_s"] = steps_per_s
        if total_s is not UNSET:
            field_dict["total_s"] = total_s

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_generation_s(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        generation_s = _parse_generation_s(d.pop("generation_s", UNSET))

        def _parse_load_s(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        load_s = _parse_load_s(d.pop("load_s", UNSET))

        def _parse_queue_s(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        queue_s = _parse_queue_s(d.pop("queue_s", UNSET))

        def _parse_steps_per_s(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        steps_per_s = _parse_steps_per_s(d.pop("steps_per_s", UNSET))

        def _parse_total_s(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        total_s = _parse_total_s(d.pop("total_s", UNSET))

        timings = cls(
            generation_s=generation_s,
            load_s=load_s,
            queue_s=queue_s,
            steps_per_s=steps_per_s,
            total_s=total_s,
        )

        timings.additional_properties = d
        return timings

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
