from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TrainingCheckpoint")


@_attrs_define
class TrainingCheckpoint:
    """A model the run kept at a checkpoint step, which its owner may register (POST
    /v1/trainings/{id}/checkpoints/{step}/register).

        Attributes:
            kind (str):
            sha256 (str):
            size (int):
            step (int):
            model_id (None | str | Unset): The model registered from it, once registered.
    """

    kind: str
    sha256: str
    size: int
    step: int
    model_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        sha256 = self.sha256

        size = self.size

        step = self.step

        model_id: None | str | Unset
        if isinstance(self.model_id, Unset):
            model_id = UNSET
        else:
            model_id = self.model_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "sha256": sha256,
                "size": size,
                "step": step,
            }
        )
        if model_id is not UNSET:
            field_dict["model_id"] = model_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = d.pop("kind")

        sha256 = d.pop("sha256")

        size = d.pop("size")

        step = d.pop("step")

        def _parse_model_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model_id = _parse_model_id(d.pop("model_id", UNSET))

        training_checkpoint = cls(
            kind=kind,
            sha256=sha256,
            size=size,
            step=step,
            model_id=model_id,
        )

        training_checkpoint.additional_properties = d
        return training_checkpoint

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
