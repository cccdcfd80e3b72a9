from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="TrainingLora")


@_attrs_define
class TrainingLora:
    """
    Attributes:
        alpha (float | None | Unset): Scale numerator (weights are scaled by alpha / rank); null: the rank.
        rank (int | None | Unset):  Default: 4.
        train_text_encoder (bool | None | Unset): Also put LoRA on the text encoder(s)' attention projections. Default:
            False.
    """

    alpha: float | None | Unset = UNSET
    rank: int | None | Unset = 4
    train_text_encoder: bool | None | Unset = False

    def to_dict(self) -> dict[str, Any]:
        alpha: float | None | Unset
        if isinstance(self.alpha, Unset):
            alpha = UNSET
        else:
            alpha = self.alpha

        rank: int | None | Unset
        if isinstance(self.rank, Unset):
            rank = UNSET
        else:
            rank = self.rank

        train_text_encoder: bool | None | Unset
        if isinstance(self.train_text_encoder, Unset):
            train_text_encoder = UNSET
        else:
            train_text_encoder = self.train_text_encoder

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if alpha is not UNSET:
            field_dict["alpha"] = alpha
        if rank is not UNSET:
            field_dict["rank"] = rank
        if train_text_encoder is not UNSET:
            field_dict["train_text_encoder"] = train_text_encoder

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_alpha(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        alpha = _parse_alpha(d.pop("alpha", UNSET))

        def _parse_rank(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rank = _parse_rank(d.pop("rank", UNSET))

        def _parse_train_text_encoder(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        train_text_encoder = _parse_train_text_encoder(d.pop("train_text_encoder", UNSET))

        training_lora = cls(
            alpha=alpha,
            rank=rank,
            train_text_encoder=train_text_encoder,
        )

        return training_lora
