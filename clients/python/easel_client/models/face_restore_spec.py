from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.model_info import ModelInfo


T = TypeVar("T", bound="FaceRestoreSpec")


@_attrs_define
class FaceRestoreSpec:
    """One face restoration pass, resolved: the restorer and detector models the worker fetches.

    Attributes:
        detector (ModelInfo): What a worker needs to load a model.
        restorer (ModelInfo): What a worker needs to load a model.
        codeformer_weight (float | None | Unset):  Default: 0.5.
        visibility (float | None | Unset):  Default: 1.0.
    """

    detector: ModelInfo
    restorer: ModelInfo
    codeformer_weight: float | None | Unset = 0.5
    visibility: float | None | Unset = 1.0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        detector = self.detector.to_dict()

        restorer = self.restorer.to_dict()

        codeformer_weight: float | None | Unset
        if isinstance(self.codeformer_weight, Unset):
            codeformer_weight = UNSET
        else:
            codeformer_weight = self.codeformer_weight

        visibility: float | None | Unset
        if isinstance(self.visibility, Unset):
            visibility = UNSET
        else:
            visibility = self.visibility

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "detector": detector,
                "restorer": restorer,
            }
        )
        if codeformer_weight is not UNSET:
            field_dict["codeformer_weight"] = codeformer_weight
        if visibility is not UNSET:
            field_dict["visibility"] = visibility

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.model_info import ModelInfo  # noqa: PLC0415

        d = dict(src_dict)
        detector = ModelInfo.from_dict(d.pop("detector"))

        restorer = ModelInfo.from_dict(d.pop("restorer"))

        def _parse_codeformer_weight(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        codeformer_weight = _parse_codeformer_weight(d.pop("codeformer_weight", UNSET))

        def _parse_visibility(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        visibility = _parse_visibility(d.pop("visibility", UNSET))

        face_restore_spec = cls(
            detector=detector,
            restorer=restorer,
            codeformer_weight=codeformer_weight,
            visibility=visibility,
        )

        face_restore_spec.additional_properties = d
        return face_restore_spec

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
