"""Helpers the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import httpx
from httpx_sse import aconnect_sse
from prometheus_client import REGISTRY

from easel_common import db
from easel_common.callers import Holder
from easel_common.natsio import Caller, request
from easel_common.storage import LocalStore
from easel_proto.v1.common import Principal
from easel_proto.v1.registry import ImportModelRequest, ModelRequest, ModelSource
from easel_registry.flows import RegistryFlows
from easel_registry.main import MIGRATIONS as REGISTRY_MIGRATIONS
from easel_registry.models import Upload
from easel_registry.service import now
from easel_registry.settings import RegistrySettings


def namespace() -> str:
    """A namespace per stack, so runs sharing the machine's NATS never see each other's streams."""
    return f"t{uuid.uuid4().hex[:10]}"


async def _admin_sql(url: str, statement: str) -> None:
    import asyncpg

    parsed = urlparse(url.replace("+asyncpg", ""))
    conn = await asyncpg.connect(host=parsed.hostname, port=parsed.port or 5432, user=parsed.username,
                                 password=parsed.password, database=parsed.path.lstrip("/"))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def fresh_database(url: str) -> AsyncIterator[str]:
    """A new, empty PostgreSQL database on the server of `url`, dropped afterwards."""
    name = f"easel_test_{uuid.uuid4().hex[:10]}"
    await _admin_sql(url, f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await _admin_sql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.asynccontextmanager
async def cluster_database(database_url: str, folder: Path) -> AsyncIterator[str]:
    """A database of a process cluster's own: a fresh one on PostgreSQL, else an SQLite file its processes share."""
    if database_url.startswith("sqlite"):
        folder.mkdir(parents=True, exist_ok=True)
        yield f"sqlite+aiosqlite:///{folder / 'easel.db'}"
        return
    async with fresh_database(database_url) as url:
        yield url


async def ensure_tenant(api: httpx.AsyncClient, admin_headers: dict[str, str], tenant_id: str) -> None:
    """Make the tenant (as the platform admin, with a first admin of its own) unless it exists: users are created
    only in tenants that exist."""
    r = await api.post("/v1/tenants", json={"id": tenant_id, "admin": {"username": f"{tenant_id}-admin-"
                                                                                    f"{uuid.uuid4().hex[:6]}",
                                                                       "api_key": True}}, headers=admin_headers)
    assert r.status_code in (201, 409), r.text


async def new_user(api: httpx.AsyncClient, admin_headers: dict[str, str], name: str | None = None,
                   **fields) -> dict:
    """Create a user (`fields`: roles, tenant_id, password) with an API key; returns the user with `headers` for
    calling as them. A tenant named in `tenant_id` is made first when it does not exist."""
    if fields.get("tenant_id"):
        await ensure_tenant(api, admin_headers, fields["tenant_id"])
    r = await api.post("/v1/users", json={"username": name or f"u{uuid.uuid4().hex[:8]}", **fields},
                       headers=admin_headers)
    assert r.status_code == 201, r.text
    user = r.json()
    r = await api.post(f"/v1/users/{user['id']}/keys", json={"name": "test"}, headers=admin_headers)
    assert r.status_code == 201, r.text
    user["key"] = r.json()["secret"]
    user["headers"] = {"Authorization": f"Bearer {user['key']}"}
    return user


def process_env(stack, identity: str, **extra: str) -> dict[str, str]:
    """The environment of another process of `stack` (a second gateway, say) signing in to NATS as `identity`."""
    env = {**os.environ, "EASEL_NATS_URL": stack.nats_url, "EASEL_NAMESPACE": stack.options.namespace,
           "EASEL_DATA_DIR": str(stack.data_dir), **extra}
    seed = stack.identity(identity).seed_file
    if seed is not None:
        env["EASEL_NATS_SEED_FILE"] = str(seed)
    return env


async def as_gateway(stack, subject: str, message, reply_type, principal: Principal, timeout: float = 5.0):
    """A request made as the gateway makes it for `principal`: on the gateway's NATS identity, with a statement
    from the stack's auth bound to a fresh holder key, as if that caller had just signed in."""
    holder = Holder()
    statement, _ = stack.services[0].issuer.issue(principal, holder.public_key, None)
    if not hasattr(stack, "_gateway_nc"):
        stack._gateway_nc = await stack.connect_as("gateway")
    return await request(stack._gateway_nc, subject, message, reply_type, timeout=timeout,
                         caller=Caller(statement, holder))


