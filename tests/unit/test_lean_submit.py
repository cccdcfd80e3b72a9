"""POST /v1/jobs on its lean path (api/submit.py) answers exactly as the declared FastAPI route does: the same
status, body and headers for ordinary submissions, retries, and every kind of refusal (credential, permission,
rate limit, CSRF, bad field, malformed body, another content type, an over-long Idempotency-Key, a busy gateway),
with the same audit and metrics; and it does serve the ordinary submission itself."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime
from types import SimpleNamespace

import httpx
import pytest

from easel_gateway.api import submit
from easel_gateway.main import create_app
from easel_gateway.metrics import REQUEST_SECONDS
from easel_gateway.settings import GatewaySettings
from easel_proto.errors import RateLimited, Unauthenticated
from easel_proto.v1 import jobs
from easel_proto.v1.auth import UserSettings, VerifyKeyReply
from easel_proto.v1.common import Principal, Quotas
from easel_proto.v1.registry import ModelInfo

KEYS = {
    "esk_ann": Principal(user_id="u1", tenant_id="acme", username="ann", permissions=["jobs:create", "pools:use:*"]),
    "esk_bob": Principal(user_id="u2", tenant_id="acme", username="bob", permissions=["models:read"]),  # no jobs:create
    "esk_cat": Principal(user_id="u3", tenant_id="acme", username="cat", permissions=["jobs:create"]),  # rate limited
}
AT = datetime(2026, 1, 1, tzinfo=UTC)
MODEL = ModelInfo(id="m1", name="m", kind="checkpoint", base="sd15", source="test", format="safetensors")


class FakeServices:
    """Auth and the jobs service as the gateway sees them: keys above; one job per Idempotency-Key."""

    def __init__(self) -> None:
        self.by_key: dict[str, jobs.JobRecord] = {}
        self.created = 0

    async def verify(self, api_key: str) -> VerifyKeyReply:
        if api_key not in KEYS:
            raise Unauthenticated("invalid API key")
        return VerifyKeyReply(principal=KEYS[api_key], settings=UserSettings(), quotas=Quotas())

    async def create_job(self, req) -> jobs.CreateJobReply:
        caller, key, body = req
        if key is not None and key in self.by_key:
            return jobs.CreateJobReply(job=self.by_key[key], created=False)
        self.created += 1
        spec = jobs.GenerationSpec(prompt=body.prompt or "", model=MODEL, sampler="Euler a", steps=body.steps or 20,
                                   cfg_scale=7, width=64, height=64, seeds=[1])
        record = jobs.JobRecord(id=f"job{self.created}", status="queued", user_id=caller.user_id,
                                tenant_id=caller.tenant_id, pool="default", spec=spec, created_at=AT,
                                timings=jobs.Timings(),
                                images=[jobs.ImageRef(index=0, seed=1)] if body.steps == 2 else [])
        if key is not None:
            self.by_key[key] = record
        return jobs.CreateJobReply(job=record, created=True)


class FakeAdmission:
    async def admit(self, body, caller, settings):
        return SimpleNamespace(create_request=lambda c, key, quotas: (c, key, body))


class FakeLimiter:
    async def check(self, principal: Principal, quotas) -> None:
        if principal.username == "cat":
            raise RateLimited("requests_per_second: over the limit of 1 requests per second; slow down",
                              limit="requests_per_second", allowed=1.0, retry_after_s=1)


class FakeNats:
    def __init__(self) -> None:
        self.published: list[tuple[str, dict]] = []

    def jetstream(self):
        return self

    async def publish(self, subject, payload, headers=None, timeout=None):
        for event in json.loads(payload)["items"]:  # the gateway publishes its audit events in batches
            self.published.append((subject, event))


def app_for(lean: bool, monkeypatch: pytest.MonkeyPatch):
    if not lean:
        monkeypatch.setattr(submit, "install", lambda app: None)
    app = create_app(GatewaySettings(max_inflight_submits=1, submit_queue_wait_s=0.05))
    monkeypatch.undo()
    app.state.services, app.state.admission = FakeServices(), FakeAdmission()
    app.state.rate_limiter, app.state.nc = FakeLimiter(), FakeNats()
    return app


def basic(user: str, key: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{key}".encode()).decode()


ANN = {"Authorization": "Bearer esk_ann"}
JSON = {**ANN, "Content-Type": "application/json"}
REQUESTS = [
    ("ordinary", {"json": {"prompt": "a fox", "steps": 1}, "headers": ANN}),
    ("with images", {"json": {"prompt": "a fox", "steps": 2}, "headers": ANN}),
    ("old sampler name", {"json": {"prompt": "a fox", "sampler": "k_euler_a"}, "headers": ANN}),
    ("charset", {"content": b'{"prompt": "a fox"}', "headers": {**ANN, "Content-Type": "Application/JSON; charset=x"}}),
    ("first with a key", {"json": {"prompt": "a fox"}, "headers": {**ANN, "Idempotency-Key": "k1"}}),
    ("retry with the key", {"json": {"prompt": "a fox"}, "headers": {**ANN, "Idempotency-Key": "k1"}}),
    ("basic", {"json": {"prompt": "a fox"}, "headers": {"Authorization": basic("ann", "esk_ann")}}),
    ("basic, another's name", {"json": {"prompt": "a fox"}, "headers": {"Authorization": basic("bob", "esk_ann")}}),
    ("basic, not base64", {"json": {"prompt": "a fox"}, "headers": {"Authorization": "Basic %%%"}}),
    ("no credential", {"json": {"prompt": "a fox"}, "headers": {}}),
    ("wrong key", {"json": {"prompt": "a fox"}, "headers": {"Authorization": "Bearer esk_nope"}}),
    ("no jobs:create", {"json": {"prompt": "a fox"}, "headers": {"Authorization": "Bearer esk_bob"}}),
    ("rate limited", {"json": {"prompt": "a fox"}, "headers": {"Authorization": "Bearer esk_cat"}}),
    ("cookie without CSRF", {"json": {"prompt": "a fox"}, "headers": {"Cookie": "easel_access=esk_ann"}}),
    ("no prompt", {"json": {"steps": 1}, "headers": ANN}),
    ("bad field", {"json": {"prompt": "a fox", "steps": "many"}, "headers": ANN}),
    ("bad field, no credential", {"json": {"prompt": "a fox", "steps": "many"}, "headers": {}}),
    ("unknown field", {"json": {"prompt": "a fox", "colour": "red"}, "headers": ANN}),
    ("not an object", {"json": ["a fox"], "headers": ANN}),
    ("malformed", {"content": b'{"prompt": ', "headers": JSON}),
    ("not UTF-8", {"content": b'{"prompt": "\xff"}', "headers": JSON}),
    ("no body", {"content": b"", "headers": JSON}),
    ("no content type", {"content": b'{"prompt": "a fox"}', "headers": ANN}),
    ("text", {"content": b'{"prompt": "a fox"}', "headers": {**ANN, "Content-Type": "text/plain"}}),
    ("+json", {"content": b'{"prompt": "a fox"}', "headers": {**ANN, "Content-Type": "application/vnd.x+json"}}),
    ("long key", {"json": {"prompt": "a fox"}, "headers": {**ANN, "Idempotency-Key": "k" * 256}}),
    ("longest key", {"json": {"prompt": "a fox"}, "headers": {**ANN, "Idempotency-Key": "k" * 255}}),
    ("too large", {"content": b'{"prompt": "' + b"x" * 2_000_000 + b'"}', "headers": JSON}),
]


def comparable(r: httpx.Response) -> tuple:
    headers = sorted((k, v) for k, v in r.headers.items() if k not in ("date", "server"))
    return r.status_code, r.content, headers


async def answers(app) -> tuple[list[tuple], list[dict]]:
    out = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as api:
        for _name, kwargs in REQUESTS:
            out.append(comparable(await api.post("/v1/jobs", **kwargs)))
        for _ in range(200):  # every request is audited; the events leave in batches, after a short linger
            if len(app.state.nc.published) >= len(REQUESTS):
                break
            await asyncio.sleep(0.01)
    events = [{k: v for k, v in event.items() if k not in ("id", "at")} for _, event in app.state.nc.published]
    return out, events


async def test_the_lean_path_answers_every_request_as_the_declared_route(monkeypatch):
    declared, declared_audit = await answers(app_for(False, monkeypatch))
    lean, lean_audit = await answers(app_for(True, monkeypatch))
    for (name, _), before, after in zip(REQUESTS, declared, lean, strict=True):
        assert after == before, name
    assert lean_audit == declared_audit
    statuses = {name: status for (name, _), (status, _, _) in zip(REQUESTS, lean, strict=True)}
    assert statuses["ordinary"] == 201 and statuses["retry with the key"] == 200
    assert statuses["no jobs:create"] == 403 and statuses["rate limited"] == 429 and statuses["wrong key"] == 401
    assert statuses["bad field"] == 422 and statuses["bad field, no credential"] == 401


async def test_the_lean_path_serves_ordinary_submissions_itself(monkeypatch):
    app = app_for(True, monkeypatch)
    served = []
    monkeypatch.setattr(submit.jobs_api, "create_job", lambda *a: served.append(a) or _never())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as api:
        with pytest.raises(RuntimeError):
            await api.post("/v1/jobs", json={"prompt": "a fox"}, headers=ANN)
    assert len(served) == 1  # the declared route would have called the function it was declared with


async def _never():
    raise RuntimeError("served on the lean path")


async def test_a_busy_gateway_refuses_on_the_lean_path_as_before(monkeypatch):
    results = []
    for lean in (False, True):
        app = app_for(lean, monkeypatch)
        release = asyncio.Event()

        async def slow(req, release=release, fake=app.state.services):
            await release.wait()
            return await FakeServices.create_job(fake, req)

        app.state.services.create_job = slow
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as api:
            first = asyncio.create_task(api.post("/v1/jobs", json={"prompt": "a"}, headers=ANN))
            await asyncio.sleep(0.01)
            refused = await api.post("/v1/jobs", json={"prompt": "b"}, headers=ANN)
            release.set()
            results.append((comparable(refused), (await first).status_code))
        samples = {s.labels["status"] for m in REQUEST_SECONDS.collect() for s in m.samples
                   if s.labels.get("route") == "/v1/jobs" and s.name.endswith("_count")}
        assert {"201", "503"} <= samples  # metrics label the lean route's answers with the route's path
    assert results[0] == results[1]
    assert results[1][0][0] == 503 and results[1][1] == 201
