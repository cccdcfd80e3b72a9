from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.training_method import TrainingMethod
from ..models.training_status import TrainingStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.error import Error
    from ..models.training_checkpoint import TrainingCheckpoint
    from ..models.training_class_images import TrainingClassImages
    from ..models.training_progress import TrainingProgress
    from ..models.training_request import TrainingRequest
    from ..models.training_sample import TrainingSample


T = TypeVar("T", bound="TrainingRecord")


@_attrs_define
class TrainingRecord:
    """A training as the API shows it.

    Attributes:
        base_model (str): The base checkpoint's id.
        created_at (datetime.datetime):
        dataset (str): The dataset's id.
        id (str):
        method (TrainingMethod):
        name (str):
        pool (str):
        request (TrainingRequest): What a user asks for (POST /v1/trainings): a method, a base model and a dataset by
            reference, and the run's settings; the gateway turns it into a TrainingSpec.
        status (TrainingStatus):
        tenant_id (str):
        user_id (str):
        attempts (int | None | Unset):  Default: 0.
        cancel_requested (bool | None | Unset):  Default: False.
        checkpoints (list[TrainingCheckpoint] | None | Unset): The intermediate models kept at checkpoint steps (while
            it runs, and after it succeeds; a failed or canceled training's are removed).
        class_images (None | TrainingClassImages | Unset): The class images generated before training (preparing), when
            the training generates any.
        error (Error | None | Unset):
        finished_at (datetime.datetime | None | Unset):
        gpu_seconds (float | None | Unset):  Default: 0.0.
        model_id (None | str | Unset): The registered model (succeeded).
        progress (None | TrainingProgress | Unset): The last step's figures (loss, lr, ETA) while it runs.
        run (None | str | Unset): The SHA-256 of the launched run's lease (null until launched): only events carrying
            that lease are the training's run's.
        samples (list[TrainingSample] | None | Unset):
        started_at (datetime.datetime | None | Unset):
        step (int | None | Unset):  Default: 0.
        total_steps (int | None | Unset):
    """

    base_model: str
    created_at: datetime.datetime
    dataset: str
    id: str
    method: TrainingMethod
    name: str
    pool: str
    request: TrainingRequest
    status: TrainingStatus
    tenant_id: str
    user_id: str
    attempts: int | None | Unset = 0
    cancel_requested: bool | None | Unset = False
    checkpoints: list[TrainingCheckpoint] | None | Unset = UNSET
    class_images: None | TrainingClassImages | Unset = UNSET
    error: Error | None | Unset = UNSET
    finished_at: datetime.datetime | None | Unset = UNSET
    gpu_seconds: float | None | Unset = 0.0
    model_id: None | str | Unset = UNSET
    progress: None | TrainingProgress | Unset = UNSET
    run: None | str | Unset = UNSET
    samples: list[TrainingSample] | None | Unset = UNSET
    started_at: datetime.datetime | None | Unset = UNSET
    step: int | None | Unset = 0
    total_steps: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.error import Error  # noqa: PLC0415
        from ..models.training_class_images import TrainingClassImages  # noqa: PLC0415
        from ..models.training_progress import TrainingProgress  # noqa: PLC0415

        base_model = self.base_model

        created_at = self.created_at.isoformat()

        dataset = self.dataset

        id = self.id

        method = self.method.value

        name = self.name

        pool = self.pool

        request = self.request.to_dict()

        status = self.status.value

        tenant_id = self.tenant_id

        user_id = self.user_id

        attempts: int | None | Unset
        if isinstance(self.attempts, Unset):
            attempts = UNSET
        else:
            attempts = self.attempts

        cancel_requested: bool | None | Unset
        if isinstance(self.cancel_requested, Unset):
            cancel_requested = UNSET
        else:
            cancel_requested = self.cancel_requested

        checkpoints: list[dict[str, Any]] | None | Unset
        if isinstance(self.checkpoints, Unset):
            checkpoints = UNSET
        elif isinstance(self.checkpoints, list):
            checkpoints = []
            for checkpoints_type_0_item_data in self.checkpoints:
                checkpoints_type_0_item = checkpoints_type_0_item_data.to_dict()
                checkpoints.append(checkpoints_type_0_item)

        else:
            checkpoints = self.checkpoints

        class_images: dict[str, Any] | None | Unset
        if isinstance(self.class_images, Unset):
            class_images = UNSET
        elif isinstance(self.class_images, TrainingClassImages):
            class_images = self.class_images.to_dict()
        else:
            class_images = self.class_images

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, Error):
            error = self.error.to_dict()
        else:
            error = self.error

        finished_at: None | str | Unset
        if isinstance(self.finished_at, Unset):
            finished_at = UNSET
        elif isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        gpu_seconds: float | None | Unset
        if isinstance(self.gpu_seconds, Unset):
            gpu_seconds = UNSET
        else:
            gpu_seconds = self.gpu_seconds

        model_id: None | str | Unset
        if isinstance(self.model_id, Unset):
            model_id = UNSET
        else:
            model_id = self.model_id

        progress: dict[str, Any] | None | Unset
        if isinstance(self.progress, Unset):
            progress = UNSET
        elif isinstance(self.progress, TrainingProgress):
            progress = self.progress.to_dict()
        else:
            progress = self.progress

        run: None | str | Unset
        if isinstance(self.run, Unset):
            run = UNSET
        else:
            run = self.run

        samples: list[dict[str, Any]] | None | Unset
        if isinstance(self.samples, Unset):
            samples = UNSET
        elif isinstance(self.samples, list):
            samples = []
            for samples_type_0_item_data in self.samples:
                samples_type_0_item = samples_type_0_item_data.to_dict()
                samples.append(samples_type_0_item)

        else:
            samples = self.samples

        started_at: None | str | Unset
        if isinstance(self.started_at, Unset):
            started_at = UNSET
        elif isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        step: int | None | Unset
        if isinstance(self.step, Unset):
            step = UNSET
        else:
            step = self.step

        total_steps: int | None | Unset
        if isinstance(self.total_steps, Unset):
            total_steps = UNSET
        else:
            total_steps = self.total_steps

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "base_model": base_model,
                "created_at": created_at,
                "dataset": dataset,
                "id": id,
                "method": method,
                "name": name,
                "pool": pool,
                "request": request,
                "status": status,
                "tenant_id": tenant_id,
                "user_id": user_id,
            }
        )
        if attempts is not UNSET:
            field_dict["attempts"] = attempts
        if cancel_requested is not UNSET:
            field_dict["cancel_requested"] = cancel_requested
        if checkpoints is not UNSET:
            field_dict["checkpoints"] = checkpoints
        if class_images is not UNSET:
            field_dict["class_images"] = class_images
        if error is not UNSET:
            field_dict["error"] = error
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at
        if gpu_seconds is not UNSET:
            field_dict["gpu_seconds"] = gpu_seconds
        if model_id is not UNSET:
            field_dict["model_id"] = model_id
        if progress is not UNSET:
            field_dict["progress"] = progress
        if run is not UNSET:
            field_dict["run"] = run
        if samples is not UNSET:
            field_dict["samples"] = samples
        if started_at is not UNSET:
            field_dict["started_at"] = started_at
        if step is not UNSET:
            field_dict["step"] = step
        if total_steps is not UNSET:
            field_dict["total_steps"] = total_steps

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.error import Error  # noqa: PLC0415
        from ..models.training_checkpoint import TrainingCheckpoint  # noqa: PLC0415
        from ..models.training_class_images import TrainingClassImages  # noqa: PLC0415
        from ..models.training_progress import TrainingProgress  # noqa: PLC0415
        from ..models.training_request import TrainingRequest  # noqa: PLC0415
        from ..models.training_sample import TrainingSample  # noqa: PLC0415

        d = dict(src_dict)
        base_model = d.pop("base_model")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        dataset = d.pop("dataset")

        id = d.pop("id")

        method = TrainingMethod(d.pop("method"))

        name = d.pop("name")

        pool = d.pop("pool")

        request = TrainingRequest.from_dict(d.pop("request"))

        status = TrainingStatus(d.pop("status"))

        tenant_id = d.pop("tenant_id")

        user_id = d.pop("user_id")

        def _parse_attempts(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        attempts = _parse_attempts(d.pop("attempts", UNSET))

        def _parse_cancel_requested(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        cancel_requested = _parse_cancel_requested(d.pop("cancel_requested", UNSET))

        def _parse_checkpoints(data: object) -> list[TrainingCheckpoint] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                checkpoints_type_0 = []
                _checkpoints_type_0 = data
                for checkpoints_type_0_item_data in _checkpoints_type_0:
                    checkpoints_type_0_item = TrainingCheckpoint.from_dict(checkpoints_type_0_item_data)

                    checkpoints_type_0.append(checkpoints_type_0_item)

                return checkpoints_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[TrainingCheckpoint] | None | Unset, data)

        checkpoints = _parse_checkpoints(d.pop("checkpoints", UNSET))

        def _parse_class_images(data: object) -> None | TrainingClassImages | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                class_images_type_0 = TrainingClassImages.from_dict(data)

                return class_images_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TrainingClassImages | Unset, data)

        class_images = _parse_class_images(d.pop("class_images", UNSET))

        def _parse_error(data: object) -> Error | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = Error.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Error | None | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_finished_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        finished_at = _parse_finished_at(d.pop("finished_at", UNSET))

        def _parse_gpu_seconds(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        gpu_seconds = _parse_gpu_seconds(d.pop("gpu_seconds", UNSET))

        def _parse_model_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model_id = _parse_model_id(d.pop("model_id", UNSET))

        def _parse_progress(data: object) -> None | TrainingProgress | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                progress_type_0 = TrainingProgress.from_dict(data)

                return progress_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TrainingProgress | Unset, data)

        progress = _parse_progress(d.pop("progress", UNSET))

        def _parse_run(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        run = _parse_run(d.pop("run", UNSET))

        def _parse_samples(data: object) -> list[TrainingSample] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                samples_type_0 = []
                _samples_type_0 = data
                for samples_type_0_item_data in _samples_type_0:
                    samples_type_0_item = TrainingSample.from_dict(samples_type_0_item_data)

                    samples_type_0.append(samples_type_0_item)

                return samples_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[TrainingSample] | None | Unset, data)

        samples = _parse_samples(d.pop("samples", UNSET))

        def _parse_started_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        started_at = _parse_started_at(d.pop("started_at", UNSET))

        def _parse_step(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        step = _parse_step(d.pop("step", UNSET))

        def _parse_total_steps(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        total_steps = _parse_total_steps(d.pop("total_steps", UNSET))

        training_record = cls(
            base_model=base_model,
            created_at=created_at,
            dataset=dataset,
            id=id,
            method=method,
            name=name,
            pool=pool,
            request=request,
            status=status,
            tenant_id=tenant_id,
            user_id=user_id,
            attempts=attempts,
            cancel_requested=cancel_requested,
            checkpoints=checkpoints,
            class_images=class_images,
            error=error,
            finished_at=finished_at,
            gpu_seconds=gpu_seconds,
            model_id=model_id,
            progress=progress,
            run=run,
            samples=samples,
            started_at=started_at,
            step=step,
            total_steps=total_steps,
        )

        training_record.additional_properties = d
        return training_record

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
