from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.inference_extras_payload_type_0 import InferenceExtrasPayloadType0
    from ..models.inference_img_2_img_payload_type_0 import InferenceImg2ImgPayloadType0
    from ..models.inference_txt_2_img_payload_type_0 import InferenceTxt2ImgPayloadType0


T = TypeVar("T", bound="Inference")


@_attrs_define
class Inference:
    """POST /inference: one of the web UI's calls, named by task, on a checkpoint named by `model`.

    Attributes:
        task (str):
        extras_payload (InferenceExtrasPayloadType0 | None | Unset):
        img2img_payload (InferenceImg2ImgPayloadType0 | None | Unset):
        model (None | str | Unset):
        txt2img_payload (InferenceTxt2ImgPayloadType0 | None | Unset):
    """

    task: str
    extras_payload: InferenceExtrasPayloadType0 | None | Unset = UNSET
    img2img_payload: InferenceImg2ImgPayloadType0 | None | Unset = UNSET
    model: None | str | Unset = UNSET
    txt2img_payload: InferenceTxt2ImgPayloadType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.inference_extras_payload_type_0 import InferenceExtrasPayloadType0  # noqa: PLC0415
        from ..models.inference_img_2_img_payload_type_0 import InferenceImg2ImgPayloadType0  # noqa: PLC0415
        from ..models.inference_txt_2_img_payload_type_0 import InferenceTxt2ImgPayloadType0  # noqa: PLC0415

        task = self.task

        extras_payload: dict[str, Any] | None | Unset
        if isinstance(self.extras_payload, Unset):
            extras_payload = UNSET
        elif isinstance(self.extras_payload, InferenceExtrasPayloadType0):
            extras_payload = self.extras_payload.to_dict()
        else:
            extras_payload = self.extras_payload

        img2img_payload: dict[str, Any] | None | Unset
        if isinstance(self.img2img_payload, Unset):
            img2img_payload = UNSET
        elif isinstance(self.img2img_payload, InferenceImg2ImgPayloadType0):
            img2img_payload = self.img2img_payload.to_dict()
        else:
            img2img_payload = self.img2img_payload

        model: None | str | Unset
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        txt2img_payload: dict[str, Any] | None | Unset
        if isinstance(self.txt2img_payload, Unset):
            txt2img_payload = UNSET
        elif isinstance(self.txt2img_payload, InferenceTxt2ImgPayloadType0):
            txt2img_payload = self.txt2img_payload.to_dict()
        else:
            txt2img_payload = self.txt2img_payload

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "task": task,
            }
        )
        if extras_payload is not UNSET:
            field_dict["extras_payload"] = extras_payload
        if img2img_payload is not UNSET:
            field_dict["img2img_payload"] = img2img_payload
        if model is not UNSET:
            field_dict["model"] = model
        if txt2img_payload is not UNSET:
            field_dict["txt2img_payload"] = txt2img_payload

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.inference_extras_payload_type_0 import InferenceExtrasPayloadType0  # noqa: PLC0415
        from ..models.inference_img_2_img_payload_type_0 import InferenceImg2ImgPayloadType0  # noqa: PLC0415
        from ..models.inference_txt_2_img_payload_type_0 import InferenceTxt2ImgPayloadType0  # noqa: PLC0415

        d = dict(src_dict)
        task = d.pop("task")

        def _parse_extras_payload(data: object) -> InferenceExtrasPayloadType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                extras_payload_type_0 = InferenceExtrasPayloadType0.from_dict(data)

                return extras_payload_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InferenceExtrasPayloadType0 | None | Unset, data)

        extras_payload = _parse_extras_payload(d.pop("extras_payload", UNSET))

        def _parse_img2img_payload(data: object) -> InferenceImg2ImgPayloadType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                img2img_payload_type_0 = InferenceImg2ImgPayloadType0.from_dict(data)

                return img2img_payload_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InferenceImg2ImgPayloadType0 | None | Unset, data)

        img2img_payload = _parse_img2img_payload(d.pop("img2img_payload", UNSET))

        def _parse_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))

        def _parse_txt2img_payload(data: object) -> InferenceTxt2ImgPayloadType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                txt2img_payload_type_0 = InferenceTxt2ImgPayloadType0.from_dict(data)

                return txt2img_payload_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InferenceTxt2ImgPayloadType0 | None | Unset, data)

        txt2img_payload = _parse_txt2img_payload(d.pop("txt2img_payload", UNSET))

        inference = cls(
            task=task,
            extras_payload=extras_payload,
            img2img_payload=img2img_payload,
            model=model,
            txt2img_payload=txt2img_payload,
        )

        inference.additional_properties = d
        return inference

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
