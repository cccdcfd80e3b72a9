from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.generation_response_parameters import GenerationResponseParameters


T = TypeVar("T", bound="GenerationResponse")


@_attrs_define
class GenerationResponse:
    """TextToImageResponse / ImageToImageResponse.

    Attributes:
        images (list[str]): Base64 PNGs, grids first; empty when send_images was false
        info (str): JSON of the web UI's Processed.js(): seeds, infotexts, the model's hash...
        parameters (GenerationResponseParameters): The request as it was taken
    """

    images: list[str]
    info: str
    parameters: GenerationResponseParameters
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        images = self.images

        info = self.info

        parameters = self.parameters.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "images": images,
                "info": info,
                "parameters": parameters,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.generation_response_parameters import GenerationResponseParameters  # noqa: PLC0415

        d = dict(src_dict)
        images = cast(list[str], d.pop("images"))

        info = d.pop("info")

        parameters = GenerationResponseParameters.from_dict(d.pop("parameters"))

        generation_response = cls(
            images=images,
            info=info,
            parameters=parameters,
        )

        generation_response.additional_properties = d
        return generation_response

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
