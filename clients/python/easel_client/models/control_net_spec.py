from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.control_mode import ControlMode
from ..models.resize_mode import ResizeMode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.input_image import InputImage
    from ..models.model_info import ModelInfo


T = TypeVar("T", bound="ControlNetSpec")


@_attrs_define
class ControlNetSpec:
    """A resolved ControlNet unit.

    Attributes:
        model (ModelInfo): What a worker needs to load a model.
        annotator (ModelInfo | None | Unset): The preprocessor's network, for modules that need one.
        control_mode (ControlMode | None | Unset):  Default: ControlMode.BALANCED.
        guidance_end (float | None | Unset):  Default: 1.0.
        guidance_start (float | None | Unset):  Default: 0.0.
        image (InputImage | None | Unset): null: the job's first init image.
        mask (InputImage | None | Unset):
        module (None | str | Unset):  Default: 'none'.
        pixel_perfect (bool | None | Unset):  Default: False.
        processor_res (int | None | Unset):  Default: 512.
        resize_mode (None | ResizeMode | Unset):  Default: ResizeMode.CROP_AND_RESIZE.
        threshold_a (float | None | Unset):
        threshold_b (float | None | Unset):
        weight (float | None | Unset):  Default: 1.0.
    """

    model: ModelInfo
    annotator: ModelInfo | None | Unset = UNSET
    control_mode: ControlMode | None | Unset = ControlMode.BALANCED
    guidance_end: float | None | Unset = 1.0
    guidance_start: float | None | Unset = 0.0
    image: InputImage | None | Unset = UNSET
    mask: InputImage | None | Unset = UNSET
    module: None | str | Unset = "none"
    pixel_perfect: bool | None | Unset = False
    processor_res: int | None | Unset = 512
    resize_mode: None | ResizeMode | Unset = ResizeMode.CROP_AND_RESIZE
    threshold_a: float | None | Unset = UNSET
    threshold_b: float | None | Unset = UNSET
    weight: float | None | Unset = 1.0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.input_image import InputImage  # noqa: PLC0415
        from ..models.model_info import ModelInfo  # noqa: PLC0415

        model = self.model.to_dict()

        annotator: dict[str, Any] | None | Unset
        if isinstance(self.annotator, Unset):
            annotator = UNSET
        elif isinstance(self.annotator, ModelInfo):
            annotator = self.annotator.to_dict()
        else:
            annotator = self.annotator

        control_mode: None | str | Unset
        if isinstance(self.control_mode, Unset):
            control_mode = UNSET
        elif isinstance(self.control_mode, ControlMode):
            control_mode = self.control_mode.value
        else:
            control_mode = self.control_mode

        guidance_end: float | None | Unset
        if isinstance(self.guidance_end, Unset):
            guidance_end = UNSET
        else:
            guidance_end = self.guidance_end

        guidance_start: float | None | Unset
        if isinstance(self.guidance_start, Unset):
            guidance_start = UNSET
        else:
            guidance_start = self.guidance_start

        image: dict[str, Any] | None | Unset
        if isinstance(self.image, Unset):
            image = UNSET
        elif isinstance(self.image, InputImage):
            image = self.image.to_dict()
        else:
            image = self.image

        mask: dict[str, Any] | None | Unset
        if isinstance(self.mask, Unset):
            mask = UNSET
        elif isinstance(self.mask, InputImage):
            mask = self.mask.to_dict()
        else:
            mask = self.mask

        module: None | str | Unset
        if isinstance(self.module, Unset):
            module = UNSET
        else:
            module = self.module

        pixel_perfect: bool | None | Unset
        if isinstance(self.pixel_perfect, Unset):
            pixel_perfect = UNSET
        else:
            pixel_perfect = self.pixel_perfect

        processor_res: int | None | Unset
        if isinstance(self.processor_res, Unset):
            processor_res = UNSET
        else:
            processor_res = self.processor_res

        resize_mode: None | str | Unset
        if isinstance(self.resize_mode, Unset):
            resize_mode = UNSET
        elif isinstance(self.resize_mode, ResizeMode):
            resize_mode = self.resize_mode.value
        else:
            resize_mode = self.resize_mode

        threshold_a: float | None | Unset
        if isinstance(self.threshold_a, Unset):
            threshold_a = UNSET
        else:
            threshold_a = self.threshold_a

        threshold_b: float | None | Unset
        if isinstance(self.threshold_b, Unset):
            threshold_b = UNSET
        else:
            threshold_b = self.threshold_b

        weight: float | None | Unset
        if isinstance(self.weight, Unset):
            weight = UNSET
        else:
            weight = self.weight

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "model": model,
            }
        )
        if annotator is not UNSET:
            field_dict["annotator"] = annotator
        if control_mode is not UNSET:
            field_dict["control_mode"] = control_mode
        if guidance_end is not UNSET:
            field_dict["guidance_end"] = guidance_end
        if guidance_start is not UNSET:
            field_dict["guidance_start"] = guidance_start
        if image is not UNSET:
            field_dict["image"] = image
        if mask is not UNSET:
            field_dict["mask"] = mask
        if module is not UNSET:
            field_dict["module"] = module
        if pixel_perfect is not UNSET:
            field_dict["pixel_perfect"] = pixel_perfect
        if processor_res is not UNSET:
            field_dict["processor_res"] = processor_res
        if resize_mode is not UNSET:
            field_dict["resize_mode"] = resize_mode
        if threshold_a is not UNSET:
            field_dict["threshold_a"] = threshold_a
        if threshold_b is not UNSET:
            field_dict["threshold_b"] = threshold_b
        if weight is not UNSET:
            field_dict["weight"] = weight

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.input_image import InputImage  # noqa: PLC0415
        from ..models.model_info import ModelInfo  # noqa: PLC0415

        d = dict(src_dict)
        model = ModelInfo.from_dict(d.pop("model"))

        def _parse_annotator(data: object) -> ModelInfo | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                annotator_type_0 = ModelInfo.from_dict(data)

                return annotator_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModelInfo | None | Unset, data)

        annotator = _parse_annotator(d.pop("annotator", UNSET))

        def _parse_control_mode(data: object) -> ControlMode | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                control_mode_type_0 = ControlMode(data)

                return control_mode_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ControlMode | None | Unset, data)

        control_mode = _parse_control_mode(d.pop("control_mode", UNSET))

        def _parse_guidance_end(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        guidance_end = _parse_guidance_end(d.pop("guidance_end", UNSET))

        def _parse_guidance_start(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        guidance_start = _parse_guidance_start(d.pop("guidance_start", UNSET))

        def _parse_image(data: object) -> InputImage | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                image_type_0 = InputImage.from_dict(data)

                return image_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InputImage | None | Unset, data)

        image = _parse_image(d.pop("image", UNSET))

        def _parse_mask(data: object) -> InputImage | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                mask_type_0 = InputImage.from_dict(data)

                return mask_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InputImage | None | Unset, data)

        mask = _parse_mask(d.pop("mask", UNSET))

        def _parse_module(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        module = _parse_module(d.pop("module", UNSET))

        def _parse_pixel_perfect(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        pixel_perfect = _parse_pixel_perfect(d.pop("pixel_perfect", UNSET))

        def _parse_processor_res(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        processor_res = _parse_processor_res(d.pop("processor_res", UNSET))

        def _parse_resize_mode(data: object) -> None | ResizeMode | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resize_mode_type_0 = ResizeMode(data)

                return resize_mode_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ResizeMode | Unset, data)

        resize_mode = _parse_resize_mode(d.pop("resize_mode", UNSET))

        def _parse_threshold_a(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        threshold_a = _parse_threshold_a(d.pop("threshold_a", UNSET))

        def _parse_threshold_b(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        threshold_b = _parse_threshold_b(d.pop("threshold_b", UNSET))

        def _parse_weight(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        weight = _parse_weight(d.pop("weight", UNSET))

        control_net_spec = cls(
            model=model,
            annotator=annotator,
            control_mode=control_mode,
            guidance_end=guidance_end,
            guidance_start=guidance_start,
            image=image,
            mask=mask,
            module=module,
            pixel_perfect=pixel_perfect,
            processor_res=processor_res,
            resize_mode=resize_mode,
            threshold_a=threshold_a,
            threshold_b=threshold_b,
            weight=weight,
        )

        control_net_spec.additional_properties = d
        return control_net_spec

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
