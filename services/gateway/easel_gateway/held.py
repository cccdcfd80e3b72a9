"""Per-user bounds on what a gateway holds open for a user: web UI calls that go on in the background, SSE streams.

Counted in memory, per gateway replica: each bounds what it holds itself. Beyond a bound, a request is refused at
once (429 quota_exceeded, `details.limit` naming the setting, Retry-After) instead of piling up tasks or streams.
"""

from __future__ import annotations

from prometheus_client import Gauge

from easel_proto.errors import QuotaExceeded

RETRY_S = 1  # these are held for a call or a stream, not for a day: one ends soon


class Slot:
    """One held place; `release` may be called by every way its holder ends, it counts once."""

    def __init__(self, counts: dict[str, int], user_id: str, gauge: Gauge | None = None) -> None:
        self._counts, self._user_id, self._gauge, self._held = counts, user_id, gauge, True
        if gauge is not None:
            gauge.inc()

    def release(self) -> None:
        if not self._held:
            return
        self._held = False
        if self._gauge is not None:
            self._gauge.dec()
        left = self._counts[self._user_id] - 1
        if left:
            self._counts[self._user_id] = left
        else:
            del self._counts[self._user_id]


class PerUser:
    """At most `limit` slots held at once by each user; `name` is the setting that sets the limit. With `gauge`
    (labelled by tenant), the slots held are also exported per tenant."""

    def __init__(self, name: str, gauge: Gauge | None = None) -> None:
        self.name, self.gauge = name, gauge
        self._counts: dict[str, int] = {}

    def held(self, user_id: str) -> int:
        return self._counts.get(user_id, 0)

    def take(self, user_id: str, limit: int, tenant_id: str = "") -> Slot:
        """A slot for the user, or QuotaExceeded when they hold `limit` already."""
        used = self.held(user_id)
        if used >= limit:
            raise QuotaExceeded(f"{self.name}: you have {used} open on this gateway; at most {limit} at once",
                                limit=self.name, allowed=limit, used=used, retry_after_s=RETRY_S)
        self._counts[user_id] = used + 1
        return Slot(self._counts, user_id, self.gauge.labels(tenant_id) if self.gauge is not None else None)
