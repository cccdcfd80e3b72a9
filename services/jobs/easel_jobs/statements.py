"""The statements every job runs (insert, first claim, transitions), built once with bound parameters.

Building a statement and computing its cache key for every job cost the jobs service more CPU than running it
(bench/load.py); a statement built once is compiled once and keyed once, and each job only binds its values.
On PostgreSQL, on an autocommit connection (db.Lanes), service.py runs them straight on the asyncpg connection
(easel_common.direct): compiled once, without SQLAlchemy's work per execution either.
"""

from __future__ import annotations

import functools

from sqlalchemy import Insert, Update, bindparam, exists, insert, literal, or_, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from easel_jobs.models import Job
from easel_jobs.webhooks.models import WebhookEndpoint

JOBS = Job.__table__
_ENDPOINT = WebhookEndpoint.__table__
# Whether a job's end may have anyone to tell: its callback, or an enabled endpoint of its owner or of its tenant.
# An endpoint's `events` are not looked at here (the webhook intake filters them when it makes the deliveries).
TELL = (JOBS.c.callback_url.is_not(None) | exists().where(
    _ENDPOINT.c.tenant_id == JOBS.c.tenant_id, _ENDPOINT.c.enabled.is_(True),
    or_(_ENDPOINT.c.user_id == JOBS.c.user_id, _ENDPOINT.c.scope == "tenant")).correlate(JOBS))
# what a changed row tells its caller (metrics, events, the claim's reply)
CHANGED = tuple(JOBS.c[name] for name in ("id", "pool", "tenant_id", "attempts", "worker_id", "created_at",
                                          "started_at"))
INSERT = insert(JOBS)
_ON_CONFLICT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}

# A job no run ever held (no lease): its first claim, guarded in full.
CLAIM_FRESH = (update(JOBS)
               .where(JOBS.c.id == bindparam("b_id"), JOBS.c.pool == bindparam("b_pool"), JOBS.c.status == "queued",
                      JOBS.c.lease.is_(None), JOBS.c.cancel_requested.is_(False))
               .values(status="starting", worker_id=bindparam("b_worker"), attempts=JOBS.c.attempts + 1,
                       lease=bindparam("b_lease"), queue_seq=bindparam("b_seq"), started_at=bindparam("b_at"))
               .returning(*CHANGED))

# `starting` -> `processing` for the runs (job id, lease digest) that still hold their jobs.
MARK_PROCESSING = (update(JOBS)
                   .where(JOBS.c.status == "starting",
                          tuple_(JOBS.c.id, JOBS.c.lease).in_(bindparam("b_runs", expanding=True)))
                   .values(status="processing"))


@functools.cache
def insert_new(dialect: str) -> Insert:
    """INSERT ... ON CONFLICT (user, Idempotency-Key) DO NOTHING RETURNING id."""
    return (_ON_CONFLICT[dialect](JOBS).on_conflict_do_nothing(index_elements=["user_id", "idempotency_key"])
            .returning(JOBS.c.id))


@functools.cache
def transition(to: str, allowed_from: tuple[str, ...], columns: tuple[str, ...], leased: bool,
               tell: bool = False) -> Update:
    """UPDATE ... SET status = `to` and `columns` (bound as b_<column>) WHERE id = b_id, the status is one of
    `allowed_from` (and, `leased`, the lease digest is b_lease) RETURNING what changed (and, `tell`, whether the job
    has anyone to tell of it: TELL, as `tell`)."""
    # the statuses as plain bound values (`IN ($2, $3)`), not an expanding list that is rendered at each execution
    guard = [JOBS.c.id == bindparam("b_id"), JOBS.c.status.in_([literal(s) for s in allowed_from])]
    if leased:
        guard.append(JOBS.c.lease == bindparam("b_lease"))
    returned = (*CHANGED, TELL.label("tell")) if tell else CHANGED
    return (update(JOBS).where(*guard).values(status=to, **{c: bindparam(f"b_{c}") for c in columns})
            .returning(*returned))
