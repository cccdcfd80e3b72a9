from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Quotas")


@_attrs_define
class Quotas:
    """Limits on a user; null means not set here (a user's own falls back to their roles', then to the deployment's
    default; null in effect is unlimited). Each value has a sane range.

        Attributes:
            burst (int | None | Unset): Token bucket size; defaults to twice the rate.
            gpu_seconds_per_month (float | None | Unset): Generation seconds used per UTC month.
            images_per_day (int | None | Unset): Images (not jobs) submitted per UTC day.
            max_concurrent_jobs (int | None | Unset): Queued plus running jobs at once.
            max_concurrent_trainings (int | None | Unset): Queued plus running trainings at once.
            requests_per_second (float | None | Unset): Sustained API request rate (token bucket refill), from one request
                per 1000 s up.
            storage_bytes (int | None | Unset): Tenant-wide only (a tenant's quotas; a user or role cannot set it): bytes
                the tenant may keep in the object store (models, datasets, images, inputs, trainings). New imports, dataset
                uploads, jobs and trainings are refused while the tenant is at or over it.
    """

    burst: int | None | Unset = UNSET
    gpu_seconds_per_month: float | None | Unset = UNSET
    images_per_day: int | None | Unset = UNSET
    max_concurrent_jobs: int | None | Unset = UNSET
    max_concurrent_trainings: int | None | Unset = UNSET
    requests_per_second: float | None | Unset = UNSET
    storage_bytes: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        burst: int | None | Unset
        if isinstance(self.burst, Unset):
            burst = UNSET
        else:
            burst = self.burst

        gpu_seconds_per_month: float | None | Unset
        if isinstance(self.gpu_seconds_per_month, Unset):
            gpu_seconds_per_month = UNSET
        else:
            gpu_seconds_per_month = self.gpu_seconds_per_month

        images_per_day: int | None | Unset
        if isinstance(self.images_per_day, Unset):
            images_per_day = UNSET
        else:
            images_per_day = self.images_per_day

        max_concurrent_jobs: int | None | Unset
        if isinstance(self.max_concurrent_jobs, Unset):
            max_concurrent_jobs = UNSET
        else:
            max_concurrent_jobs = self.max_concurrent_jobs

        max_concurrent_trainings: int | None | Unset
        if isinstance(self.max_concurrent_trainings, Unset):
            max_concurrent_trainings = UNSET
        else:
            max_concurrent_trainings = self.max_concurrent_trainings

        requests_per_second: float | None | Unset
        if isinstance(self.requests_per_second, Unset):
            requests_per_second = UNSET
        else:
            requests_per_second = self.requests_per_second

        storage_bytes: int | None | Unset
        if isinstance(self.storage_bytes, Unset):
            storage_bytes = UNSET
        else:
            storage_bytes = self.storage_bytes

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if burst is not UNSET:
            field_dict["burst"] = burst
        if gpu_seconds_per_month is not UNSET:
            field_dict["gpu_seconds_per_month"] = gpu_seconds_per_month
        if images_per_day is not UNSET:
            field_dict["images_per_day"] = images_per_day
        if max_concurrent_jobs is not UNSET:
            field_dict["max_concurrent_jobs"] = max_concurrent_jobs
        if max_concurrent_trainings is not UNSET:
            field_dict["max_concurrent_trainings"] = max_concurrent_trainings
        if requests_per_second is not UNSET:
            field_dict["requests_per_second"] = requests_per_second
        if storage_bytes is not UNSET:
            field_dict["storage_bytes"] = storage_bytes

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_burst(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        burst = _parse_burst(d.pop("burst", UNSET))

        def _parse_gpu_seconds_per_month(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        gpu_seconds_per_month = _parse_gpu_seconds_per_month(d.pop("gpu_seconds_per_month", UNSET))

        def _parse_images_per_day(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        images_per_day = _parse_images_per_day(d.pop("images_per_day", UNSET))

        def _parse_max_concurrent_jobs(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_concurrent_jobs = _parse_max_concurrent_jobs(d.pop("max_concurrent_jobs", UNSET))

        def _parse_max_concurrent_trainings(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_concurrent_trainings = _parse_max_concurrent_trainings(d.pop("max_concurrent_trainings", UNSET))

        def _parse_requests_per_second(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        requests_per_second = _parse_requests_per_second(d.pop("requests_per_second", UNSET))

        def _parse_storage_bytes(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        storage_bytes = _parse_storage_bytes(d.pop("storage_bytes", UNSET))

        quotas = cls(
            burst=burst,
            gpu_seconds_per_month=gpu_seconds_per_month,
            images_per_day=images_per_day,
            max_concurrent_jobs=max_concurrent_jobs,
            max_concurrent_trainings=max_concurrent_trainings,
            requests_per_second=requests_per_second,
            storage_bytes=storage_bytes,
        )

        return quotas
