from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="UserUsage")


@_attrs_define
class UserUsage:
    """
    Attributes:
        user_id (str):
        failed (int | Unset):  Default: 0.
        gpu_seconds (float | Unset):  Default: 0.0.
        images (int | Unset):  Default: 0.
        jobs (int | Unset):  Default: 0.
        quota_rejections (int | None | Unset): null where they were not counted
        roles (list[str] | Unset):
        username (None | str | Unset):
    """

    user_id: str
    failed: int | Unset = 0
    gpu_seconds: float | Unset = 0.0
    images: int | Unset = 0
    jobs: int | Unset = 0
    quota_rejections: int | None | Unset = UNSET
    roles: list[str] | Unset = UNSET
    username: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        user_id = self.user_id

        failed = self.failed

        gpu_seconds = self.gpu_seconds

        images = self.images

        jobs = self.jobs

        quota_rejections: int | None | Unset
        if isinstance(self.quota_rejections, Unset):
            quota_rejections = UNSET
        else:
            quota_rejections = self.quota_rejections

        roles: list[str] | Unset = UNSET
        if not isinstance(self.roles, Unset):
            roles = self.roles

        username: None | str | Unset
        if isinstance(self.username, Unset):
            username = UNSET
        else:
            username = self.username

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "user_id": user_id,
            }
        )
        if failed is not UNSET:
            field_dict["failed"] = failed
        if gpu_seconds is not UNSET:
            field_dict["gpu_seconds"] = gpu_seconds
        if images is not UNSET:
            field_dict["images"] = images
        if jobs is not UNSET:
            field_dict["jobs"] = jobs
        if quota_rejections is not UNSET:
            field_dict["quota_rejections"] = quota_rejections
        if roles is not UNSET:
            field_dict["roles"] = roles
        if username is not UNSET:
            field_dict["username"] = username

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        user_id = d.pop("user_id")

        failed = d.pop("failed", UNSET)

        gpu_seconds = d.pop("gpu_seconds", UNSET)

        images = d.pop("images", UNSET)

        jobs = d.pop("jobs", UNSET)

        def _parse_quota_rejections(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        quota_rejections = _parse_quota_rejections(d.pop("quota_rejections", UNSET))

        roles = cast(list[str], d.pop("roles", UNSET))

        def _parse_username(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        username = _parse_username(d.pop("username", UNSET))

        user_usage = cls(
            user_id=user_id,
            failed=failed,
            gpu_seconds=gpu_seconds,
            images=images,
            jobs=jobs,
            quota_rejections=quota_rejections,
            roles=roles,
            username=username,
        )

        user_usage.additional_properties = d
        return user_usage

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
