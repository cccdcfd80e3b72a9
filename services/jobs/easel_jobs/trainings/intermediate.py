"""The models a training keeps at its checkpoint steps (`intermediate/step-<8 digits>/`), which its owner may
register, kept within bounds:

- while it runs and once it succeeded, the store holds the newest `EASEL_TRAINER_KEEP_INTERMEDIATE` of them that are
  not registered; older ones are deleted and no longer listed;
- a registered one has its own copy under `{tenant}/models/{id}/` (the registry copies it): the model is its owner's
  and is never deleted here; its entry stays listed (with `model_id`), the training's copy goes when the others do;
- `EASEL_TRAINER_INTERMEDIATE_RETENTION_S` after a training succeeded, its kept models are deleted (0: when it ends);
  a failed or canceled training's go when it ends, with the rest of its objects.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from easel_common.storage import ObjectStore
from easel_jobs.trainings import service
from easel_jobs.trainings.models import Training
from easel_proto.naming import training_prefix
from easel_proto.wire import now

log = logging.getLogger(__name__)
Entry = dict[str, Any]
CHECK_S = 600.0  # how often the sweep looks for succeeded trainings whose kept models are due
PAGE = 200
_STEP = re.compile(r"^step-\d{8}$")


def prune(entries: list[Entry], keep: int) -> tuple[list[Entry], list[Entry]]:
    """(listed, dropped): every registered entry and the newest `keep` unregistered ones stay listed."""
    unregistered = sorted((c for c in entries if not c.get("model_id")), key=lambda c: c["step"])
    dropped = unregistered[:-keep] if keep > 0 else unregistered
    gone = {c["step"] for c in dropped}
    return [c for c in entries if c["step"] not in gone], dropped


def folder(prefix: str, entry: Entry) -> str | None:
    """The entry's step folder under the training's prefix (what the trainer uploaded for it); None for a path
    that is not one (the run reported it: it is not trusted to name other objects)."""
    parts = str(entry["artefact"]["path"]).split("/")
    if len(parts) < 3 or parts[0] != "intermediate" or not _STEP.match(parts[1]):
        return None
    return f"{prefix}intermediate/{parts[1]}/"


async def delete(store: ObjectStore, prefix: str, entries: list[Entry]) -> None:
    """Delete the entries' files from the store."""
    for entry in entries:
        if (where := folder(prefix, entry)) is not None:
            for key in await store.list(where):
                await store.delete(key)


class Retention:
    """Deletes the models succeeded trainings kept at their checkpoints once the retention has passed."""

    def __init__(self, sessions: async_sessionmaker, store: ObjectStore, retention_s: float) -> None:
        self.sessions, self.store, self.retention_s = sessions, store, retention_s
        self._next: datetime | None = None
        self._done_until: datetime | None = None  # succeeded trainings that ended by then were handled

    async def expire(self, row: Training) -> None:
        """Delete every model the training kept at a checkpoint; only the registered ones stay listed."""
        prefix = training_prefix(row.tenant_id, row.id)
        for key in await self.store.list(prefix + "intermediate/"):
            await self.store.delete(key)
        registered = [c for c in row.checkpoints or [] if c.get("model_id")]
        if registered != (row.checkpoints or []):
            async with self.sessions() as session:
                await service.set_checkpoints(session, training_id=row.id, checkpoints=registered)

    async def sweep(self) -> None:
        """At most every CHECK_S: expire what the trainings that succeeded before the retention still keep (a
        restarted service looks through all of them once, then only the newly due)."""
        at = now()
        if self._next is not None and at < self._next:
            return
        self._next = at + timedelta(seconds=min(CHECK_S, max(self.retention_s, 1.0)))
        cutoff = at - timedelta(seconds=self.retention_s)
        while True:
            async with self.sessions() as session:
                rows = await service.succeeded_between(session, after=self._done_until, until=cutoff, limit=PAGE)
            for row in rows:
                if any(not c.get("model_id") for c in row.checkpoints or []):
                    try:
                        await self.expire(row)
                    except Exception:
                        log.exception("deleting the models training %s kept failed; will retry", row.id)
                        self._next = None
                        return
            if len(rows) < PAGE:
                self._done_until = cutoff
                return
            self._done_until = rows[-1].finished_at
