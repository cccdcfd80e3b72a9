from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.api_key import ApiKey
    from ..models.quotas import Quotas
    from ..models.user import User


T = TypeVar("T", bound="CreatedTenant")


@_attrs_define
class CreatedTenant:
    """
    Attributes:
        admin (User):
        created_at (datetime.datetime):
        display_name (str):
        id (str):
        admin_key (ApiKey | None | Unset): The first admin's key; shown only here
        disabled (bool | None | Unset): A disabled tenant's users cannot sign in or use their keys and tokens, and its
            queued jobs wait until it is enabled again. Default: False.
        quotas (None | Quotas | Unset): Tenant-wide limits: each user's effective limit is at most this, and the
            tenant's users together stay within it (jobs, images per day, GPU-seconds per month).
        retention_days (int | None | Unset): Days a job's images and inputs are kept after it ends; then the jobs
            service deletes them (the record stays, marked expired). null or 0: kept for good.
        users (int | None | Unset): How many users the tenant has.
    """

    admin: User
    created_at: datetime.datetime
    display_name: str
    id: str
    admin_key: ApiKey | None | Unset = UNSET
    disabled: bool | None | Unset = False
    quotas: None | Quotas | Unset = UNSET
    retention_days: int | None | Unset = UNSET
    users: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.api_key import ApiKey  # noqa: PLC0415
        from ..models.quotas import Quotas  # noqa: PLC0415

        admin = self.admin.to_dict()

        created_at = self.created_at.isoformat()

        display_name = self.display_name

        id = self.id

        admin_key: dict[str, Any] | None | Unset
        if isinstance(self.admin_key, Unset):
            admin_key = UNSET
        elif isinstance(self.admin_key, ApiKey):
            admin_key = self.admin_key.to_dict()
        else:
            admin_key = self.admin_key

        disabled: bool | None | Unset
        if isinstance(self.disabled, Unset):
            disabled = UNSET
        else:
            disabled = self.disabled

        quotas: dict[str, Any] | None | Unset
        if isinstance(self.quotas, Unset):
            quotas = UNSET
        elif isinstance(self.quotas, Quotas):
            quotas = self.quotas.to_dict()
        else:
            quotas = self.quotas

        retention_days: int | None | Unset
        if isinstance(self.retention_days, Unset):
            retention_days = UNSET
        else:
            retention_days = self.retention_days

        users: int | None | Unset
        if isinstance(self.users, Unset):
            users = UNSET
        else:
            users = self.users

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "admin": admin,
                "created_at": created_at,
                "display_name": display_name,
                "id": id,
            }
        )
        if admin_key is not UNSET:
            field_dict["admin_key"] = admin_key
        if disabled is not UNSET:
            field_dict["disabled"] = disabled
        if quotas is not UNSET:
            field_dict["quotas"] = quotas
        if retention_days is not UNSET:
            field_dict["retention_days"] = retention_days
        if users is not UNSET:
            field_dict["users"] = users

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.api_key import ApiKey  # noqa: PLC0415
        from ..models.quotas import Quotas  # noqa: PLC0415
        from ..models.user import User  # noqa: PLC0415

        d = dict(src_dict)
        admin = User.from_dict(d.pop("admin"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        display_name = d.pop("display_name")

        id = d.pop("id")

        def _parse_admin_key(data: object) -> ApiKey | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                admin_key_type_0 = ApiKey.from_dict(data)

                return admin_key_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ApiKey | None | Unset, data)

        admin_key = _parse_admin_key(d.pop("admin_key", UNSET))

        def _parse_disabled(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        disabled = _parse_disabled(d.pop("disabled", UNSET))

        def _parse_quotas(data: object) -> None | Quotas | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                quotas_type_0 = Quotas.from_dict(data)

                return quotas_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Quotas | Unset, data)

        quotas = _parse_quotas(d.pop("quotas", UNSET))

        def _parse_retention_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        retention_days = _parse_retention_days(d.pop("retention_days", UNSET))

        def _parse_users(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        users = _parse_users(d.pop("users", UNSET))

        created_tenant = cls(
            admin=admin,
            created_at=created_at,
            display_name=display_name,
            id=id,
            admin_key=admin_key,
            disabled=disabled,
            quotas=quotas,
            retention_days=retention_days,
            users=users,
        )

        created_tenant.additional_properties = d
        return created_tenant

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