def metric(name: str, **labels: str) -> float:
    """A sample's value in this process's registry, where the embedded stack's services count (0 before the series
    exists); `name` as exported: easel_jobs_total, easel_job_latency_seconds_count."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def metric_reaches(name: str, value: float, timeout: float = 10.0, **labels: str) -> float:
    """Wait until a sample is at least `value` (services count after they answer); returns what it is then."""
    async def reached():
        return metric(name, **labels) >= value

    await wait_for(reached, timeout=timeout)
    return metric(name, **labels)


async def wait_for(predicate, timeout: float = 60.0, interval: float = 0.1):
    """Poll an async predicate until it returns something truthy."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        value = await predicate()
        if value:
            return value
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


async def events(api: httpx.AsyncClient, job_id: str, headers: dict[str, str],
                 timeout: float = 120.0) -> list[tuple[str, dict]]:
    """Every SSE event of a job, in order, up to and including its terminal event."""
    out: list[tuple[str, dict]] = []

    async def collect() -> None:
        async with aconnect_sse(api, "GET", f"/v1/jobs/{job_id}/events", headers=headers) as source:
            async for sse in source.aiter_sse():
                if not sse.data:  # the 15 s keep-alive comment: httpx-sse hands it over as an empty message
                    continue
                out.append((sse.event, json.loads(sse.data)))
                if sse.event in ("succeeded", "failed", "canceled"):
                    return

    await asyncio.wait_for(collect(), timeout)
    return out


