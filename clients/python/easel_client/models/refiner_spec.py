from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.model_info import ModelInfo


T = TypeVar("T", bound="RefinerSpec")


@_attrs_define
class RefinerSpec:
    """
    Attributes:
        model (ModelInfo): What a worker needs to load a model.
        switch_at (float): As RefinerRequest.switch_at.
    """

    model: ModelInfo
    switch_at: float

    def to_dict(self) -> dict[str, Any]:
        model = self.model.to_dict()

        switch_at = self.switch_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "model": model,
                "switch_at": switch_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.model_info import ModelInfo  # noqa: PLC0415

        d = dict(src_dict)
        model = ModelInfo.from_dict(d.pop("model"))

        switch_at = d.pop("switch_at")

        refiner_spec = cls(
            model=model,
            switch_at=switch_at,
        )

        return refiner_spec
