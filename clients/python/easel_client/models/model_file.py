from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ModelFile")


@_attrs_define
class ModelFile:
    """One file of a model's artefact in Easel's object store.

    Attributes:
        key (str): Object store key.
        path (str): Relative path inside the model (e.g. unet/diffusion_pytorch_model.safetensors, or
            model.safetensors).
        sha256 (str):
        size (int):
    """

    key: str
    path: str
    sha256: str
    size: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        path = self.path

        sha256 = self.sha256

        size = self.size

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "key": key,
                "path": path,
                "sha256": sha256,
                "size": size,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        key = d.pop("key")

        path = d.pop("path")

        sha256 = d.pop("sha256")

        size = d.pop("size")

        model_file = cls(
            key=key,
            path=path,
            sha256=sha256,
            size=size,
        )

        model_file.additional_properties = d
        return model_file

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
