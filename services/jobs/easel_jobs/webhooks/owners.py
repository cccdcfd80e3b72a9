"""Whether a webhook's owner may still hear what it would be told: deliveries follow the owner's current rights.

- Every delivery (an endpoint's or a job's callback) needs its owner active: the user exists, is not disabled, and
  their tenant is not disabled.
- An endpoint of scope `tenant` hears every user's jobs, trainings and imports in its tenant: its owner must hold
  jobs:read:any now, in that tenant, as creating it needed.

Checked when deliveries are written (intake.py: an owner who no longer qualifies gets none) and again when one is
sent (sender.py: a delivery written before the owner lost the right is not sent, and ends `dead` saying why).

Auth says where owners stand (`auth_owners`, which only the jobs service may ask). Answers are cached until auth
announces a change of the user (`auth_changed`: roles, role permissions, disabled, deleted, tenant disabled), and
for `ttl_s` at most; a change announced while auth was answering makes the answer be asked for again, so no answer
from before an announced change is used after it. A reconnection to NATS (announcements may have been missed) drops
the whole cache.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from nats.aio.client import Client

from easel_common.natsio import request
from easel_proto import Names
from easel_proto.permissions import JOBS_READ_ANY, allows
from easel_proto.v1 import auth

ASK_AT_ONCE = 1000  # owners per request (the schema's limit)
TRIES = 3  # asks while changes keep being announced; the last answer is used (not cached)


def may_hear(standing: auth.OwnerStanding | None, *, scope: str, tenant_id: str) -> bool:
    """Whether an owner standing so may hear an endpoint of `scope` in `tenant_id` (a callback: scope user)."""
    if standing is None or not standing.active or standing.tenant_id != tenant_id:
        return False
    return scope != "tenant" or allows(standing.permissions or [], JOBS_READ_ANY)


class Owners:
    def __init__(self, nc: Client, names: Names, *, timeout: float, ttl_s: float = 60.0) -> None:
        self.nc, self.names, self.timeout, self.ttl_s = nc, names, timeout, ttl_s
        self._known: dict[str, tuple[float, auth.OwnerStanding]] = {}
        self._heard = 0  # changes announced so far (any user's)
        self._reconnects = self._reconnect_count()
        self._subscription = None

    async def start(self) -> None:
        self._subscription = await self.nc.subscribe(self.names.auth_changed("*"), cb=self._changed)

    async def stop(self) -> None:
        if self._subscription is not None:
            await self._subscription.unsubscribe()
            self._subscription = None

    async def _changed(self, msg) -> None:
        self.forget(msg.subject.rsplit(".", 1)[-1])

    def forget(self, user_id: str) -> None:
        self._heard += 1
        self._known.pop(user_id, None)

    def _reconnect_count(self) -> int:
        return int(getattr(self.nc, "stats", {}).get("reconnects", 0))

    async def standing(self, user_ids: Iterable[str]) -> dict[str, auth.OwnerStanding]:
        """Where each owner stands now (a deleted user: inactive). Raises Unavailable when auth does not answer:
        nothing is written or sent on a guess."""
        if (count := self._reconnect_count()) != self._reconnects:
            self._reconnects = count
            self._known.clear()
        wanted, found, at = sorted(set(user_ids)), {}, time.monotonic()
        for user_id in wanted:
            entry = self._known.get(user_id)
            if entry is not None and at - entry[0] < self.ttl_s:
                found[user_id] = entry[1]
        missing = [u for u in wanted if u not in found]
        for start in range(0, len(missing), ASK_AT_ONCE):
            found |= await self._ask(missing[start:start + ASK_AT_ONCE])
        if len(self._known) > 50_000:  # owners are few; bound it anyway
            self._known.clear()
        return found

    async def _ask(self, user_ids: list[str]) -> dict[str, auth.OwnerStanding]:
        answer: dict[str, auth.OwnerStanding] = {}
        for _ in range(TRIES):
            heard = self._heard
            reply = await request(self.nc, self.names.auth_owners, auth.OwnersRequest(user_ids=user_ids),
                                  auth.OwnersReply, timeout=self.timeout)
            answer = {o.user_id: o for o in reply.owners if o.user_id in user_ids}
            if self._heard == heard:  # no change announced while auth answered: it holds until the next one
                at = time.monotonic()
                for user_id, standing in answer.items():
                    self._known[user_id] = (at, standing)
                return answer
        return answer