async def submit(api: httpx.AsyncClient, headers: dict[str, str], **fields) -> dict:
    body = {"prompt": "a red fox in the snow", "steps": 4, "width": 64, "height": 64, "seed": 1, **fields}
    r = await api.post("/v1/jobs", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def job_status(api: httpx.AsyncClient, job_id: str, headers: dict[str, str]) -> dict:
    r = await api.get(f"/v1/jobs/{job_id}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


async def until_status(api: httpx.AsyncClient, job_id: str, headers: dict[str, str], *statuses: str,
                       timeout: float = 120.0) -> dict:
    async def check():
        job = await job_status(api, job_id, headers)
        return job if job["status"] in statuses else None

    return await wait_for(check, timeout)


@contextlib.asynccontextmanager
async def stack_with_env(env: dict[str, str], **options) -> AsyncIterator:
    """An embedded stack whose in-process services and workers see `env` (restored afterwards)."""
    from easel_stack.stack import EmbeddedStack, StackOptions

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the in-process services read their settings from the environment at start
    stack = EmbeddedStack(StackOptions(port=0, namespace=namespace(), worker_env=env, **options))
    try:
        await stack.start()
        yield stack
    finally:
        await stack.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def s3_server_env(bucket: str, **extra: str):
    """A real S3 protocol server (moto) on loopback, and the EASEL_* settings that make Easel store in it."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield {"EASEL_STORE": "s3", "EASEL_S3_ENDPOINT_URL": f"http://{host}:{port}", "EASEL_S3_BUCKET": bucket,
               "EASEL_S3_ACCESS_KEY_ID": "testing", "EASEL_S3_SECRET_ACCESS_KEY": "testing-secret",
               "EASEL_S3_CREATE_BUCKET": "true", **extra}
    finally:
        server.stop()


# --- the registry in-process (integration tests of its sources) -------------------------------------------------

REGISTRY_OWNER = Principal(user_id="u-alice", tenant_id="t1", username="alice", roles=["user"],
                           permissions=["models:read", "models:write"])


class Boom:
    """Unpickling this would create the marker file: the registry must never unpickle."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


@contextlib.asynccontextmanager
async def registry_flows(tmp_path: Path, **settings) -> AsyncIterator[RegistryFlows]:
    """A registry's import logic on a fresh SQLite database and a local object folder under tmp_path."""
    config = RegistrySettings(data_dir=tmp_path, _env_file=None, **settings)
    engine = db.make_engine(config.database_url)
    await db.migrate(engine, REGISTRY_MIGRATIONS, "alembic_version_registry")
    flows = RegistryFlows(config, db.sessions(engine), LocalStore(tmp_path / "objects"))
    try:
        yield flows
    finally:
        await flows.stop()
        await engine.dispose()


async def upload_row(flows: RegistryFlows, upload_id: str) -> Upload | None:
    """The registry's record of an upload, or None once it is gone."""
    async with flows.sessions() as session:
        return await session.get(Upload, upload_id)


async def age_upload(flows: RegistryFlows, upload_id: str, seconds: float) -> None:
    """Make an upload look untouched for `seconds`."""
    async with flows.sessions.begin() as session:
        (await session.get(Upload, upload_id)).touched_at = now() - timedelta(seconds=seconds)


async def import_and_wait(flows: RegistryFlows, source: ModelSource, kind: str = "checkpoint",
                          timeout: float = 30.0, name: str | None = None) -> dict:
    """Start an import as REGISTRY_OWNER and return the model once it is no longer importing (a name of its own
    unless told: an owner's models of a kind have distinct names)."""
    name = name or f"m-{uuid.uuid4().hex[:8]}"
    info = await flows.import_model(ImportModelRequest(principal=REGISTRY_OWNER, name=name, kind=kind, base="sd15",
                                                       source=source))
    assert info.status == "importing"

    async def finished():
        [now] = (await flows.models(ModelRequest(principal=REGISTRY_OWNER, model_id=info.id))).items
        return now.model_dump() if now.status != "importing" else None

    return await wait_for(finished, timeout=timeout, interval=0.05)


async def upload_model(api, headers, name: str, kind: str, content: bytes) -> dict:
    """Upload and import a model for the whole tenant; wait until it is ready."""
    upload = (await api.post("/v1/models/uploads", headers=headers)).json()
    assert (await api.put(upload["url"], content=content, headers=headers)).status_code == 204
    r = await api.post("/v1/models", json={"name": name, "kind": kind, "base": "tiny", "visibility": "public",
                                           "source": {"type": "upload", "uri": upload["upload_id"]}},
                       headers=headers)
    assert r.status_code == 201, r.text

    async def ready():
        model = (await api.get(f"/v1/models/{r.json()['id']}", headers=headers)).json()
        assert model["status"] != "failed", model
        return model if model["status"] == "ready" else None

    return await wait_for(ready)


def tiny_lora(tmp_path: Path, seed: int) -> bytes:
    """A random LoRA for the tiny model's UNet, as one .safetensors file."""
    import torch
    from diffusers import StableDiffusionPipeline, UNet2DConditionModel
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    from easel_worker.engine import build_tiny_sd

    unet = UNet2DConditionModel.from_pretrained(build_tiny_sd(tmp_path / "tiny") / "unet")
    torch.manual_seed(seed)
    unet.add_adapter(LoraConfig(r=4, lora_alpha=4, target_modules=["to_k", "to_q", "to_v", "to_out.0"],
                                init_lora_weights=False))
    StableDiffusionPipeline.save_lora_weights(tmp_path / "lora", weight_name="lora.safetensors",
                                              unet_lora_layers=get_peft_model_state_dict(unet))
    return (tmp_path / "lora" / "lora.safetensors").read_bytes()


async def restart_jobs(stack) -> None:
    """A fresh jobs service on the stack's settings in place of the running one, as after a deployment (its start
    runs again: migrations, resealing, consumers)."""
    from easel_jobs.main import JobsService  # here: most tests never need the jobs service's module

    old = stack.services[2]
    assert isinstance(old, JobsService)
    await old.stop()
    fresh = JobsService(old.settings, await stack.connect_as("jobs"))
    await fresh.start()
    stack.services[2] = fresh


# --- a worker run in-process, its events sent nowhere -------------------------------------------------------------


class SilentNats:
    """Stands in for a worker's NATS client where a test calls its run directly: takes plain and JetStream
    publishes (processing and progress go plain, the terminal events through JetStream) and drops them."""

    async def publish(self, subject: str, payload: bytes = b"", reply: str = "", headers=None) -> None:
        pass

    def jetstream(self) -> SilentNats:
        return self
