from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.pool_update_node_selector_type_0 import PoolUpdateNodeSelectorType0


T = TypeVar("T", bound="PoolUpdate")


@_attrs_define
class PoolUpdate:
    """A change to a pool: only the fields given change (PATCH).

    Attributes:
        cooldown_seconds (int | None | Unset): How long a pool's queue stays empty before a worker above min_workers
            stops.
        description (None | str | Unset):
        enabled (bool | None | Unset): A disabled pool takes no new jobs.
        gpu_type (None | str | Unset): The GPU the workers need: the node label nvidia.com/gpu.product value (e.g.
            NVIDIA-A10G) the Kubernetes controller selects.
        gpus_per_worker (int | None | Unset):
        instance_type (None | str | Unset): The node label node.kubernetes.io/instance-type value the controller
            selects.
        max_workers (int | None | Unset): At least min_workers.
        min_workers (int | None | Unset):
        node_selector (None | PoolUpdateNodeSelectorType0 | Unset): More node labels the workers' pods need.
        preload_models (list[str] | None | Unset): Model refs its workers load at start.
        queue_depth_target (int | None | Unset): Jobs waiting per worker before another starts.
        roles (list[str] | None | Unset): Roles whose holders may submit to it (they hold pools:use:<name> through the
            pool); the grants roles carry themselves stay.
    """

    cooldown_seconds: int | None | Unset = UNSET
    description: None | str | Unset = UNSET
    enabled: bool | None | Unset = UNSET
    gpu_type: None | str | Unset = UNSET
    gpus_per_worker: int | None | Unset = UNSET
    instance_type: None | str | Unset = UNSET
    max_workers: int | None | Unset = UNSET
    min_workers: int | None | Unset = UNSET
    node_selector: None | PoolUpdateNodeSelectorType0 | Unset = UNSET
    preload_models: list[str] | None | Unset = UNSET
    queue_depth_target: int | None | Unset = UNSET
    roles: list[str] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.pool_update_node_selector_type_0 import PoolUpdateNodeSelectorType0  # noqa: PLC0415

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
        elif isinstance(self.node_selector, PoolUpdateNodeSelectorType0):
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

        field_dict: dict[str, Any] = {}

        field_dict.update({})
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

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.pool_update_node_selector_type_0 import PoolUpdateNodeSelectorType0  # noqa: PLC0415

        d = dict(src_dict)

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

        def _parse_node_selector(data: object) -> None | PoolUpdateNodeSelectorType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                node_selector_type_0 = PoolUpdateNodeSelectorType0.from_dict(data)

                return node_selector_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PoolUpdateNodeSelectorType0 | Unset, data)

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

        pool_update = cls(
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
        )

        return pool_update
