from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.batch_image import BatchImage


T = TypeVar("T", bound="ExtrasBatch")


@_attrs_define
class ExtrasBatch:
    """
    Attributes:
        codeformer_visibility (float | None | Unset):  Default: 0.0.
        codeformer_weight (float | None | Unset):  Default: 0.0.
        extras_upscaler_2_visibility (float | None | Unset):  Default: 0.0.
        gfpgan_visibility (float | None | Unset):  Default: 0.0.
        image_list (list[BatchImage] | Unset):
        resize_mode (int | None | Unset):  Default: 0.
        show_extras_results (bool | None | Unset):  Default: True.
        upscale_first (bool | None | Unset):  Default: False.
        upscaler_1 (None | str | Unset):  Default: 'None'.
        upscaler_2 (None | str | Unset):  Default: 'None'.
        upscaling_crop (bool | None | Unset):  Default: True.
        upscaling_resize (float | None | Unset):  Default: 2.0.
        upscaling_resize_h (int | None | Unset):  Default: 512.
        upscaling_resize_w (int | None | Unset):  Default: 512.
    """

    codeformer_visibility: float | None | Unset = 0.0
    codeformer_weight: float | None | Unset = 0.0
    extras_upscaler_2_visibility: float | None | Unset = 0.0
    gfpgan_visibility: float | None | Unset = 0.0
    image_list: list[BatchImage] | Unset = UNSET
    resize_mode: int | None | Unset = 0
    show_extras_results: bool | None | Unset = True
    upscale_first: bool | None | Unset = False
    upscaler_1: None | str | Unset = "None"
    upscaler_2: None | str | Unset = "None"
    upscaling_crop: bool | None | Unset = True
    upscaling_resize: float | None | Unset = 2.0
    upscaling_resize_h: int | None | Unset = 512
    upscaling_resize_w: int | None | Unset = 512
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        codeformer_visibility: float | None | Unset
        if isinstance(self.codeformer_visibility, Unset):
            codeformer_visibility = UNSET
        else:
            codeformer_visibility = self.codeformer_visibility

        codeformer_weight: float | None | Unset
        if isinstance(self.codeformer_weight, Unset):
            codeformer_weight = UNSET
        else:
            codeformer_weight = self.codeformer_weight

        extras_upscaler_2_visibility: float | None | Unset
        if isinstance(self.extras_upscaler_2_visibility, Unset):
            extras_upscaler_2_visibility = UNSET
        else:
            extras_upscaler_2_visibility = self.extras_upscaler_2_visibility

        gfpgan_visibility: float | None | Unset
        if isinstance(self.gfpgan_visibility, Unset):
            gfpgan_visibility = UNSET
        else:
            gfpgan_visibility = self.gfpgan_visibility

        image_list: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.image_list, Unset):
            image_list = []
            for image_list_item_data in self.image_list:
                image_list_item = image_list_item_data.to_dict()
                image_list.append(image_list_item)

        resize_mode: int | None | Unset
        if isinstance(self.resize_mode, Unset):
            resize_mode = UNSET
        else:
            resize_mode = self.resize_mode

        show_extras_results: bool | None | Unset
        if isinstance(self.show_extras_results, Unset):
            show_extras_results = UNSET
        else:
            show_extras_results = self.show_extras_results

        upscale_first: bool | None | Unset
        if isinstance(self.upscale_first, Unset):
            upscale_first = UNSET
        else:
            upscale_first = self.upscale_first

        upscaler_1: None | str | Unset
        if isinstance(self.upscaler_1, Unset):
            upscaler_1 = UNSET
        else:
            upscaler_1 = self.upscaler_1

        upscaler_2: None | str | Unset
        if isinstance(self.upscaler_2, Unset):
            upscaler_2 = UNSET
        else:
            upscaler_2 = self.upscaler_2

        upscaling_crop: bool | None | Unset
        if isinstance(self.upscaling_crop, Unset):
            upscaling_crop = UNSET
        else:
            upscaling_crop = self.upscaling_crop

        upscaling_resize: float | None | Unset
        if isinstance(self.upscaling_resize, Unset):
            upscaling_resize = UNSET
        else:
            upscaling_resize = self.upscaling_resize

        upscaling_resize_h: int | None | Unset
        if isinstance(self.upscaling_resize_h, Unset):
            upscaling_resize_h = UNSET
        else:
            upscaling_resize_h = self.upscaling_resize_h

        upscaling_resize_w: int | None | Unset
        if isinstance(self.upscaling_resize_w, Unset):
            upscaling_resize_w = UNSET
        else:
            upscaling_resize_w = self.upscaling_resize_w

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if codeformer_visibility is not UNSET:
            field_dict["codeformer_visibility"] = codeformer_visibility
        if codeformer_weight is not UNSET:
            field_dict["codeformer_weight"] = codeformer_weight
        if extras_upscaler_2_visibility is not UNSET:
            field_dict["extras_upscaler_2_visibility"] = extras_upscaler_2_visibility
        if gfpgan_visibility is not UNSET:
            field_dict["gfpgan_visibility"] = gfpgan_visibility
        if image_list is not UNSET:
            field_dict["imageList"] = image_list
        if resize_mode is not UNSET:
            field_dict["resize_mode"] = resize_mode
        if show_extras_results is not UNSET:
            field_dict["show_extras_results"] = show_extras_results
        if upscale_first is not UNSET:
            field_dict["upscale_first"] = upscale_first
        if upscaler_1 is not UNSET:
            field_dict["upscaler_1"] = upscaler_1
        if upscaler_2 is not UNSET:
            field_dict["upscaler_2"] = upscaler_2
        if upscaling_crop is not UNSET:
            field_dict["upscaling_crop"] = upscaling_crop
        if upscaling_resize is not UNSET:
            field_dict["upscaling_resize"] = upscaling_resize
        if upscaling_resize_h is not UNSET:
            field_dict["upscaling_resize_h"] = upscaling_resize_h
        if upscaling_resize_w is not UNSET:
            field_dict["upscaling_resize_w"] = upscaling_resize_w

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.batch_image import BatchImage  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_codeformer_visibility(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        codeformer_visibility = _parse_codeformer_visibility(d.pop("codeformer_visibility", UNSET))

        def _parse_codeformer_weight(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        codeformer_weight = _parse_codeformer_weight(d.pop("codeformer_weight", UNSET))

        def _parse_extras_upscaler_2_visibility(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        extras_upscaler_2_visibility = _parse_extras_upscaler_2_visibility(d.pop("extras_upscaler_2_visibility", UNSET))

        def _parse_gfpgan_visibility(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        gfpgan_visibility = _parse_gfpgan_visibility(d.pop("gfpgan_visibility", UNSET))

        _image_list = d.pop("imageList", UNSET)
        image_list: list[BatchImage] | Unset = UNSET
        if _image_list is not UNSET:
            image_list = []
            for image_list_item_data in _image_list:
                image_list_item = BatchImage.from_dict(image_list_item_data)

                image_list.append(image_list_item)

        def _parse_resize_mode(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        resize_mode = _parse_resize_mode(d.pop("resize_mode", UNSET))

        def _parse_show_extras_results(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        show_extras_results = _parse_show_extras_results(d.pop("show_extras_results", UNSET))

        def _parse_upscale_first(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        upscale_first = _parse_upscale_first(d.pop("upscale_first", UNSET))

        def _parse_upscaler_1(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        upscaler_1 = _parse_upscaler_1(d.pop("upscaler_1", UNSET))

        def _parse_upscaler_2(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        upscaler_2 = _parse_upscaler_2(d.pop("upscaler_2", UNSET))

        def _parse_upscaling_crop(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        upscaling_crop = _parse_upscaling_crop(d.pop("upscaling_crop", UNSET))

        def _parse_upscaling_resize(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        upscaling_resize = _parse_upscaling_resize(d.pop("upscaling_resize", UNSET))

        def _parse_upscaling_resize_h(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        upscaling_resize_h = _parse_upscaling_resize_h(d.pop("upscaling_resize_h", UNSET))

        def _parse_upscaling_resize_w(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        upscaling_resize_w = _parse_upscaling_resize_w(d.pop("upscaling_resize_w", UNSET))

        extras_batch = cls(
            codeformer_visibility=codeformer_visibility,
            codeformer_weight=codeformer_weight,
            extras_upscaler_2_visibility=extras_upscaler_2_visibility,
            gfpgan_visibility=gfpgan_visibility,
            image_list=image_list,
            resize_mode=resize_mode,
            show_extras_results=show_extras_results,
            upscale_first=upscale_first,
            upscaler_1=upscaler_1,
            upscaler_2=upscaler_2,
            upscaling_crop=upscaling_crop,
            upscaling_resize=upscaling_resize,
            upscaling_resize_h=upscaling_resize_h,
            upscaling_resize_w=upscaling_resize_w,
        )

        extras_batch.additional_properties = d
        return extras_batch

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
