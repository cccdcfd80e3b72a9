from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TrainingClassImages")


@_attrs_define
class TrainingClassImages:
    """The class images a training generates before it trains (dreambooth prior preservation).

    Attributes:
        total (int): How many it generates.
        done (int | None | Unset): How many are generated so far. Default: 0.
        job_ids (list[str] | None | Unset): The owner's txt2img jobs that generate them, in order.
    """

    total: int
    done: int | None | Unset = 0
    job_ids: list[str] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        total = self.total

        done: int | None | Unset
        if isinstance(self.done, Unset):
            done = UNSET
        else:
            done = self.done

        job_ids: list[str] | None | Unset
        if isinstance(self.job_ids, Unset):
            job_ids = UNSET
        elif isinstance(self.job_ids, list):
            job_ids = self.job_ids

        else:
            job_ids = self.job_ids

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "total": total,
            }
        )
        if done is not UNSET:
            field_dict["done"] = done
        if job_ids is not UNSET:
            field_dict["job_ids"] = job_ids

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        total = d.pop("total")

        def _parse_done(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        done = _parse_done(d.pop("done", UNSET))

        def _parse_job_ids(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                job_ids_type_0 = cast(list[str], data)

                return job_ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        job_ids = _parse_job_ids(d.pop("job_ids", UNSET))

        training_class_images = cls(
            total=total,
            done=done,
            job_ids=job_ids,
        )

        training_class_images.additional_properties = d
        return training_class_images

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
