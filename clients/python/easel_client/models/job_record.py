from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.job_status import JobStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.error import Error
    from ..models.generation_spec import GenerationSpec
    from ..models.image_ref import ImageRef
    from ..models.progress import Progress
    from ..models.timings import Timings


T = TypeVar("T", bound="JobRecord")


@_attrs_define
class JobRecord:
    """A job as its owner sees it.

    Attributes:
        created_at (datetime.datetime):
        id (str):
        pool (str):
        spec (GenerationSpec): A fully resolved generation: what a worker runs, nothing left to defaults.
        status (JobStatus):
        tenant_id (str):
        timings (Timings):
        user_id (str):
        attempts (int | None | Unset):  Default: 0.
        cancel_requested (bool | None | Unset):  Default: False.
        error (Error | None | Unset):
        expired_at (datetime.datetime | None | Unset): When its images and inputs were deleted under its tenant's
            retention (they then answer 410).
        finished_at (datetime.datetime | None | Unset):
        images (list[ImageRef] | None | Unset):
        model_id (None | str | Unset): A merge job's new model, once registered (GET /v1/models/{model_id}).
        progress (None | Progress | Unset):
        queue_position (int | None | Unset): While the job is queued: how many queued jobs of its pool (anyone's) were
            submitted before it, 0 = next to start; null otherwise, and on list items.
        started_at (datetime.datetime | None | Unset):
    """

    created_at: datetime.datetime
    id: str
    pool: str
    spec: GenerationSpec
    status: JobStatus
    tenant_id: str
    timings: Timings
    user_id: str
    attempts: int | None | Unset = 0
    cancel_requested: bool | None | Unset = False
    error: Error | None | Unset = UNSET
    expired_at: datetime.datetime | None | Unset = UNSET
    finished_at: datetime.datetime | None | Unset = UNSET
    images: list[ImageRef] | None | Unset = UNSET
    model_id: None | str | Unset = UNSET
    progress: None | Progress | Unset = UNSET
    queue_position: int | None | Unset = UNSET
    started_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.error import Error  # noqa: PLC0415
        from ..models.progress import Progress  # noqa: PLC0415

        created_at = self.created_at.isoformat()

        id = self.id

        pool = self.pool

        spec = self.spec.to_dict()

        status = self.status.value

        tenant_id = self.tenant_id

        timings = self.timings.to_dict()

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

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, Error):
            error = self.error.to_dict()
        else:
            error = self.error

        expired_at: None | str | Unset
        if isinstance(self.expired_at, Unset):
            expired_at = UNSET
        elif isinstance(self.expired_at, datetime.datetime):
            expired_at = self.expired_at.isoformat()
        else:
            expired_at = self.expired_at

        finished_at: None | str | Unset
        if isinstance(self.finished_at, Unset):
            finished_at = UNSET
        elif isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        images: list[dict[str, Any]] | None | Unset
        if isinstance(self.images, Unset):
            images = UNSET
        elif isinstance(self.images, list):
            images = []
            for images_type_0_item_data in self.images:
                images_type_0_item = images_type_0_item_data.to_dict()
                images.append(images_type_0_item)

        else:
            images = self.images

        model_id: None | str | Unset
        if isinstance(self.model_id, Unset):
            model_id = UNSET
        else:
            model_id = self.model_id

        progress: dict[str, Any] | None | Unset
        if isinstance(self.progress, Unset):
            progress = UNSET
        elif isinstance(self.progress, Progress):
            progress = self.progress.to_dict()
        else:
            progress = self.progress

        queue_position: int | None | Unset
        if isinstance(self.queue_position, Unset):
            queue_position = UNSET
        else:
            queue_position = self.queue_position

        started_at: None | str | Unset
        if isinstance(self.started_at, Unset):
            started_at = UNSET
        elif isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "pool": pool,
                "spec": spec,
                "status": status,
                "tenant_id": tenant_id,
                "timings": timings,
                "user_id": user_id,
            }
        )
        if attempts is not UNSET:
            field_dict["attempts"] = attempts
        if cancel_requested is not UNSET:
            field_dict["cancel_requested"] = cancel_requested
        if error is not UNSET:
            field_dict["error"] = error
        if expired_at is not UNSET:
            field_dict["expired_at"] = expired_at
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at
        if images is not UNSET:
            field_dict["images"] = images
        if model_id is not UNSET:
            field_dict["model_id"] = model_id
        if progress is not UNSET:
            field_dict["progress"] = progress
        if queue_position is not UNSET:
            field_dict["queue_position"] = queue_position
        if started_at is not UNSET:
            field_dict["started_at"] = started_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.error import Error  # noqa: PLC0415
        from ..models.generation_spec import GenerationSpec  # noqa: PLC0415
        from ..models.image_ref import ImageRef  # noqa: PLC0415
        from ..models.progress import Progress  # noqa: PLC0415
        from ..models.timings import Timings  # noqa: PLC0415

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = d.pop("id")

        pool = d.pop("pool")

        spec = GenerationSpec.from_dict(d.pop("spec"))

        status = JobStatus(d.pop("status"))

        tenant_id = d.pop("tenant_id")

        timings = Timings.from_dict(d.pop("timings"))

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

        def _parse_expired_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expired_at_type_0 = datetime.datetime.fromisoformat(data)

                return expired_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        expired_at = _parse_expired_at(d.pop("expired_at", UNSET))

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

        def _parse_images(data: object) -> list[ImageRef] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                images_type_0 = []
                _images_type_0 = data
                for images_type_0_item_data in _images_type_0:
                    images_type_0_item = ImageRef.from_dict(images_type_0_item_data)

                    images_type_0.append(images_type_0_item)

                return images_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ImageRef] | None | Unset, data)

        images = _parse_images(d.pop("images", UNSET))

        def _parse_model_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model_id = _parse_model_id(d.pop("model_id", UNSET))

        def _parse_progress(data: object) -> None | Progress | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                progress_type_0 = Progress.from_dict(data)

                return progress_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Progress | Unset, data)

        progress = _parse_progress(d.pop("progress", UNSET))

        def _parse_queue_position(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        queue_position = _parse_queue_position(d.pop("queue_position", UNSET))

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

        job_record = cls(
            created_at=created_at,
            id=id,
            pool=pool,
            spec=spec,
            status=status,
            tenant_id=tenant_id,
            timings=timings,
            user_id=user_id,
            attempts=attempts,
            cancel_requested=cancel_requested,
            error=error,
            expired_at=expired_at,
            finished_at=finished_at,
            images=images,
            model_id=model_id,
            progress=progress,
            queue_position=queue_position,
            started_at=started_at,
        )

        job_record.additional_properties = d
        return job_record

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
