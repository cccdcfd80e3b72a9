from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.interrogate_spec_type import InterrogateSpecType
from ..types import UNSET, Unset

T = TypeVar("T", bound="InterrogateSpec")


@_attrs_define
class InterrogateSpec:
    """How an interrogate job describes its image: the web UI's interrogate options, as the caller set them.

    Attributes:
        type_ (InterrogateSpecType): clip: a BLIP caption then the CLIP-ranked category terms; deepdanbooru: the
            tagger's tags.
        clip_dict_limit (int | None | Unset):  Default: 1500.
        clip_max_length (int | None | Unset):  Default: 48.
        clip_min_length (int | None | Unset):  Default: 24.
        clip_num_beams (int | None | Unset):  Default: 1.
        clip_skip_categories (list[str] | None | Unset):
        deepbooru_escape (bool | None | Unset):  Default: True.
        deepbooru_filter_tags (None | str | Unset):  Default: ''.
        deepbooru_score_threshold (float | None | Unset):  Default: 0.5.
        deepbooru_sort_alpha (bool | None | Unset):  Default: True.
        deepbooru_use_spaces (bool | None | Unset):  Default: True.
        return_ranks (bool | None | Unset):  Default: False.
    """

    type_: InterrogateSpecType
    clip_dict_limit: int | None | Unset = 1500
    clip_max_length: int | None | Unset = 48
    clip_min_length: int | None | Unset = 24
    clip_num_beams: int | None | Unset = 1
    clip_skip_categories: list[str] | None | Unset = UNSET
    deepbooru_escape: bool | None | Unset = True
    deepbooru_filter_tags: None | str | Unset = ""
    deepbooru_score_threshold: float | None | Unset = 0.5
    deepbooru_sort_alpha: bool | None | Unset = True
    deepbooru_use_spaces: bool | None | Unset = True
    return_ranks: bool | None | Unset = False

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        clip_dict_limit: int | None | Unset
        if isinstance(self.clip_dict_limit, Unset):
            clip_dict_limit = UNSET
        else:
            clip_dict_limit = self.clip_dict_limit

        clip_max_length: int | None | Unset
        if isinstance(self.clip_max_length, Unset):
            clip_max_length = UNSET
        else:
            clip_max_length = self.clip_max_length

        clip_min_length: int | None | Unset
        if isinstance(self.clip_min_length, Unset):
            clip_min_length = UNSET
        else:
            clip_min_length = self.clip_min_length

        clip_num_beams: int | None | Unset
        if isinstance(self.clip_num_beams, Unset):
            clip_num_beams = UNSET
        else:
            clip_num_beams = self.clip_num_beams

        clip_skip_categories: list[str] | None | Unset
        if isinstance(self.clip_skip_categories, Unset):
            clip_skip_categories = UNSET
        elif isinstance(self.clip_skip_categories, list):
            clip_skip_categories = self.clip_skip_categories

        else:
            clip_skip_categories = self.clip_skip_categories

        deepbooru_escape: bool | None | Unset
        if isinstance(self.deepbooru_escape, Unset):
            deepbooru_escape = UNSET
        else:
            deepbooru_escape = self.deepbooru_escape

        deepbooru_filter_tags: None | str | Unset
        if isinstance(self.deepbooru_filter_tags, Unset):
            deepbooru_filter_tags = UNSET
        else:
            deepbooru_filter_tags = self.deepbooru_filter_tags

        deepbooru_score_threshold: float | None | Unset
        if isinstance(self.deepbooru_score_threshold, Unset):
            deepbooru_score_threshold = UNSET
        else:
            deepbooru_score_threshold = self.deepbooru_score_threshold

        deepbooru_sort_alpha: bool | None | Unset
        if isinstance(self.deepbooru_sort_alpha, Unset):
            deepbooru_sort_alpha = UNSET
        else:
            deepbooru_sort_alpha = self.deepbooru_sort_alpha

        deepbooru_use_spaces: bool | None | Unset
        if isinstance(self.deepbooru_use_spaces, Unset):
            deepbooru_use_spaces = UNSET
        else:
            deepbooru_use_spaces = self.deepbooru_use_spaces

        return_ranks: bool | None | Unset
        if isinstance(self.return_ranks, Unset):
            return_ranks = UNSET
        else:
            return_ranks = self.return_ranks

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
            }
        )
        if clip_dict_limit is not UNSET:
            field_dict["clip_dict_limit"] = clip_dict_limit
        if clip_max_length is not UNSET:
            field_dict["clip_max_length"] = clip_max_length
        if clip_min_length is not UNSET:
            field_dict["clip_min_length"] = clip_min_length
        if clip_num_beams is not UNSET:
            field_dict["clip_num_beams"] = clip_num_beams
        if clip_skip_categories is not UNSET:
            field_dict["clip_skip_categories"] = clip_skip_categories
        if deepbooru_escape is not UNSET:
            field_dict["deepbooru_escape"] = deepbooru_escape
        if deepbooru_filter_tags is not UNSET:
            field_dict["deepbooru_filter_tags"] = deepbooru_filter_tags
        if deepbooru_score_threshold is not UNSET:
            field_dict["deepbooru_score_threshold"] = deepbooru_score_threshold
        if deepbooru_sort_alpha is not UNSET:
            field_dict["deepbooru_sort_alpha"] = deepbooru_sort_alpha
        if deepbooru_use_spaces is not UNSET:
            field_dict["deepbooru_use_spaces"] = deepbooru_use_spaces
        if return_ranks is not UNSET:
            field_dict["return_ranks"] = return_ranks

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = InterrogateSpecType(d.pop("type"))

        def _parse_clip_dict_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        clip_dict_limit = _parse_clip_dict_limit(d.pop("clip_dict_limit", UNSET))

        def _parse_clip_max_length(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        clip_max_length = _parse_clip_max_length(d.pop("clip_max_length", UNSET))

        def _parse_clip_min_length(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        clip_min_length = _parse_clip_min_length(d.pop("clip_min_length", UNSET))

        def _parse_clip_num_beams(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        clip_num_beams = _parse_clip_num_beams(d.pop("clip_num_beams", UNSET))

        def _parse_clip_skip_categories(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                clip_skip_categories_type_0 = cast(list[str], data)

                return clip_skip_categories_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        clip_skip_categories = _parse_clip_skip_categories(d.pop("clip_skip_categories", UNSET))

        def _parse_deepbooru_escape(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        deepbooru_escape = _parse_deepbooru_escape(d.pop("deepbooru_escape", UNSET))

        def _parse_deepbooru_filter_tags(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        deepbooru_filter_tags = _parse_deepbooru_filter_tags(d.pop("deepbooru_filter_tags", UNSET))

        def _parse_deepbooru_score_threshold(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        deepbooru_score_threshold = _parse_deepbooru_score_threshold(d.pop("deepbooru_score_threshold", UNSET))

        def _parse_deepbooru_sort_alpha(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        deepbooru_sort_alpha = _parse_deepbooru_sort_alpha(d.pop("deepbooru_sort_alpha", UNSET))

        def _parse_deepbooru_use_spaces(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        deepbooru_use_spaces = _parse_deepbooru_use_spaces(d.pop("deepbooru_use_spaces", UNSET))

        def _parse_return_ranks(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        return_ranks = _parse_return_ranks(d.pop("return_ranks", UNSET))

        interrogate_spec = cls(
            type_=type_,
            clip_dict_limit=clip_dict_limit,
            clip_max_length=clip_max_length,
            clip_min_length=clip_min_length,
            clip_num_beams=clip_num_beams,
            clip_skip_categories=clip_skip_categories,
            deepbooru_escape=deepbooru_escape,
            deepbooru_filter_tags=deepbooru_filter_tags,
            deepbooru_score_threshold=deepbooru_score_threshold,
            deepbooru_sort_alpha=deepbooru_sort_alpha,
            deepbooru_use_spaces=deepbooru_use_spaces,
            return_ranks=return_ranks,
        )

        return interrogate_spec
