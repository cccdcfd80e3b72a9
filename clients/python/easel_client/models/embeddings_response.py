from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.embeddings_response_loaded import EmbeddingsResponseLoaded
    from ..models.embeddings_response_skipped import EmbeddingsResponseSkipped


T = TypeVar("T", bound="EmbeddingsResponse")


@_attrs_define
class EmbeddingsResponse:
    """
    Attributes:
        loaded (EmbeddingsResponseLoaded):
        skipped (EmbeddingsResponseSkipped):
    """

    loaded: EmbeddingsResponseLoaded
    skipped: EmbeddingsResponseSkipped
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        loaded = self.loaded.to_dict()

        skipped = self.skipped.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "loaded": loaded,
                "skipped": skipped,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.embeddings_response_loaded import EmbeddingsResponseLoaded  # noqa: PLC0415
        from ..models.embeddings_response_skipped import EmbeddingsResponseSkipped  # noqa: PLC0415

        d = dict(src_dict)
        loaded = EmbeddingsResponseLoaded.from_dict(d.pop("loaded"))

        skipped = EmbeddingsResponseSkipped.from_dict(d.pop("skipped"))

        embeddings_response = cls(
            loaded=loaded,
            skipped=skipped,
        )

        embeddings_response.additional_properties = d
        return embeddings_response

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
