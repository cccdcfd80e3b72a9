from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="TrainingLearningRates")


@_attrs_define
class TrainingLearningRates:
    """Learning rates per trained part; null takes the method's default.

    Attributes:
        embedding (float | None | Unset): Textual inversion's vectors (default 5e-3).
        hypernetwork (float | None | Unset): The hypernetwork's modules (default 1e-5, as the web UI's).
        text_encoder (float | None | Unset): The text encoder's when it trains (default: the unet's).
        unet (float | None | Unset): LoRA's or the full UNet's (default 1e-4 for LoRA, 5e-6 for dreambooth).
    """

    embedding: float | None | Unset = UNSET
    hypernetwork: float | None | Unset = UNSET
    text_encoder: float | None | Unset = UNSET
    unet: float | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        embedding: float | None | Unset
        if isinstance(self.embedding, Unset):
            embedding = UNSET
        else:
            embedding = self.embedding

        hypernetwork: float | None | Unset
        if isinstance(self.hypernetwork, Unset):
            hypernetwork = UNSET
        else:
            hypernetwork = self.hypernetwork

        text_encoder: float | None | Unset
        if isinstance(self.text_encoder, Unset):
            text_encoder = UNSET
        else:
            text_encoder = self.text_encoder

        unet: float | None | Unset
        if isinstance(self.unet, Unset):
            unet = UNSET
        else:
            unet = self.unet

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if embedding is not UNSET:
            field_dict["embedding"] = embedding
        if hypernetwork is not UNSET:
            field_dict["hypernetwork"] = hypernetwork
        if text_encoder is not UNSET:
            field_dict["text_encoder"] = text_encoder
        if unet is not UNSET:
            field_dict["unet"] = unet

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_embedding(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        embedding = _parse_embedding(d.pop("embedding", UNSET))

        def _parse_hypernetwork(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        hypernetwork = _parse_hypernetwork(d.pop("hypernetwork", UNSET))

        def _parse_text_encoder(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        text_encoder = _parse_text_encoder(d.pop("text_encoder", UNSET))

        def _parse_unet(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        unet = _parse_unet(d.pop("unet", UNSET))

        training_learning_rates = cls(
            embedding=embedding,
            hypernetwork=hypernetwork,
            text_encoder=text_encoder,
            unet=unet,
        )

        return training_learning_rates
