from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ScriptArg")


@_attrs_define
class ScriptArg:
    """
    Attributes:
        choices (list[str] | None):
        label (str):
        maximum (Any):
        minimum (Any):
        step (Any):
        value (Any):
    """

    choices: list[str] | None
    label: str
    maximum: Any
    minimum: Any
    step: Any
    value: Any
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        choices: list[str] | None
        if isinstance(self.choices, list):
            choices = self.choices

        else:
            choices = self.choices

        label = self.label

        maximum = self.maximum

        minimum = self.minimum

        step = self.step

        value = self.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "choices": choices,
                "label": label,
                "maximum": maximum,
                "minimum": minimum,
                "step": step,
                "value": value,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_choices(data: object) -> list[str] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                choices_type_0 = cast(list[str], data)

                return choices_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None, data)

        choices = _parse_choices(d.pop("choices"))

        label = d.pop("label")

        maximum = d.pop("maximum")

        minimum = d.pop("minimum")

        step = d.pop("step")

        value = d.pop("value")

        script_arg = cls(
            choices=choices,
            label=label,
            maximum=maximum,
            minimum=minimum,
            step=step,
            value=value,
        )

        script_arg.additional_properties = d
        return script_arg

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
