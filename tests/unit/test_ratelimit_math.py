"""The token bucket behind the per-user request rate limit: its arithmetic, and the limiter's KV loop."""

from __future__ import annotations

import json

import nats.errors
import pytest
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from easel_gateway.ratelimit import RateLimiter, burst_of, refill, retry_after, take
from easel_proto import Names
from easel_proto.errors import RateLimited
from easel_proto.v1.common import Principal, Quotas


def test_refill_adds_rate_times_elapsed_up_to_burst():
    assert refill(0.0, 100.0, 100.5, rate=2.0, burst=4.0) == pytest.approx(1.0)
    assert refill(1.0, 100.0, 200.0, rate=2.0, burst=4.0) == 4.0  # never above the burst
    assert refill(3.0, 100.0, 100.0, rate=2.0, burst=4.0) == 3.0


def test_a_clock_behind_the_last_writer_refills_nothing():
    assert refill(0.5, 100.0, 99.0, rate=10.0, burst=4.0) == 0.5


def test_take_one_token_or_say_how_long_until_one():
    assert take(2.5, rate=1.0) == (1.5, 0.0)
    assert take(1.0, rate=1.0) == (0.0, 0.0)
    left, wait = take(0.25, rate=0.5)
    assert left is None and wait == pytest.approx(1.5)


def test_retry_after_is_whole_seconds_never_zero():
    assert retry_after(0.0) == 1
    assert retry_after(0.2) == 1
    assert retry_after(1.0) == 1
    assert retry_after(1.01) == 2


def test_burst_defaults_to_twice_the_rate_and_at_least_one():
    assert burst_of(Quotas(requests_per_second=5)) == 10
    assert burst_of(Quotas(requests_per_second=0.2)) == 1
    assert burst_of(Quotas(requests_per_second=5, burst=3)) == 3


def test_a_steady_client_at_the_rate_is_never_refused():
    rate, burst = 2.0, 4.0
    tokens, at = burst, 0.0
    for i in range(1, 200):
        now = i / rate
        left, _ = take(refill(tokens, at, now, rate, burst), rate)
        assert left is not None
        tokens, at = left, now


def test_a_burst_gets_burst_requests_then_waits_one_token():
    rate, burst = 1.0, 2.0
    tokens, at, admitted = burst, 0.0, 0
    for _ in range(5):
        left, wait = take(refill(tokens, at, 0.01, rate, burst), rate)
        if left is None:
            assert retry_after(wait) == 1
            continue
        admitted, tokens, at = admitted + 1, left, 0.01
    assert admitted == 2


# The limiter's read-modify-write loop over a KV store, with an in-memory stand-in for NATS KV.

class FakeKV:
    def __init__(self) -> None:
        self.data: dict[str, tuple[bytes, int]] = {}
        self.seq = 0
        self.before_write = None  # a hook to make another writer win the race

    async def get(self, key):
        if key not in self.data:
            raise KeyNotFoundError
        value, rev = self.data[key]
        return KeyValue.Entry(bucket="b", key=key, value=value, revision=rev, delta=None, created=None,
                              operation=None)

    async def _write(self, key, value, last):
        if self.before_write is not None:
            hook, self.before_write = self.before_write, None
            await hook()
        if self.data.get(key, (None, 0))[1] != last:
            raise KeyWrongLastSequenceError
        self.seq += 1
        self.data[key] = (value, self.seq)
        return self.seq

    async def create(self, key, value):
        return await self._write(key, value, 0)

    async def update(self, key, value, last):
        return await self._write(key, value, last)


def limiter(kv) -> RateLimiter:
    rl = RateLimiter(None, Names("t"))
    rl._kv = kv
    return rl


PRINCIPAL = Principal(user_id="u1", tenant_id="t", username="u")


async def test_a_write_that_loses_the_race_reads_again_and_both_tokens_are_taken():
    kv = FakeKV()
    first, second = limiter(kv), limiter(kv)
    quotas = Quotas(requests_per_second=0.001, burst=3)
    kv.before_write = lambda: second.check(PRINCIPAL, quotas)  # the other gateway writes first
    await first.check(PRINCIPAL, quotas)
    assert json.loads(kv.data["u1"][0])["tokens"] == pytest.approx(1.0, abs=0.01)
    await first.check(PRINCIPAL, quotas)
    with pytest.raises(RateLimited) as refused:
        await second.check(PRINCIPAL, quotas)
    assert refused.value.details["limit"] == "requests_per_second"
    assert refused.value.details["retry_after_s"] >= 999


async def test_no_rate_limit_means_no_store_access_and_a_store_outage_lets_requests_through():
    class Down:
        async def get(self, key):
            raise nats.errors.TimeoutError

    rl = limiter(None)  # no store at all: never touched without a rate
    await rl.check(PRINCIPAL, Quotas())
    rl = limiter(Down())
    await rl.check(PRINCIPAL, Quotas(requests_per_second=1))
