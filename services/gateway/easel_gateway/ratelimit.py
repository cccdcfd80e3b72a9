"""Per-user request rate limits shared by every gateway replica (token buckets in NATS KV).

Each user with a `requests_per_second` quota has a token bucket: it holds at most `burst` tokens (default twice
the rate, at least 1), refills at `requests_per_second`, and every authenticated request takes one token. The
bucket's state (JSON `{"tokens", "at"}`) lives in the JetStream KV bucket `{ns}_ratelimit` (memory storage)
under the user's id, so all gateways draw from the same bucket. A request costs one KV get and, when admitted,
one compare-and-set write (`update` with the revision read, `create` when there is no entry); a write that
loses a race with another gateway reads again and retries. A refused request writes nothing: the state is a
function of time.

Entries expire after `TTL_S` without a write, and a missing entry means a full bucket. That is exact whenever
a bucket refills completely within `TTL_S` (any rate of at least burst / TTL_S requests per second).
Timestamps are wall-clock seconds, so the replicas' clocks should agree (NTP); a clock behind the last writer
refills nothing until it catches up, it never grants extra tokens.

If the KV store does not answer, the request is let through (logged): the limit protects the service, and a
broker that cannot answer fails the request further on anyway.

Quotas are range-checked where they are set, but the limiter takes any number it is handed (a row written before
the ranges existed, a NaN): the rate and burst are brought within sane bounds, and no wait is longer than `TTL_S`,
after which an untouched bucket is full again. So no value can overflow the arithmetic into a 500.
"""

from __future__ import annotations

import json
import logging
import math
import time

import nats.errors
from nats.aio.client import Client
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BucketNotFoundError, KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from easel_proto import Names
from easel_proto.errors import RateLimited
from easel_proto.v1.common import Principal, Quotas

log = logging.getLogger(__name__)

TTL_S = 3600.0
MAX_TRIES = 8  # compare-and-set attempts before a request under heavy same-user contention is refused
MIN_RATE = 1 / TTL_S  # slower refills change nothing: an entry untouched for TTL_S expires into a full bucket
MAX_RATE = MAX_BURST = 1e9


def _within(value: float, low: float, high: float) -> float:
    """`value` (a float or an int of any size) clamped to [low, high], as a float; NaN counts as `low`."""
    if isinstance(value, float) and math.isnan(value):
        return float(low)
    return float(min(max(value, low), high))


def rate_of(quotas: Quotas) -> float | None:
    """The refill rate per second, within bounds; None without a rate limit."""
    rate = quotas.requests_per_second
    return None if rate is None else _within(rate, MIN_RATE, MAX_RATE)


def burst_of(quotas: Quotas) -> float:
    """The bucket size: `burst`, else twice the rate, never below one request."""
    if quotas.burst is not None:
        return _within(quotas.burst, 1.0, MAX_BURST)
    return _within(2.0 * (rate_of(quotas) or 0.0), 1.0, MAX_BURST)


def refill(tokens: float, updated_at: float, now: float, rate: float, burst: float) -> float:
    """Tokens in a bucket that held `tokens` at `updated_at`, refilled at `rate` per second up to `burst`."""
    elapsed = max(0.0, now - updated_at)
    return min(burst, tokens + elapsed * rate)


def take(tokens: float, rate: float) -> tuple[float | None, float]:
    """Take one token: (tokens left, 0) when there is one, else (None, seconds until there is, at most TTL_S)."""
    if tokens >= 1.0:
        return tokens - 1.0, 0.0
    return None, min(TTL_S, (1.0 - tokens) / rate)


def retry_after(wait_s: float) -> int:
    """Whole seconds for a Retry-After header: never 0, so a client that obeys it does pass; never past TTL_S."""
    return max(1, math.ceil(_within(wait_s, 0.0, TTL_S) - 1e-9))


class RateLimiter:
    def __init__(self, nc: Client, names: Names) -> None:
        self.nc, self.names = nc, names
        self.bucket = f"{names.ns}_ratelimit"
        self._kv: KeyValue | None = None

    async def start(self) -> None:
        self._kv = await self._open()

    async def _open(self) -> KeyValue:
        js = self.nc.jetstream()
        try:
            return await js.key_value(self.bucket)
        except BucketNotFoundError:
            # replicas starting together all get here; the same config makes creation idempotent
            return await js.create_key_value(KeyValueConfig(
                bucket=self.bucket, history=1, ttl=TTL_S, storage=StorageType.MEMORY,
                description="Easel per-user request token buckets (tokens, updated_at)"))

    @staticmethod
    def _state(entry: KeyValue.Entry) -> tuple[float, float]:
        state = json.loads(entry.value or b"{}")
        return float(state["tokens"]), float(state["at"])

    def _refused(self, rate: float, wait_s: float) -> RateLimited:
        return RateLimited(f"requests_per_second: over the limit of {rate:g} requests per second; slow down",
                           limit="requests_per_second", allowed=rate, retry_after_s=retry_after(wait_s))

    async def check(self, principal: Principal, quotas: Quotas) -> None:
        """Take a token from the caller's bucket, or raise RateLimited (429) with the wait in retry_after_s."""
        rate = rate_of(quotas)
        if rate is None:
            return
        try:
            await self._take(principal.user_id, rate, burst_of(quotas))
        except (nats.errors.Error, OSError) as exc:  # includes JetStream API errors and timeouts
            self._kv = None  # open (or re-create) the bucket again on the next request
            log.warning("rate limit store unavailable, letting the request through: %r", exc)

    async def _take(self, key: str, rate: float, burst: float) -> None:
        if self._kv is None:
            self._kv = await self._open()
        for _ in range(MAX_TRIES):
            now = time.time()
            try:
                entry = await self._kv.get(key)
                revision = entry.revision
                tokens, updated_at = self._state(entry)
            except KeyNotFoundError:
                tokens, updated_at, revision = burst, now, None
            except (ValueError, KeyError, TypeError):  # not our format: start over with a full bucket
                tokens, updated_at = burst, now
            left, wait_s = take(refill(tokens, updated_at, now, rate, burst), rate)
            if left is None:
                raise self._refused(rate, wait_s)
            state = json.dumps({"tokens": round(left, 6), "at": max(now, updated_at)}).encode()
            try:
                if revision is None:
                    await self._kv.create(key, state)
                else:
                    await self._kv.update(key, state, last=revision)
                return
            except KeyWrongLastSequenceError:
                continue  # another gateway (or request) took a token first: read again
        log.info("rate limit: %d concurrent updates for user %s lost the race; refusing", MAX_TRIES, key)
        raise self._refused(rate, min(TTL_S, 1.0 / rate))
