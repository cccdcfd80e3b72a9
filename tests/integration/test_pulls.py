"""The services' continuous reader of a durable consumer (easel_common.pulls): every message once, handed over as it
arrives, a request per many messages rather than two per batch, and back on its feet after its requests are lost."""

from __future__ import annotations

import asyncio
import time

from easel_common.natsio import close, connect, durable_consumer
from easel_common.pulls import Consumer
from easel_stack.natsd import NatsServer
from helpers import namespace


async def _stream(nc, name: str) -> str:
    subject = f"{name}.events"
    await nc.jetstream().add_stream(name=name, subjects=[f"{name}.>"])
    return subject


async def _count_requests(nc, stream: str) -> list[int]:
    """How many pull requests reach the stream's consumers (a tap on the JetStream API subject)."""
    seen = [0]

    async def tap(_msg) -> None:
        seen[0] += 1

    await nc.subscribe(f"$JS.API.CONSUMER.MSG.NEXT.{stream}.>", cb=tap)
    return seen


async def _read_until(reader: Consumer, wanted: bytes, deadline: float) -> list[bytes]:
    """What the reader hands over until `wanted` is among it or the deadline passes."""
    got: list[bytes] = []
    while wanted not in got and time.monotonic() < deadline:
        try:
            got += [m.data for m in await reader.fetch(8, timeout=1.0)]
        except TimeoutError:
            pass
    return got


async def test_messages_that_trickle_in_come_each_once_as_they_arrive_for_few_requests(nats_url):
    nc = await connect(nats_url, "pulls-test")
    name = namespace().upper()
    try:
        subject = await _stream(nc, name)
        requests = await _count_requests(nc, name)
        reader = await durable_consumer(nc, name, "reader", [subject])
        got: list[bytes] = []
        waited: list[float] = []
        for i in range(60):
            await nc.jetstream().publish(subject, str(i).encode())
            sent = time.monotonic()
            while len(got) <= i:  # the loop a service runs: fetch what is there, handle, ack
                for msg in await reader.fetch(64, timeout=5.0):
                    got.append(msg.data)
                    await msg.ack()
            waited.append(time.monotonic() - sent)
        assert got == [str(i).encode() for i in range(60)]
        # nats-py's fetch made a no-wait probe and a waiting request for each of these, and held a lone message
        # until its batch filled or its 5 s expired
        assert requests[0] <= 3, requests[0]
        assert max(waited) < 2.5, max(waited)
        await nc.flush()  # the acks out
        info = await nc.jetstream().consumer_info(name, "reader")
        assert info.num_ack_pending == 0 and info.num_redelivered == 0
    finally:
        await close(nc)


async def test_a_reader_whose_requests_were_lost_asks_again(nats_url):
    """The consumer deleted and made again (as after a server's restart, the requests it held are gone): the
    reader notices (a status, or silence past two heartbeats) and goes on receiving."""
    nc = await connect(nats_url, "pulls-lost-test")
    name = namespace().upper()
    try:
        subject = await _stream(nc, name)
        await durable_consumer(nc, name, "reader", [subject])
        reader = await Consumer(nc, name, "reader", heartbeat_s=0.5).start()
        await nc.jetstream().publish(subject, b"before")
        assert [m.data for m in await reader.fetch(8, timeout=5.0)] == [b"before"]
        await nc.jetstream().delete_consumer(name, "reader")
        await durable_consumer(nc, name, "reader", [subject])  # starts over from the stream's first message
        await nc.jetstream().publish(subject, b"after")
        assert b"after" in await _read_until(reader, b"after", time.monotonic() + 10)
    finally:
        await close(nc)


async def test_what_a_stopping_reader_read_ahead_goes_to_another_at_once(nats_url):
    nc = await connect(nats_url, "pulls-release-test")
    name = namespace().upper()
    try:
        subject = await _stream(nc, name)
        first = await durable_consumer(nc, name, "shared", [subject])
        for i in range(5):
            await nc.jetstream().publish(subject, str(i).encode())
        taken = await first.fetch(1, timeout=5.0)  # one handled; the other four arrived with it
        await taken[0].ack()
        await asyncio.sleep(0.2)
        await first.release()
        second = await Consumer(nc, name, "shared").start()
        got: list[bytes] = []
        while len(got) < 4:  # ack_wait is 30 s: these come now only because the first reader handed them back
            got += [m.data for m in await second.fetch(8, timeout=5.0)]
        assert sorted(got) == [b"1", b"2", b"3", b"4"]
    finally:
        await close(nc)


async def test_a_reader_asks_again_as_soon_as_its_connection_is_back(tmp_path):
    """A restarted nats-server has forgotten the reader's requests; the reader asks again on its reconnect, not
    only after its heartbeats went missing (two minutes here), so what is published after the restart comes."""
    natsd = NatsServer(tmp_path / "nats")
    await natsd.start()
    nc = await connect(natsd.url, "pulls-reconnect-test")
    try:
        subject = await _stream(nc, "RECONNECT")
        await durable_consumer(nc, "RECONNECT", "reader", [subject])
        reader = await Consumer(nc, "RECONNECT", "reader", expires_s=180.0, heartbeat_s=60.0).start()
        await nc.jetstream().publish(subject, b"before")
        assert [m.data for m in await reader.fetch(8, timeout=5.0)] == [b"before"]
        await natsd.stop()
        await natsd.start()  # same port and store: the client reconnects by itself
        deadline = time.monotonic() + 20
        while not nc.is_connected and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await nc.jetstream().publish(subject, b"after")
        assert b"after" in await _read_until(reader, b"after", deadline)
    finally:
        await close(nc)
        await natsd.stop()
