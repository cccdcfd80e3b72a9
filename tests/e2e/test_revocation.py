"""Revoking a key or disabling a user takes effect at every gateway replica within 2 s."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import httpx
import pytest

from easel_stack.natsd import free_port
from helpers import new_user, process_env, wait_for


@pytest.fixture(scope="module")
async def second_gateway(stack):
    port = free_port()
    env = process_env(stack, "gateway", EASEL_PORT=str(port), EASEL_LOG_LEVEL="WARNING")
    proc = subprocess.Popen([sys.executable, "-m", "easel_gateway"], env=env)
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        async def up():
            try:
                return (await client.get("/readyz")).status_code == 200
            except httpx.TransportError:
                return False

        await wait_for(up, timeout=60)
        yield client
    proc.terminate()
    await asyncio.to_thread(proc.wait, 20)


async def _refused_within(client, headers) -> float:
    start = time.monotonic()

    async def refused():
        return (await client.get("/v1/me", headers=headers)).status_code == 401

    await wait_for(refused, timeout=10, interval=0.05)
    return time.monotonic() - start


async def test_a_revoked_key_stops_working_at_the_other_gateway_within_2_s(api, admin_headers, second_gateway):
    user = await new_user(api, admin_headers)
    assert (await second_gateway.get("/v1/me", headers=user["headers"])).status_code == 200  # now cached there
    key_id = (await api.get("/v1/me/keys", headers=user["headers"])).json()[0]["id"]
    assert (await api.delete(f"/v1/me/keys/{key_id}", headers=user["headers"])).status_code == 200
    assert await _refused_within(second_gateway, user["headers"]) < 2.0


async def test_a_disabled_user_is_refused_at_the_other_gateway_within_2_s(api, admin_headers, second_gateway):
    user = await new_user(api, admin_headers)
    assert (await second_gateway.get("/v1/me", headers=user["headers"])).status_code == 200
    r = await api.patch(f"/v1/users/{user['id']}", json={"disabled": True}, headers=admin_headers)
    assert r.status_code == 200 and r.json()["disabled"] is True
    assert await _refused_within(second_gateway, user["headers"]) < 2.0
    await api.patch(f"/v1/users/{user['id']}", json={"disabled": False}, headers=admin_headers)
    assert (await second_gateway.get("/v1/me", headers=user["headers"])).status_code == 200
