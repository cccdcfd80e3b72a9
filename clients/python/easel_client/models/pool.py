from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.pool_source_type_0 import PoolSourceType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.pool_node_selector_type_0 import PoolNodeSelectorType0


T = TypeVar("T", bound="Pool")


@_attrs_define
class Pool:
    """A worker pool: the GPU workers one job queue feeds.

    Attributes:
        created_at (datetime.datetime):
        name (str): A subject token and part of a consumer name.
        updated_at (datetime.datetime):
        cooldown_seconds (int | None | Unset): How long a pool's queue stays empty before a worker above min_workers
            stops. Default: 300.
        description (None | str | Unset):  Default: ''.
        enabled (bool | None | Unset): A disabled pool takes no new jobs. Default: True.
        gpu_type (None | str | Unset): The GPU the workers need: the node label nvidia.com/gpu.product value (e.g.
            NVIDIA-A10G) the Kubernetes controller selects.
        gpus_per_worker (int | None | Unset):  Default: 1.
        instance_type (None | str | Unset): The node label node.kubernetes.io/instance-type value the controller
            selects.
        max_workers (int | None | Unset): At least min_workers. Default: 1.
        min_workers (int | None | Unset):  Default: 0.
        node_selector (None | PoolNodeSelectorType0 | Unset): More node labels the workers' pods need.
        preload_models (list[str] | None | Unset): Model refs its workers load at start.
        queue_depth_target (int | None | Unset): Jobs waiting per worker before another starts. Default: 2.
        roles (list[str] | None | Unset): Roles whose holders may submit to it (they hold pools:use:<name> through the
            pool); the grants roles carry themselves stay.
        source (None | PoolSourceType0 | Unset): config: seeded from EASEL_POOLS or the Helm values, read-only through
            the API. Default: PoolSourceType0.API.
    """

    created_at: datetime.datetime
    name: str
    updated_at: datetime.datetime
    cooldown_seconds: int | None | Unset = 300
    description: None | str | Unset = ""
    enabled: bool | None | Unset = True
    gpu_type: None | str | Unset = UNSET
    gpus_per_worker: int | None | Unset = 1
    instance_type: None | str | Unset = UNSET
    max_workers: int | None | Unset = 1
    min_workers: int | None | Unset = 0
    node_selector: None | PoolNodeSelectorType0 | Unset = UNSET
    preload_models: list[str] | None | Unset = UNSET
    queue_depth_target: int | None | Unset = 2
    roles: list[str] | None | Unset = UNSET
    source: None | PoolSourceType0 | Unset = PoolSourceType0.API
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.pool_node_selector_type_0 import PoolNodeSelectorType0  # noqa: PLC0415

        created_at = self.created_at.isoformat()

        name = self.name

        updated_at = self.updated_at.isoformat()

        cooldown_seconds: int | None | Unset
        if isinstance(self.cooldown_seconds, Unset):
            cooldown_seconds = UNSET
        else:
            cooldown_seconds = self.cooldown_seconds

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        enabled: bool | None | Unset
        if isinstance(self.enabled, Unset):
            enabled = UNSET
        else:
            enabled = self.enabled

        gpu_type: None | str | Unset
        if isinstance(self.gpu_type, Unset):
            gpu_type = UNSET
        else:
            gpu_type = self.gpu_type

        gpus_per_worker: int | None | Unset
        if isinstance(self.gpus_per_worker, Unset):
            gpus_per_worker = UNSET
        else:
            gpus_per_worker = self.gpus_per_worker

        instance_type: None | str | Unset
        if isinstance(self.instance_type, Unset):
            instance_type = UNSET
        else:
            instance_type = self.instance_type

        max_workers: int | None | Unset
        if isinstance(self.max_workers, Unset):
            max_workers = UNSET
        else:
            max_workers = self.max_workers

        min_workers: int | None | Unset
        if isinstance(self.min_workers, Unset):
            min_workers = UNSET
        else:
            min_workers = self.min_workers

        node_selector: dict[str, Any] | None | Unset
        if isinstance(self.node_selector, Unset):
            node_selector = UNSET
        elif isinstance(self.node_selector, PoolNodeSelectorType0):
            node_selector = self.node_selector.to_dict()
        else:
            node_selector = self.node_selector

        preload_models: list[str] | None | Unset
        if isinstance(self.preload_models, Unset):
            preload_models = UNSET
        elif isinstance(self.preload_models, list):
            preload_models = self.preload_models

        else:
            preload_models = self.preload_models

        queue_depth_target: int | None | Unset
        if isinstance(self.queue_depth_target, Unset):
            queue_depth_target = UNSET
        else:
            queue_depth_target = self.queue_depth_target

        roles: list[str] | None | Unset
        if isinstance(self.roles, Unset):
            roles = UNSET
        elif isinstance(self.roles, list):
            roles = self.roles

        else:
            roles = self.roles

        source: None | str | Unset
        if isinstance(self.source, Unset):
            source = UNSET
        elif isinstance(self.source, PoolSourceType0):
            source = self.source.value
        else:
            source = self.source

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "name": name,
                "updated_at": updated_at,
            }
        )
        if cooldown_seconds is not UNSET:
            field_dict["cooldown_seconds"] = cooldown_seconds
        if description is not UNSET:
            field_dict["description"] = description
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if gpu_type is not UNSET:
            field_dict["gpu_type"] = gpu_type
        if gpus_per_worker is not UNSET:
            field_dict["gpus_per_worker"] = gpus_per_worker
        if instance_type is not UNSET:
            field_dict["instance_type"] = instance_type
        if max_workers is not UNSET:
            field_dict["max_workers"] = max_workers
        if min_workers is not UNSET:
            field_dict["min_workers"] = min_workers
        if node_selector is not UNSET:
            field_dict["node_selector"] = node_selector
        if preload_models is not UNSET:
            field_dict["preload_models"] = preload_models
        if queue_depth_target is not UNSET:
            field_dict["queue_depth_target"] = queue_depth_target
        if roles is not UNSET:
            field_dict["roles"] = roles
        if source is not UNSET:
            field_dict["source"] = source

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.pool_node_selector_type_0 import PoolNodeSelectorType0  # noqa: PLC0415

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        name = d.pop("name")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_cooldown_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        cooldown_seconds = _parse_cooldown_seconds(d.pop("cooldown_seconds", UNSET))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_enabled(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        enabled = _parse_enabled(d.pop("enabled", UNSET))

        def _parse_gpu_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        gpu_type = _parse_gpu_type(d.pop("gpu_type", UNSET))

        def _parse_gpus_per_worker(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        gpus_per_worker = _parse_gpus_per_worker(d.pop("gpus_per_worker", UNSET))

        def _parse_instance_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        instance_type = _parse_instance_type(d.pop("instance_type", UNSET))

        def _parse_max_workers(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_workers = _parse_max_workers(d.pop("max_workers", UNSET))

        def _parse_min_workers(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        min_workers = _parse_min_workers(d.pop("min_workers", UNSET))

        def _parse_node_selector(data: object) -> None | PoolNodeSelectorType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                node_selector_type_0 = PoolNodeSelectorType0.from_dict(data)

                return node_selector_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PoolNodeSelectorType0 | Unset, data)

        node_selector = _parse_node_selector(d.pop("node_selector", UNSET))

        def _parse_preload_models(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                preload_models_type_0 = cast(list[str], data)

                return preload_models_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        preload_models = _parse_preload_models(d.pop("preload_models", UNSET))

        def _parse_queue_depth_target(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        queue_depth_target = _parse_queue_depth_target(d.pop("queue_depth_target", UNSET))

        def _parse_roles(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                roles_type_0 = cast(list[str], data)

                return roles_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        roles = _parse_roles(d.pop("roles", UNSET))

        def _parse_source(data: object) -> None | PoolSourceType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                source_type_0 = PoolSourceType0(data)

                return source_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PoolSourceType0 | Unset, data)

        source = _parse_source(d.pop("source", UNSET))

        pool = cls(
            created_at=created_at,
            name=name,
            updated_at=updated_at,
            cooldown_seconds=cooldown_seconds,
            description=description,
            enabled=enabled,
            gpu_type=gpu_type,
            gpus_per_worker=gpus_per_worker,
            instance_type=instance_type,
            max_workers=max_workers,
            min_workers=min_workers,
            node_selector=node_selector,
            preload_models=preload_models,
            queue_depth_target=queue_depth_target,
            roles=roles,
            source=source,
        )

        pool.additional_properties = d
        return pool

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
