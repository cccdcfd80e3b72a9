from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="TrainingTextualInversion")


@_attrs_define
class TrainingTextualInversion:
    """
    Attributes:
        token (str): The new word; the registered embedding should carry it as its name, as prompts call an embedding by
            name.
        init_word (None | str | Unset): The vectors start as this text's token embeddings (cycled to fill num_vectors);
            empty: zeros. Default: '*'.
        num_vectors (int | None | Unset):  Default: 1.
    """

    token: str
    init_word: None | str | Unset = "*"
    num_vectors: int | None | Unset = 1

    def to_dict(self) -> dict[str, Any]:
        token = self.token

        init_word: None | str | Unset
        if isinstance(self.init_word, Unset):
            init_word = UNSET
        else:
            init_word = self.init_word

        num_vectors: int | None | Unset
        if isinstance(self.num_vectors, Unset):
            num_vectors = UNSET
        else:
            num_vectors = self.num_vectors

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "token": token,
            }
        )
        if init_word is not UNSET:
            field_dict["init_word"] = init_word
        if num_vectors is not UNSET:
            field_dict["num_vectors"] = num_vectors

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        token = d.pop("token")

        def _parse_init_word(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        init_word = _parse_init_word(d.pop("init_word", UNSET))

        def _parse_num_vectors(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        num_vectors = _parse_num_vectors(d.pop("num_vectors", UNSET))

        training_textual_inversion = cls(
            token=token,
            init_word=init_word,
            num_vectors=num_vectors,
        )

        return training_textual_inversion
