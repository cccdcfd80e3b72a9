from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.usage_bucket import UsageBucket

if TYPE_CHECKING:
    from ..models.period_usage import PeriodUsage
    from ..models.role_usage import RoleUsage
    from ..models.totals import Totals
    from ..models.user_usage import UserUsage


T = TypeVar("T", bound="Usage")


@_attrs_define
class Usage:
    """
    Attributes:
        bucket (UsageBucket):
        periods (list[PeriodUsage]): Every period of the window, oldest first (empty ones too)
        quota_rejections_complete (bool): False when they were not counted, or only in part
        roles (list[RoleUsage]): A user counts for each of their roles; empty without users:manage
        since (datetime.datetime):
        tenant_id (str):
        totals (Totals):
        until (datetime.datetime):
        users (list[UserUsage]): Most GPU-seconds first
    """

    bucket: UsageBucket
    periods: list[PeriodUsage]
    quota_rejections_complete: bool
    roles: list[RoleUsage]
    since: datetime.datetime
    tenant_id: str
    totals: Totals
    until: datetime.datetime
    users: list[UserUsage]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bucket = self.bucket.value

        periods = []
        for periods_item_data in self.periods:
            periods_item = periods_item_data.to_dict()
            periods.append(periods_item)

        quota_rejections_complete = self.quota_rejections_complete

        roles = []
        for roles_item_data in self.roles:
            roles_item = roles_item_data.to_dict()
            roles.append(roles_item)

        since = self.since.isoformat()

        tenant_id = self.tenant_id

        totals = self.totals.to_dict()

        until = self.until.isoformat()

        users = []
        for users_item_data in self.users:
            users_item = users_item_data.to_dict()
            users.append(users_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bucket": bucket,
                "periods": periods,
                "quota_rejections_complete": quota_rejections_complete,
                "roles": roles,
                "since": since,
                "tenant_id": tenant_id,
                "totals": totals,
                "until": until,
                "users": users,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.period_usage import PeriodUsage  # noqa: PLC0415
        from ..models.role_usage import RoleUsage  # noqa: PLC0415
        from ..models.totals import Totals  # noqa: PLC0415
        from ..models.user_usage import UserUsage  # noqa: PLC0415

        d = dict(src_dict)
        bucket = UsageBucket(d.pop("bucket"))

        periods = []
        _periods = d.pop("periods")
        for periods_item_data in _periods:
            periods_item = PeriodUsage.from_dict(periods_item_data)

            periods.append(periods_item)

        quota_rejections_complete = d.pop("quota_rejections_complete")

        roles = []
        _roles = d.pop("roles")
        for roles_item_data in _roles:
            roles_item = RoleUsage.from_dict(roles_item_data)

            roles.append(roles_item)

        since = datetime.datetime.fromisoformat(d.pop("since"))

        tenant_id = d.pop("tenant_id")

        totals = Totals.from_dict(d.pop("totals"))

        until = datetime.datetime.fromisoformat(d.pop("until"))

        users = []
        _users = d.pop("users")
        for users_item_data in _users:
            users_item = UserUsage.from_dict(users_item_data)

            users.append(users_item)

        usage = cls(
            bucket=bucket,
            periods=periods,
            quota_rejections_complete=quota_rejections_complete,
            roles=roles,
            since=since,
            tenant_id=tenant_id,
            totals=totals,
            until=until,
            users=users,
        )

        usage.additional_properties = d
        return usage

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
