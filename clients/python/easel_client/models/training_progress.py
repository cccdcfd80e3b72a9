from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TrainingProgress")


@_attrs_define
class TrainingProgress:
    """One optimizer step's figures.

    Attributes:
        elapsed_s (float): Seconds since the run (re)started.
        epoch (int):
        loss (float): The step's loss (mean over its micro-batches).
        lr (float): The first parameter group's learning rate for the step.
        samples_per_s (float): Training images per second since the run (re)started.
        step (int):
        total_steps (int):
        eta_s (float | None | Unset):
    """

    elapsed_s: float
    epoch: int
    loss: float
    lr: float
    samples_per_s: float
    step: int
    total_steps: int
    eta_s: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        elapsed_s = self.elapsed_s

        epoch = self.epoch

        loss = self.loss

        lr = self.lr

        samples_per_s = self.samples_per_s

        step = self.step

        total_steps = self.total_steps

        eta_s: float | None | Unset
        if isinstance(self.eta_s, Unset):
            eta_s = UNSET
        else:
            eta_s = self.eta_s

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "elapsed_s": elapsed_s,
                "epoch": epoch,
                "loss": loss,
                "lr": lr,
                "samples_per_s": samples_per_s,
                "step": step,
                "total_steps": total_steps,
            }
        )
        if eta_s is not UNSET:
            field_dict["eta_s"] = eta_s

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        elapsed_s = d.pop("elapsed_s")

        epoch = d.pop("epoch")

        loss = d.pop("loss")

        lr = d.pop("lr")

        samples_per_s = d.pop("samples_per_s")

        step = d.pop("step")

        total_steps = d.pop("total_steps")

        def _parse_eta_s(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        eta_s = _parse_eta_s(d.pop("eta_s", UNSET))

        training_progress = cls(
            elapsed_s=elapsed_s,
            epoch=epoch,
            loss=loss,
            lr=lr,
            samples_per_s=samples_per_s,
            step=step,
            total_steps=total_steps,
            eta_s=eta_s,
        )

        training_progress.additional_properties = d
        return training_progress

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
