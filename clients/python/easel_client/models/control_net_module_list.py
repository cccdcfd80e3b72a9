from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.control_net_module_list_module_detail import ControlNetModuleListModuleDetail


T = TypeVar("T", bound="ControlNetModuleList")


@_attrs_define
class ControlNetModuleList:
    """
    Attributes:
        module_detail (ControlNetModuleListModuleDetail):
        module_list (list[str]):
    """

    module_detail: ControlNetModuleListModuleDetail
    module_list: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        module_detail = self.module_detail.to_dict()

        module_list = self.module_list

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "module_detail": module_detail,
                "module_list": module_list,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.control_net_module_list_module_detail import ControlNetModuleListModuleDetail  # noqa: PLC0415

        d = dict(src_dict)
        module_detail = ControlNetModuleListModuleDetail.from_dict(d.pop("module_detail"))

        module_list = cast(list[str], d.pop("module_list"))

        control_net_module_list = cls(
            module_detail=module_detail,
            module_list=module_list,
        )

        control_net_module_list.additional_properties = d
        return control_net_module_list

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
