"""A nats-server reload (the pool set changed: a new worker identity admitted) loses no reply in flight.

nats-server applies every client's permissions anew on a reload, which forgets the reply grants `allow_responses`
hands out per request: a request received before the reload had its reply refused after it. The services answer on
an explicit grant instead (`_INBOX.{caller}.{service}.>`, nats_access), which a reload keeps. Each test runs its own
nats-server configured by nats_access, the way the embedded stack writes and reloads it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from nats_probe import Probe

from easel_common import nats_access
from easel_common.natsio import Identity, ask, connect, request
from easel_proto import Names
from easel_proto.v1 import pools as pools_v1
from easel_proto.wire import encode
from easel_stack.natsd import NatsServer

NAMES = Names("easel")


class Server:
    """A nats-server whose authorization is nats_access's for `pools`, rewritten and reloaded by `admit`."""

    def __init__(self, folder: Path) -> None:
        self.credentials = nats_access.Credentials(folder / "credentials")
        self.pools = ["default"]
        self.natsd = NatsServer(folder / "nats", configure=self._config)
        self.connections: list = []

    def _config(self, port: int, monitor_port: int, store: Path) -> str:
        nats_access.write_private(store / "authorization.conf", nats_access.authorization_include(
            NAMES, self.credentials, self.pools))
        return nats_access.server_config(NAMES, self.credentials, self.pools, port=port, monitor_port=monitor_port,
                                         store_dir=store, include="authorization.conf")

    async def admit(self, pool: str) -> None:
        self.pools = [*self.pools, pool]
        await self.natsd.reload()

    async def connect_as(self, identity: str):
        nc = await connect(self.natsd.url, f"test-{identity}",
                           Identity(identity, self.credentials.ensure(identity)))
        self.connections.append(nc)
        return nc

    # what nats_probe.Probe asks of a stack
    @property
    def nats_url(self) -> str:
        return self.natsd.url

    def identity(self, name: str) -> Identity:
        return Identity(name, self.credentials.ensure(name))


@pytest.fixture
async def server(tmp_path):
    found = Server(tmp_path)
    await found.natsd.start()
    yield found
    for nc in found.connections:
        await nc.close()
    await found.natsd.stop()


async def _held(responder, subject: str) -> asyncio.Queue:
    """Requests on `subject`, received and not answered yet."""
    held: asyncio.Queue = asyncio.Queue()
    await responder.subscribe(subject, cb=held.put)
    await responder.flush()
    return held


@pytest.mark.parametrize(("caller", "service", "subject"), [
    ("stack", "jobs", NAMES.pools_current),
    ("gateway", "auth", NAMES.auth_verify),
    ("gateway", "registry", NAMES.registry_lookup),
    ("jobs", "registry", NAMES.registry_register),
    ("worker-default", "jobs", NAMES.jobs_claim("default")),
    ("worker-default", "registry", NAMES.registry_preload("default")),
])
async def test_a_reply_to_a_request_received_before_a_reload_still_arrives(server, caller, service, subject):
    responder = await server.connect_as(service)
    held = await _held(responder, subject)
    requester = await server.connect_as(caller)
    asked = asyncio.create_task(ask(requester, subject, b"{}", timeout=10))
    msg = await asyncio.wait_for(held.get(), 5)
    await server.admit("new")  # a pool created: its worker identity written in, nats-server reloaded
    await msg.respond(b"answered after the reload")
    assert (await asyncio.wait_for(asked, 10)).data == b"answered after the reload"


async def test_a_typed_request_in_flight_across_a_reload_gets_its_answer(server):
    """The stack's own `pools_current` (natsio.request), answered by the jobs service after the reload."""
    responder = await server.connect_as("jobs")
    held = await _held(responder, NAMES.pools_current)
    requester = await server.connect_as("stack")
    asked = asyncio.create_task(request(requester, NAMES.pools_current, pools_v1.PoolsQuery(),
                                        pools_v1.PoolsChanged, timeout=10))
    msg = await asyncio.wait_for(held.get(), 5)
    await server.admit("new")
    await msg.respond(encode(pools_v1.PoolsChanged(pools=[], reason="periodic")))
    assert (await asyncio.wait_for(asked, 10)).pools == []


