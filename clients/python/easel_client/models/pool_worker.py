from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.pool_worker_state import PoolWorkerState
from ..types import UNSET, Unset

T = TypeVar("T", bound="PoolWorker")


@_attrs_define
class PoolWorker:
    """One worker of a pool, from its presence.

    Attributes:
        last_seen (datetime.datetime):
        state (PoolWorkerState):
        worker_id (str):
        gpu_memory_free_mb (int | None | Unset):
        gpu_memory_used_mb (int | None | Unset):
        job_id (None | str | Unset):
        models (list[str] | None | Unset): Models in memory.
    """

    last_seen: datetime.datetime
    state: PoolWorkerState
    worker_id: str
    gpu_memory_free_mb: int | None | Unset = UNSET
    gpu_memory_used_mb: int | None | Unset = UNSET
    job_id: None | str | Unset = UNSET
    models: list[str] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        last_seen = self.last_seen.isoformat()

        state = self.state.value

        worker_id = self.worker_id

        gpu_memory_free_mb: int | None | Unset
        if isinstance(self.gpu_memory_free_mb, Unset):
            gpu_memory_free_mb = UNSET
        else:
            gpu_memory_free_mb = self.gpu_memory_free_mb

        gpu_memory_used_mb: int | None | Unset
        if isinstance(self.gpu_memory_used_mb, Unset):
            gpu_memory_used_mb = UNSET
        else:
            gpu_memory_used_mb = self.gpu_memory_used_mb

        job_id: None | str | Unset
        if isinstance(self.job_id, Unset):
            job_id = UNSET
        else:
            job_id = self.job_id

        models: list[str] | None | Unset
        if isinstance(self.models, Unset):
            models = UNSET
        elif isinstance(self.models, list):
            models = self.models

        else:
            models = self.models

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "last_seen": last_seen,
                "state": state,
                "worker_id": worker_id,
            }
        )
        if gpu_memory_free_mb is not UNSET:
            field_dict["gpu_memory_free_mb"] = gpu_memory_free_mb
        if gpu_memory_used_mb is not UNSET:
            field_dict["gpu_memory_used_mb"] = gpu_memory_used_mb
        if job_id is not UNSET:
            field_dict["job_id"] = job_id
        if models is not UNSET:
            field_dict["models"] = models

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        last_seen = datetime.datetime.fromisoformat(d.pop("last_seen"))

        state = PoolWorkerState(d.pop("state"))

        worker_id = d.pop("worker_id")

        def _parse_gpu_memory_free_mb(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        gpu_memory_free_mb = _parse_gpu_memory_free_mb(d.pop("gpu_memory_free_mb", UNSET))

        def _parse_gpu_memory_used_mb(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        gpu_memory_used_mb = _parse_gpu_memory_used_mb(d.pop("gpu_memory_used_mb", UNSET))

        def _parse_job_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        job_id = _parse_job_id(d.pop("job_id", UNSET))

        def _parse_models(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                models_type_0 = cast(list[str], data)

                return models_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        models = _parse_models(d.pop("models", UNSET))

        pool_worker = cls(
            last_seen=last_seen,
            state=state,
            worker_id=worker_id,
            gpu_memory_free_mb=gpu_memory_free_mb,
            gpu_memory_used_mb=gpu_memory_used_mb,
            job_id=job_id,
            models=models,
        )

        pool_worker.additional_properties = d
        return pool_worker

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
