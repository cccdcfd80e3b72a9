"""Sign-in under concurrency: a refresh token spent at once by many has one winner, and a burst of guesses gets no
more password checks than the limit allows, every one answered in time."""

from __future__ import annotations

import asyncio

from easel_auth.main import AuthService
from helpers import new_user

PASSWORD = "correct horse battery staple"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def login(api, username: str, password: str = PASSWORD):
    return await api.post("/v1/auth/login", json={"username": username, "password": password})


async def test_concurrent_refreshes_of_one_token_have_one_winner_and_end_the_session(api, admin_headers):
    user = await new_user(api, admin_headers, password=PASSWORD)
    pair = (await login(api, user["username"])).json()
    replies = await asyncio.gather(*(api.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
                                     for _ in range(24)))
    statuses = [r.status_code for r in replies]
    assert statuses.count(200) == 1 and statuses.count(401) == len(statuses) - 1, statuses
    [winner] = [r.json() for r in replies if r.status_code == 200]
    # every loser is a replay, so the session ends, the winner's new tokens with it
    assert (await api.get("/v1/me", headers=bearer(winner["access_token"]))).status_code == 401
    assert (await api.post("/v1/auth/refresh", json={"refresh_token": winner["refresh_token"]})).status_code == 401
    assert (await api.get("/v1/me", headers=bearer(pair["access_token"]))).status_code == 401


async def test_a_burst_of_wrong_passwords_gets_no_more_checks_than_the_limit(api, admin_headers, stack):
    max_failures = next(s for s in stack.services if isinstance(s, AuthService)).settings.login_max_failures
    user = await new_user(api, admin_headers, password=PASSWORD)
    replies = await asyncio.gather(*(login(api, user["username"], f"guess number {i}") for i in range(30)))
    statuses = [r.status_code for r in replies]
    assert set(statuses) <= {401, 429}, statuses  # never 503: every answer comes before the caller gives up
    assert statuses.count(401) <= max_failures, statuses
    for r in replies:
        if r.status_code == 429:
            assert r.json()["code"] == "too_many_attempts" and int(r.headers["retry-after"]) > 0
    locked = await login(api, user["username"])  # even the right password, while locked
    assert locked.status_code == 429 and locked.json()["code"] == "too_many_attempts"