async def test_a_new_pools_worker_is_answered_after_the_reload_that_admits_it(server):
    jobs = await Probe.sign_in(server, "jobs")
    try:  # before the reload no pool `new` exists: nothing may answer on its inbox
        assert await jobs.publish_denied("_INBOX.worker-new.jobs.a.b")
    finally:
        await jobs.close()
    await server.admit("new")
    responder = await server.connect_as("jobs")  # connected after it, as a restarted replica would be
    held = await _held(responder, NAMES.jobs_claim("new"))
    worker = await server.connect_as("worker-new")
    asked = asyncio.create_task(ask(worker, NAMES.jobs_claim("new"), b"{}", timeout=10))
    await (await asyncio.wait_for(held.get(), 5)).respond(b"claimed")
    assert (await asyncio.wait_for(asked, 10)).data == b"claimed"


async def test_a_reply_on_an_inbox_the_service_was_not_given_is_refused(server):
    """No `allow_responses` any more: a reply subject outside the caller's inbox for that service (nats-py's own
    request inbox, or one a caller made up to reflect a service's answer elsewhere) gets nothing."""
    responder = await server.connect_as("jobs")
    held = await _held(responder, NAMES.pools_current)
    requester = await server.connect_as("stack")
    with pytest.raises(Exception):  # noqa: B017 - a timeout, however nats-py names it
        asked = asyncio.create_task(requester.request(NAMES.pools_current, b"{}", timeout=2))
        await (await asyncio.wait_for(held.get(), 5)).respond(b"lost")
        await asked
    # JetStream still answers on the inbox
    assert (await ask(requester, "$JS.API.CONSUMER.INFO.EASEL_JOBS.worker-default", b"", timeout=5)).data


# what each service may publish on callers' inboxes, and what it must not (True: refused)
CROSSINGS = {
    "auth": {"_INBOX.gateway.auth.a.b": False,
             "_INBOX.gateway.registry.a.b": True, "_INBOX.gateway.jobs.a.b": True,  # the others' answers
             "_INBOX.gateway.a.b": True,  # JetStream's answers, the connection's own requests
             "_INBOX.jobs.auth.a.b": False,  # the jobs service asks where webhook owners stand (auth_owners)
             "_INBOX.worker-default.auth.a.b": True, "_INBOX.registry.auth.a.b": True,  # no callers of auth
             "_INBOX.gateway.auth": True},
    "registry": {"_INBOX.gateway.registry.a.b": False, "_INBOX.jobs.registry.a.b": False,
                 "_INBOX.worker-default.registry.a.b": False,
                 "_INBOX.gateway.auth.a.b": True,  # no answer to the gateway's auth_verify, say
                 "_INBOX.gateway.jobs.a.b": True, "_INBOX.gateway.a.b": True,
                 "_INBOX.auth.registry.a.b": True, "_INBOX.trainer.registry.a.b": True,
                 "_INBOX.stack.registry.a.b": True},
    "jobs": {"_INBOX.gateway.jobs.a.b": False, "_INBOX.stack.jobs.a.b": False, "_INBOX.registry.jobs.a.b": False,
             "_INBOX.worker-default.jobs.a.b": False,
             "_INBOX.gateway.auth.a.b": True, "_INBOX.gateway.registry.a.b": True,
             "_INBOX.worker-default.registry.a.b": True, "_INBOX.worker-default.a.b": True,
             "_INBOX.auth.jobs.a.b": True, "_INBOX.trainer.jobs.a.b": True, "_INBOX.worker-new.jobs.a.b": True},
    "worker-default": {"_INBOX.gateway.jobs.a.b": True, "_INBOX.worker-default.jobs.a.b": True,
                       "_INBOX.stack.jobs.a.b": True},
}


@pytest.mark.parametrize("identity", list(CROSSINGS))
async def test_a_service_answers_only_on_its_own_callers_inboxes_for_it(server, identity):
    probe = await Probe.sign_in(server, identity)
    try:
        for subject, refused in CROSSINGS[identity].items():
            assert await probe.publish_denied(subject, timeout=2 if refused else 0.5) == refused, (identity, subject)
        for subject in ("_INBOX.gateway.>", f"_INBOX.gateway.{identity}.>", "_INBOX.stack.jobs.>"):
            assert await probe.subscribe_denied(subject), (identity, subject)  # still reads no one else's
    finally:
        await probe.close()
