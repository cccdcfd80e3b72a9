from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RefinerRequest")


@_attrs_define
class RefinerRequest:
    """SDXL's refiner: the base model denoises the first part of the schedule, this checkpoint the rest (and the hires
    pass, when there is one).

        Attributes:
            model (str): An SDXL checkpoint by id, name or title.
            switch_at (float | None | Unset): The fraction of the first pass's steps run on the base model, as the web UI's
                refiner_switch_at; 1 never switches. Default: 0.8.
    """

    model: str
    switch_at: float | None | Unset = 0.8

    def to_dict(self) -> dict[str, Any]:
        model = self.model

        switch_at: float | None | Unset
        if isinstance(self.switch_at, Unset):
            switch_at = UNSET
        else:
            switch_at = self.switch_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "model": model,
            }
        )
        if switch_at is not UNSET:
            field_dict["switch_at"] = switch_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        model = d.pop("model")

        def _parse_switch_at(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        switch_at = _parse_switch_at(d.pop("switch_at", UNSET))

        refiner_request = cls(
            model=model,
            switch_at=switch_at,
        )

        return refiner_request
