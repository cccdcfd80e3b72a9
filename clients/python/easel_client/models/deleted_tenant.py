from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.deleted_tenant_removed import DeletedTenantRemoved
    from ..models.tenant import Tenant


T = TypeVar("T", bound="DeletedTenant")


@_attrs_define
class DeletedTenant:
    """
    Attributes:
        removed (DeletedTenantRemoved): What was removed with it, by kind (users, jobs, models, ...)
        tenant (Tenant): A tenant: the users, jobs, models and datasets that see each other. A platform admin
            (tenants:manage) manages tenants.
    """

    removed: DeletedTenantRemoved
    tenant: Tenant
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        removed = self.removed.to_dict()

        tenant = self.tenant.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "removed": removed,
                "tenant": tenant,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.deleted_tenant_removed import DeletedTenantRemoved  # noqa: PLC0415
        from ..models.tenant import Tenant  # noqa: PLC0415

        d = dict(src_dict)
        removed = DeletedTenantRemoved.from_dict(d.pop("removed"))

        tenant = Tenant.from_dict(d.pop("tenant"))

        deleted_tenant = cls(
            removed=removed,
            tenant=tenant,
        )

        deleted_tenant.additional_properties = d
        return deleted_tenant

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
