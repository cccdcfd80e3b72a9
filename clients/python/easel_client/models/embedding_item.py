from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="EmbeddingItem")


@_attrs_define
class EmbeddingItem:
    """From the embedding's metadata as imported (any JSON value the importer gave).

    Attributes:
        sd_checkpoint (Any):
        sd_checkpoint_name (Any):
        shape (Any):
        step (Any):
        vectors (Any):
    """

    sd_checkpoint: Any
    sd_checkpoint_name: Any
    shape: Any
    step: Any
    vectors: Any
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sd_checkpoint = self.sd_checkpoint

        sd_checkpoint_name = self.sd_checkpoint_name

        shape = self.shape

        step = self.step

        vectors = self.vectors

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "sd_checkpoint": sd_checkpoint,
                "sd_checkpoint_name": sd_checkpoint_name,
                "shape": shape,
                "step": step,
                "vectors": vectors,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        sd_checkpoint = d.pop("sd_checkpoint")

        sd_checkpoint_name = d.pop("sd_checkpoint_name")

        shape = d.pop("shape")

        step = d.pop("step")

        vectors = d.pop("vectors")

        embedding_item = cls(
            sd_checkpoint=sd_checkpoint,
            sd_checkpoint_name=sd_checkpoint_name,
            shape=shape,
            step=step,
            vectors=vectors,
        )

        embedding_item.additional_properties = d
        return embedding_item

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
