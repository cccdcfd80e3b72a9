from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.memory_response_cuda import MemoryResponseCuda
    from ..models.memory_response_ram import MemoryResponseRam


T = TypeVar("T", bound="MemoryResponse")


@_attrs_define
class MemoryResponse:
    """
    Attributes:
        cuda (MemoryResponseCuda):
        ram (MemoryResponseRam):
    """

    cuda: MemoryResponseCuda
    ram: MemoryResponseRam
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cuda = self.cuda.to_dict()

        ram = self.ram.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "cuda": cuda,
                "ram": ram,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.memory_response_cuda import MemoryResponseCuda  # noqa: PLC0415
        from ..models.memory_response_ram import MemoryResponseRam  # noqa: PLC0415

        d = dict(src_dict)
        cuda = MemoryResponseCuda.from_dict(d.pop("cuda"))

        ram = MemoryResponseRam.from_dict(d.pop("ram"))

        memory_response = cls(
            cuda=cuda,
            ram=ram,
        )

        memory_response.additional_properties = d
        return memory_response

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
