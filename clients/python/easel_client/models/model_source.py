from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.model_source_type import ModelSourceType
from ..types import UNSET, Unset

T = TypeVar("T", bound="ModelSource")


@_attrs_define
class ModelSource:
    """Where an import fetches a model from.

    Attributes:
        type_ (ModelSourceType):
        uri (str): hf: repo id; http: https://... URL; s3: s3://bucket/key (a key ending in / imports a folder); upload:
            the upload id; training: a training's id (only the jobs service registers these, never an import).
        revision (None | str | Unset):
        sha256 (None | str | Unset): Expected digest of a single-file source; a mismatch fails the import.
        subfolder (None | str | Unset):
        token (None | str | Unset): Hugging Face token for gated repos; used once, never stored.
    """

    type_: ModelSourceType
    uri: str
    revision: None | str | Unset = UNSET
    sha256: None | str | Unset = UNSET
    subfolder: None | str | Unset = UNSET
    token: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        uri = self.uri

        revision: None | str | Unset
        if isinstance(self.revision, Unset):
            revision = UNSET
        else:
            revision = self.revision

        sha256: None | str | Unset
        if isinstance(self.sha256, Unset):
            sha256 = UNSET
        else:
            sha256 = self.sha256

        subfolder: None | str | Unset
        if isinstance(self.subfolder, Unset):
            subfolder = UNSET
        else:
            subfolder = self.subfolder

        token: None | str | Unset
        if isinstance(self.token, Unset):
            token = UNSET
        else:
            token = self.token

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "uri": uri,
            }
        )
        if revision is not UNSET:
            field_dict["revision"] = revision
        if sha256 is not UNSET:
            field_dict["sha256"] = sha256
        if subfolder is not UNSET:
            field_dict["subfolder"] = subfolder
        if token is not UNSET:
            field_dict["token"] = token

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = ModelSourceType(d.pop("type"))

        uri = d.pop("uri")

        def _parse_revision(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        revision = _parse_revision(d.pop("revision", UNSET))

        def _parse_sha256(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sha256 = _parse_sha256(d.pop("sha256", UNSET))

        def _parse_subfolder(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        subfolder = _parse_subfolder(d.pop("subfolder", UNSET))

        def _parse_token(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        token = _parse_token(d.pop("token", UNSET))

        model_source = cls(
            type_=type_,
            uri=uri,
            revision=revision,
            sha256=sha256,
            subfolder=subfolder,
            token=token,
        )

        return model_source
