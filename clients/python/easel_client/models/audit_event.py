from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.audit_outcome import AuditOutcome
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.audit_event_details_type_0 import AuditEventDetailsType0


T = TypeVar("T", bound="AuditEvent")


@_attrs_define
class AuditEvent:
    """One audited action: who, what, on which target, when, from where, and how it ended. Never carries a secret, a
    request body or a header.

        Attributes:
            action (str): e.g. job.submit, key.revoke, auth.login.
            at (datetime.datetime):
            id (str):
            outcome (AuditOutcome):
            tenant_id (str):
            actor_id (None | str | Unset): The signed-in user; null when the request did not authenticate.
            actor_name (None | str | Unset):
            details (AuditEventDetailsType0 | None | Unset):
            source (None | str | Unset): The client's address.
            status (int | None | Unset): The HTTP status of the response.
            target (None | str | Unset): What was acted on, e.g. job:<id> or user:<id>/key:<id>.
    """

    action: str
    at: datetime.datetime
    id: str
    outcome: AuditOutcome
    tenant_id: str
    actor_id: None | str | Unset = UNSET
    actor_name: None | str | Unset = UNSET
    details: AuditEventDetailsType0 | None | Unset = UNSET
    source: None | str | Unset = UNSET
    status: int | None | Unset = UNSET
    target: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.audit_event_details_type_0 import AuditEventDetailsType0  # noqa: PLC0415

        action = self.action

        at = self.at.isoformat()

        id = self.id

        outcome = self.outcome.value

        tenant_id = self.tenant_id

        actor_id: None | str | Unset
        if isinstance(self.actor_id, Unset):
            actor_id = UNSET
        else:
            actor_id = self.actor_id

        actor_name: None | str | Unset
        if isinstance(self.actor_name, Unset):
            actor_name = UNSET
        else:
            actor_name = self.actor_name

        details: dict[str, Any] | None | Unset
        if isinstance(self.details, Unset):
            details = UNSET
        elif isinstance(self.details, AuditEventDetailsType0):
            details = self.details.to_dict()
        else:
            details = self.details

        source: None | str | Unset
        if isinstance(self.source, Unset):
            source = UNSET
        else:
            source = self.source

        status: int | None | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        else:
            status = self.status

        target: None | str | Unset
        if isinstance(self.target, Unset):
            target = UNSET
        else:
            target = self.target

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "at": at,
                "id": id,
                "outcome": outcome,
                "tenant_id": tenant_id,
            }
        )
        if actor_id is not UNSET:
            field_dict["actor_id"] = actor_id
        if actor_name is not UNSET:
            field_dict["actor_name"] = actor_name
        if details is not UNSET:
            field_dict["details"] = details
        if source is not UNSET:
            field_dict["source"] = source
        if status is not UNSET:
            field_dict["status"] = status
        if target is not UNSET:
            field_dict["target"] = target

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_event_details_type_0 import AuditEventDetailsType0  # noqa: PLC0415

        d = dict(src_dict)
        action = d.pop("action")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        id = d.pop("id")

        outcome = AuditOutcome(d.pop("outcome"))

        tenant_id = d.pop("tenant_id")

        def _parse_actor_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        actor_id = _parse_actor_id(d.pop("actor_id", UNSET))

        def _parse_actor_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        actor_name = _parse_actor_name(d.pop("actor_name", UNSET))

        def _parse_details(data: object) -> AuditEventDetailsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                details_type_0 = AuditEventDetailsType0.from_dict(data)

                return details_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuditEventDetailsType0 | None | Unset, data)

        details = _parse_details(d.pop("details", UNSET))

        def _parse_source(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        source = _parse_source(d.pop("source", UNSET))

        def _parse_status(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        def _parse_target(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        target = _parse_target(d.pop("target", UNSET))

        audit_event = cls(
            action=action,
            at=at,
            id=id,
            outcome=outcome,
            tenant_id=tenant_id,
            actor_id=actor_id,
            actor_name=actor_name,
            details=details,
            source=source,
            status=status,
            target=target,
        )

        audit_event.additional_properties = d
        return audit_event

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
