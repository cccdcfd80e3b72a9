from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.pool_worker import PoolWorker


T = TypeVar("T", bound="PoolStatus")


@_attrs_define
class PoolStatus:
    """What a pool is doing now.

    Attributes:
        enabled (bool):
        failures_last_hour (int):
        jobs_per_minute (float): Jobs it finished per minute, over the last 15 minutes.
        name (str):
        queue_depth (int): Jobs queued for it, not yet started.
        oldest_waiting_at (datetime.datetime | None | Unset): When the oldest of them was queued.
        workers (list[PoolWorker] | None | Unset):
    """

    enabled: bool
    failures_last_hour: int
    jobs_per_minute: float
    name: str
    queue_depth: int
    oldest_waiting_at: datetime.datetime | None | Unset = UNSET
    workers: list[PoolWorker] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        enabled = self.enabled

        failures_last_hour = self.failures_last_hour

        jobs_per_minute = self.jobs_per_minute

        name = self.name

        queue_depth = self.queue_depth

        oldest_waiting_at: None | str | Unset
        if isinstance(self.oldest_waiting_at, Unset):
            oldest_waiting_at = UNSET
        elif isinstance(self.oldest_waiting_at, datetime.datetime):
            oldest_waiting_at = self.oldest_waiting_at.isoformat()
        else:
            oldest_waiting_at = self.oldest_waiting_at

        workers: list[dict[str, Any]] | None | Unset
        if isinstance(self.workers, Unset):
            workers = UNSET
        elif isinstance(self.workers, list):
            workers = []
            for workers_type_0_item_data in self.workers:
                workers_type_0_item = workers_type_0_item_data.to_dict()
                workers.append(workers_type_0_item)

        else:
            workers = self.workers

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "enabled": enabled,
                "failures_last_hour": failures_last_hour,
                "jobs_per_minute": jobs_per_minute,
                "name": name,
                "queue_depth": queue_depth,
            }
        )
        if oldest_waiting_at is not UNSET:
            field_dict["oldest_waiting_at"] = oldest_waiting_at
        if workers is not UNSET:
            field_dict["workers"] = workers

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.pool_worker import PoolWorker  # noqa: PLC0415

        d = dict(src_dict)
        enabled = d.pop("enabled")

        failures_last_hour = d.pop("failures_last_hour")

        jobs_per_minute = d.pop("jobs_per_minute")

        name = d.pop("name")

        queue_depth = d.pop("queue_depth")

        def _parse_oldest_waiting_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                oldest_waiting_at_type_0 = datetime.datetime.fromisoformat(data)

                return oldest_waiting_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        oldest_waiting_at = _parse_oldest_waiting_at(d.pop("oldest_waiting_at", UNSET))

        def _parse_workers(data: object) -> list[PoolWorker] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                workers_type_0 = []
                _workers_type_0 = data
                for workers_type_0_item_data in _workers_type_0:
                    workers_type_0_item = PoolWorker.from_dict(workers_type_0_item_data)

                    workers_type_0.append(workers_type_0_item)

                return workers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[PoolWorker] | None | Unset, data)

        workers = _parse_workers(d.pop("workers", UNSET))

        pool_status = cls(
            enabled=enabled,
            failures_last_hour=failures_last_hour,
            jobs_per_minute=jobs_per_minute,
            name=name,
            queue_depth=queue_depth,
            oldest_waiting_at=oldest_waiting_at,
            workers=workers,
        )

        pool_status.additional_properties = d
        return pool_status

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
