"""/v1/audit: the audit log of the caller's tenant, for admins (audit:read)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from easel_gateway.deps import Caller, Settings, Svc
from easel_gateway.errors import SIGNED_IN, declared
from easel_proto.v1 import audit

router = APIRouter(prefix="/v1/audit", tags=["audit"], responses=declared(*SIGNED_IN))


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


@router.get("", response_model=audit.AuditPage, responses=declared(403))
async def read_audit(caller: Caller, svc: Svc, settings: Settings,
                     actor_id: Annotated[str | None, Query(max_length=64)] = None,
                     action: Annotated[str | None, Query(max_length=64)] = None,
                     target: Annotated[str | None, Query(max_length=255, description="a prefix of the target")] = None,
                     outcome: audit.AuditOutcome | None = None,
                     since: Annotated[datetime | None, Query(description="at or after (UTC if no offset)")] = None,
                     until: Annotated[datetime | None, Query(description="before (UTC if no offset)")] = None,
                     limit: Annotated[int, Query(ge=1, le=500)] = 100,
                     cursor: Annotated[str | None, Query(max_length=512)] = None,
                     tenant: Annotated[str | None, Query(max_length=64, description=(
                         "Another tenant's log (the platform admin's, tenants:manage; else 403)"))] = None,
                     ) -> audit.AuditPage:
    """Who did what, to what, when, from where, and how it ended: newest first, only the caller's tenant (or, for the
    platform admin, `tenant`'s)."""
    query = audit.AuditQuery(actor=caller, tenant_id=tenant, actor_id=actor_id, action=action, target=target,
                             outcome=outcome, since=_aware(since), until=_aware(until), limit=limit, cursor=cursor)
    return await svc.call(settings.names.auth_audit_query, query, audit.AuditPage, caller)
