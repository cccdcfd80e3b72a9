from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="FaceRestoreRequest")


@_attrs_define
class FaceRestoreRequest:
    """Restore the faces in each output image (the web UI's restore faces; in extras, its GFPGAN and CodeFormer). Faces are
    found by `detector`, aligned to 512x512, restored by `restorer`, pasted back; an image with no face found is
    unchanged.

        Attributes:
            restorer (str): A face_restorer model (GFPGAN or CodeFormer weights).
            codeformer_weight (float | None | Unset): CodeFormer's fidelity weight: 0 restores most, 1 keeps most of the
                input. Default: 0.5.
            detector (None | str | Unset): A face_detector model (YuNet ONNX bytes in a safetensors file). Default: 'YuNet'.
            visibility (float | None | Unset): Blend of the restored image over the original: 0 leaves it unchanged.
                Default: 1.0.
    """

    restorer: str
    codeformer_weight: float | None | Unset = 0.5
    detector: None | str | Unset = "YuNet"
    visibility: float | None | Unset = 1.0

    def to_dict(self) -> dict[str, Any]:
        restorer = self.restorer

        codeformer_weight: float | None | Unset
        if isinstance(self.codeformer_weight, Unset):
            codeformer_weight = UNSET
        else:
            codeformer_weight = self.codeformer_weight

        detector: None | str | Unset
        if isinstance(self.detector, Unset):
            detector = UNSET
        else:
            detector = self.detector

        visibility: float | None | Unset
        if isinstance(self.visibility, Unset):
            visibility = UNSET
        else:
            visibility = self.visibility

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "restorer": restorer,
            }
        )
        if codeformer_weight is not UNSET:
            field_dict["codeformer_weight"] = codeformer_weight
        if detector is not UNSET:
            field_dict["detector"] = detector
        if visibility is not UNSET:
            field_dict["visibility"] = visibility

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        restorer = d.pop("restorer")

        def _parse_codeformer_weight(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        codeformer_weight = _parse_codeformer_weight(d.pop("codeformer_weight", UNSET))

        def _parse_detector(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        detector = _parse_detector(d.pop("detector", UNSET))

        def _parse_visibility(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        visibility = _parse_visibility(d.pop("visibility", UNSET))

        face_restore_request = cls(
            restorer=restorer,
            codeformer_weight=codeformer_weight,
            detector=detector,
            visibility=visibility,
        )

        return face_restore_request
