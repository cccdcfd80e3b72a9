"""What a web UI call needs to run jobs as its caller, in one dependency."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request

from easel_common.storage import ObjectStore
from easel_gateway.admission import Admission, Registry
from easel_gateway.admission.inputs import Known
from easel_gateway.clients import Services
from easel_gateway.deps import Caller, Limits, Mine, Settings, Svc
from easel_gateway.settings import GatewaySettings
from easel_proto.errors import QuotaExceeded
from easel_proto.v1.auth import UserSettings
from easel_proto.v1.common import Principal, Quotas

T = TypeVar("T")


@dataclass
class Context:
    request: Request
    caller: Principal
    mine: UserSettings
    limits: Quotas
    svc: Services
    settings: GatewaySettings
    known: Known = field(default_factory=dict)  # input images the call's jobs have stored, by what was sent
    key_window_s: float | None = None  # set when the call's keys were derived (run.task_id): how long they hold

    @property
    def state(self) -> Any:
        return self.request.app.state

    @property
    def store(self) -> ObjectStore:
        return self.request.app.state.store

    @property
    def registry(self) -> Registry:
        return self.request.app.state.registry

    @property
    def admission(self) -> Admission:
        return self.request.app.state.admission


async def context(request: Request, caller: Caller, mine: Mine, limits: Limits, svc: Svc,
                  settings: Settings) -> Context:
    return Context(request, caller, mine or UserSettings(), limits or Quotas(), svc, settings)


Ctx = Annotated[Context, Depends(context)]


async def detached(ctx: Context, work: Coroutine[Any, Any, T]) -> T:
    """Run `work` to its end even if the client goes away: its jobs keep running, and a script goes on
    submitting the rest of its jobs (their images stay under /v1/jobs). A user has at most
    max_webui_tasks_per_user such calls going at once; beyond that, 429 before any work."""
    try:
        slot = ctx.state.webui_slots.take(ctx.caller.user_id, ctx.settings.max_webui_tasks_per_user)
    except QuotaExceeded:
        work.close()  # never started: close it, so it does not warn that it was never awaited
        raise
    task = asyncio.create_task(work)
    running: set[asyncio.Task] = ctx.state.webui_tasks
    running.add(task)

    def finished(done: asyncio.Task) -> None:
        running.discard(done)
        slot.release()
        if not done.cancelled():
            done.exception()  # retrieved here, so a call whose client left does not warn

    task.add_done_callback(finished)
    return await asyncio.shield(task)
