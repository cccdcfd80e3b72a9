"""The API fuzz: schemathesis drives every operation of the live OpenAPI, as a user and as an admin, and finds no
server error and no answer off the declared schema (status, content type, headers, body); the stack stays healthy.
How to run it and what it found: docs/security.md, "Fuzzing the API"."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from helpers import fresh_database, new_user, stack_with_env, submit, until_status

pytestmark = pytest.mark.slow

CONFIG = Path(__file__).with_name("schemathesis.toml")
ROOT = CONFIG.parents[2]  # the config names its hooks file from here
# This deployment's limits keep every job the fuzzer gets accepted small, so the one CPU worker keeps up with them
# and the web UI calls that wait for their job answer in seconds.
LIMITS = {"EASEL_MAX_WIDTH": "128", "EASEL_MAX_HEIGHT": "128", "EASEL_MAX_STEPS": "8", "EASEL_DEFAULT_STEPS": "2",
          "EASEL_MAX_BATCH_SIZE": "2", "EASEL_MAX_IMAGES_PER_JOB": "2", "EASEL_MAX_INPUT_SIDE": "256"}
# The fuzzer sends requests as fast as they are answered: at the default rate limit it would mostly collect 429s.
# A few jobs at once keep its backlog on the one worker short.
QUOTAS = {"requests_per_second": 10000, "burst": 10000, "max_concurrent_jobs": 4}


@pytest.fixture(scope="module")
async def fuzz_stack(session_dir: Path, database_url: str) -> AsyncIterator:
    """A stack of its own, on a database and a nats-server of its own: an admin fuzzer disables, deletes and
    re-roles whoever it finds, which must not be the other tests' users."""
    # without PostgreSQL (None): the stack's own SQLite in its data dir
    own_db = fresh_database(database_url) if database_url.startswith("postgresql") else contextlib.nullcontext()
    async with own_db as url, stack_with_env(LIMITS, data_dir=session_dir / "fuzz-stack", database_url=url,
                                             worker_log=session_dir / "fuzz-worker.log") as stack:
        yield stack


async def fuzzer(api: httpx.AsyncClient, admin: dict[str, str], *roles: str) -> dict:
    """An account to fuzz with. It has a password, so a fuzzed PUT /v1/me/password (which would revoke its key)
    needs the current one and never goes through."""
    user = await new_user(api, admin, f"fuzz-{roles[0]}-{uuid.uuid4().hex[:6]}", roles=list(roles),
                          password=f"fuzzing {uuid.uuid4().hex}")
    r = await api.patch(f"/v1/users/{user['id']}", json={"quotas": QUOTAS}, headers=admin)
    assert r.status_code == 200, r.text
    return user


async def key_ids(api: httpx.AsyncClient, headers: dict[str, str]) -> list[str]:
    r = await api.get("/v1/me/keys", headers=headers)
    assert r.status_code == 200, r.text
    return [key["id"] for key in r.json()]


async def run_schemathesis(url: str, key: str, protected: set[str], out: Path) -> tuple[dict, str]:
    """`st run` on the live schema with tests/security/schemathesis.toml; its JSON report and its output."""
    env = {"EASEL_FUZZ_KEY": key, "EASEL_FUZZ_PROTECTED": json.dumps(sorted(protected)),
           "HYPOTHESIS_STORAGE_DIRECTORY": str(out / "hypothesis")}  # nothing left in the tree
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "run", f"{url}/openapi.json",
        "--report-dir", str(out), "--no-color", cwd=ROOT, env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output = (await proc.communicate())[0].decode(errors="replace")
    reports = list(out.glob("json-*.json"))
    assert len(reports) == 1, output[-5000:]  # no report: it stopped before testing (a bad config, no schema)
    return json.loads(reports[0].read_text()), output


def operations(schema: dict) -> int:
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    return sum(1 for item in schema["paths"].values() for method in item if method in methods)


@pytest.mark.timeout(600)
async def test_fuzzing_every_operation_as_a_user_and_an_admin_finds_no_server_error_or_off_schema_answer(
        fuzz_stack, tmp_path):
    async with httpx.AsyncClient(base_url=fuzz_stack.gateway_url, timeout=60) as api:
        admin = {"Authorization": f"Bearer {fuzz_stack.admin_key}"}
        witness = await new_user(api, admin)  # checks the stack afterwards
        # the admin holds what the bootstrap admin holds: every permission, in every tenant
        fuzzers = {"user": await fuzzer(api, admin, "user"),
                   "admin": await fuzzer(api, admin, "admin", "platform-admin")}
        me = (await api.get("/v1/me", headers=admin)).json()
        # and the fuzzers' tenant: a platform admin could disable it or set its tenant-wide quotas to zero
        protected = {"platform-admin", "admin", "user", "default", me["user_id"], *await key_ids(api, admin)}
        for account in (witness, *fuzzers.values()):
            protected |= {account["id"], *await key_ids(api, account["headers"])}
        total = operations((await api.get("/openapi.json")).json())

        for who, account in fuzzers.items():
            report, output = await run_schemathesis(fuzz_stack.gateway_url, account["key"], protected, tmp_path / who)
            counts = {"operations": report["operations"], "test_cases": report["test_cases"]}
            print(f"fuzz as {who}: {json.dumps(counts)}")
            assert report["failures"] == [] and report["errors"] == [], output[-20000:]
            assert report["operations"]["tested"] == report["operations"]["total"] == total, counts
            assert report["test_cases"]["generated"] >= 10 * total, counts
            # it fuzzed as itself to the end: its key was never revoked along the way
            assert (await api.get("/v1/me", headers=account["headers"])).status_code == 200

        # the user's fuzzing got jobs through to the worker, not only refusals
        done = await api.get("/v1/jobs", params={"status": "succeeded"}, headers=fuzzers["user"]["headers"])
        assert done.status_code == 200 and done.json()["items"], done.text
        assert (await api.get("/healthz")).status_code == 200
        ready = await api.get("/readyz")
        assert ready.status_code == 200, ready.text
        job = await submit(api, witness["headers"], steps=2)
        finished = await until_status(api, job["id"], witness["headers"], "succeeded", "failed", "canceled",
                                      timeout=180)
        assert finished["status"] == "succeeded", finished
