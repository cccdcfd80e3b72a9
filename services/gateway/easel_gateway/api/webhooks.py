"""/v1/webhooks: endpoints told when the caller's jobs and trainings end, signed per Standard Webhooks.

Any signed-in user may keep webhooks for their own work; a tenant-wide one (`scope: tenant`) hears every user's and
needs jobs:read:any. A job's own `callback_url` is signed with the caller's callback secret
(`GET /v1/webhooks/callback-secret`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from easel_gateway.deps import Caller, Svc
from easel_gateway.errors import SIGNED_IN, declared
from easel_proto.v1 import webhooks
from easel_proto.v1.common import Principal

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"], responses=declared(*SIGNED_IN))
Id = Annotated[str, Path(max_length=64)]
Event = webhooks.WebhookEventType


class NewWebhook(BaseModel):
    url: str = Field(max_length=2000, description="https (plain http only to hosts on EASEL_WEBHOOK_ALLOW_HOSTS)")
    events: list[Event] | None = Field(default=None, max_length=16, description="omitted: every event")
    scope: webhooks.WebhookScope = "user"
    description: str = Field(default="", max_length=500)
    enabled: bool = True


class WebhookPatch(BaseModel):
    url: str | None = Field(default=None, max_length=2000)
    events: list[Event] | None = Field(default=None, max_length=16)
    description: str | None = Field(default=None, max_length=500)
    enabled: bool | None = None


class CallbackSecret(BaseModel):
    secret: str = Field(description="Verify callback_url deliveries with it (whsec_...)")


def _req(caller: Principal, op: str, **fields) -> webhooks.WebhookRequest:
    return webhooks.WebhookRequest(actor=caller, op=op, **fields)


@router.get("", response_model=list[webhooks.WebhookEndpoint])
async def list_webhooks(caller: Caller, svc: Svc) -> list[webhooks.WebhookEndpoint]:
    """The caller's webhooks, and their tenant's tenant-wide ones where they hold jobs:read:any."""
    return (await svc.webhooks(_req(caller, "list"))).endpoints


@router.post("", status_code=201, response_model=webhooks.WebhookEndpoint, responses=declared(409))
async def create_webhook(body: NewWebhook, caller: Caller, svc: Svc) -> webhooks.WebhookEndpoint:
    """Register an endpoint; the reply carries its signing `secret`, shown only here (and on rotation)."""
    return (await svc.webhooks(_req(caller, "create", **body.model_dump()))).endpoints[0]


@router.get("/callback-secret", response_model=CallbackSecret)
async def callback_secret(caller: Caller, svc: Svc) -> CallbackSecret:
    """The secret the caller's jobs' callback_url deliveries are signed with (made on first use)."""
    return CallbackSecret(secret=(await svc.webhooks(_req(caller, "callback_secret"))).secret)


@router.post("/callback-secret/rotate", response_model=CallbackSecret)
async def rotate_callback_secret(caller: Caller, svc: Svc) -> CallbackSecret:
    """A new callback secret; for a day, deliveries are signed with the old one too."""
    return CallbackSecret(secret=(await svc.webhooks(_req(caller, "rotate_callback_secret"))).secret)


@router.get("/{webhook_id}", response_model=webhooks.WebhookEndpoint, responses=declared(404))
async def get_webhook(webhook_id: Id, caller: Caller, svc: Svc) -> webhooks.WebhookEndpoint:
    return (await svc.webhooks(_req(caller, "get", endpoint_id=webhook_id))).endpoints[0]


@router.patch("/{webhook_id}", response_model=webhooks.WebhookEndpoint, responses=declared(404))
async def update_webhook(webhook_id: Id, body: WebhookPatch, caller: Caller, svc: Svc) -> webhooks.WebhookEndpoint:
    return (await svc.webhooks(_req(caller, "update", endpoint_id=webhook_id,
                                    **body.model_dump(exclude_unset=True)))).endpoints[0]


@router.delete("/{webhook_id}", response_model=webhooks.WebhookEndpoint, responses=declared(404))
async def delete_webhook(webhook_id: Id, caller: Caller, svc: Svc) -> webhooks.WebhookEndpoint:
    """Remove the endpoint; its pending deliveries stop."""
    return (await svc.webhooks(_req(caller, "delete", endpoint_id=webhook_id))).endpoints[0]


@router.post("/{webhook_id}/rotate-secret", response_model=webhooks.WebhookEndpoint, responses=declared(404))
async def rotate_secret(webhook_id: Id, caller: Caller, svc: Svc) -> webhooks.WebhookEndpoint:
    """A new signing secret (in the reply); for a day, deliveries carry a signature with the old one too."""
    return (await svc.webhooks(_req(caller, "rotate", endpoint_id=webhook_id))).endpoints[0]


@router.get("/{webhook_id}/deliveries", response_model=list[webhooks.WebhookDelivery], responses=declared(404))
async def deliveries(webhook_id: Id, caller: Caller, svc: Svc,
                     status: Literal["pending", "delivered", "dead"] | None = None,
                     limit: Annotated[int, Query(ge=1, le=100)] = 50) -> list[webhooks.WebhookDelivery]:
    """The endpoint's deliveries, newest first: attempts, the last answer, what is still to be tried."""
    return (await svc.webhooks(_req(caller, "deliveries", endpoint_id=webhook_id, status=status,
                                    limit=limit))).deliveries


@router.post("/{webhook_id}/deliveries/{delivery_id}/redeliver", response_model=webhooks.WebhookDelivery,
             responses=declared(404, 409))
async def redeliver(webhook_id: Id, delivery_id: Id, caller: Caller, svc: Svc) -> webhooks.WebhookDelivery:
    """Try a delivered or dead delivery again (a new round of attempts, the same webhook-id)."""
    return (await svc.webhooks(_req(caller, "redeliver", endpoint_id=webhook_id,
                                    delivery_id=delivery_id))).deliveries[0]
