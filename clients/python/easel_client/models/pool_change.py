from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.pool import Pool


T = TypeVar("T", bound="PoolChange")


@_attrs_define
class PoolChange:
    """
    Attributes:
        pool (Pool): A worker pool: the GPU workers one job queue feeds.
        failed_jobs (int | Unset): Queued jobs failed (no move_to) Default: 0.
        moved_jobs (int | Unset): Queued jobs moved to move_to Default: 0.
    """

    pool: Pool
    failed_jobs: int | Unset = 0
    moved_jobs: int | Unset = 0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        pool = self.pool.to_dict()

        failed_jobs = self.failed_jobs

        moved_jobs = self.moved_jobs

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "pool": pool,
            }
        )
        if failed_jobs is not UNSET:
            field_dict["failed_jobs"] = failed_jobs
        if moved_jobs is not UNSET:
            field_dict["moved_jobs"] = moved_jobs

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.pool import Pool  # noqa: PLC0415

        d = dict(src_dict)
        pool = Pool.from_dict(d.pop("pool"))

        failed_jobs = d.pop("failed_jobs", UNSET)

        moved_jobs = d.pop("moved_jobs", UNSET)

        pool_change = cls(
            pool=pool,
            failed_jobs=failed_jobs,
            moved_jobs=moved_jobs,
        )

        pool_change.additional_properties = d
        return pool_change

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
