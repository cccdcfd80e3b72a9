"""The browser's session: tokens in HttpOnly cookies, CSRF-checked writes, sign-out that ends it; the pages'
security headers; the history search by prompt."""

from __future__ import annotations

import uuid

import httpx
import pytest

from helpers import new_user, submit, wait_for

PASSWORD = "a long enough password 1"


async def sign_in(stack, admin_headers, browser: httpx.AsyncClient) -> dict:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as admin:
        user = await new_user(admin, admin_headers, password=PASSWORD)
    r = await browser.post("/v1/auth/session", json={"username": user["username"], "password": PASSWORD})
    assert r.status_code == 200, r.text
    assert "access_token" not in r.text and "refresh_token" not in r.text  # no token a script could read
    return user


def cookie_flags(response: httpx.Response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h.lower() for h in response.headers.get_list("set-cookie")}


async def test_a_browser_signs_in_with_httponly_cookies_and_its_writes_need_the_csrf_token(stack, admin_headers):
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as admin:
        user = await new_user(admin, admin_headers, password=PASSWORD)
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as browser:
        r = await browser.post("/v1/auth/session", json={"username": user["username"], "password": PASSWORD})
        assert r.status_code == 200, r.text
        assert "access_token" not in r.text and "refresh_token" not in r.text  # no token a script could read
        flags = cookie_flags(r)
        assert "httponly" in flags["easel_access"] and "samesite=strict" in flags["easel_access"]
        assert "httponly" in flags["easel_refresh"] and "path=/v1/auth/session" in flags["easel_refresh"]
        assert "httponly" not in flags["easel_csrf"]  # the page's script echoes it

        me = await browser.get("/v1/me")  # the cookie alone is the credential for a read
        assert me.status_code == 200 and me.json()["username"] == user["username"]

        job = {"prompt": "a cookie", "steps": 1, "width": 64, "height": 64}
        refused = await browser.post("/v1/jobs", json=job)
        assert refused.status_code == 403 and refused.json()["details"]["field"] == "X-CSRF-Token"
        forged = await browser.post("/v1/jobs", json=job, headers={"X-CSRF-Token": "guessed"})
        assert forged.status_code == 403
        csrf = browser.cookies["easel_csrf"]
        made = await browser.post("/v1/jobs", json=job, headers={"X-CSRF-Token": csrf})
        assert made.status_code == 201, made.text

        # an API key caller sends no cookie and no CSRF token, as before
        assert (await browser.get("/v1/me", headers=user["headers"], cookies={})).status_code == 200


async def test_a_browsers_sign_in_attempts_are_in_the_audit_log(stack, api, admin_headers):
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as browser:
        user = await sign_in(stack, admin_headers, browser)
        wrong = await browser.post("/v1/auth/session", json={"username": user["username"], "password": "wrong!"})
        assert wrong.status_code == 401

    async def logged():
        r = await api.get("/v1/audit", params={"action": "auth.login", "actor_id": user["id"]}, headers=admin_headers)
        items = r.json()["items"]
        return items if len(items) == 1 else None  # the success; the refusal names only the username

    async def refused():  # its own event, which may be stored a moment after the success's (another batch)
        r = await api.get("/v1/audit", params={"action": "auth.login", "outcome": "denied"}, headers=admin_headers)
        return any(e.get("actor_name") == user["username"] for e in r.json()["items"])

    assert (await wait_for(logged, timeout=20))[0]["outcome"] == "ok"
    assert await wait_for(refused, timeout=20)


async def test_refresh_renews_the_cookies_and_signing_out_ends_the_session(stack, admin_headers):
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as browser:
        await sign_in(stack, admin_headers, browser)
        csrf = {"X-CSRF-Token": browser.cookies["easel_csrf"]}
        old_refresh = browser.cookies["easel_refresh"]
        r = await browser.post("/v1/auth/session/refresh", headers=csrf)
        assert r.status_code == 200, r.text
        assert browser.cookies["easel_refresh"] != old_refresh
        access = browser.cookies["easel_access"]
        csrf = {"X-CSRF-Token": browser.cookies["easel_csrf"]}

        assert (await browser.delete("/v1/auth/session")).status_code == 403  # sign-out is a write: CSRF too
        out = await browser.delete("/v1/auth/session", headers=csrf)
        assert out.status_code == 204
        assert "easel_access" not in browser.cookies  # cleared
        # the old cookie, replayed, no longer works: the session itself ended, not just the browser's copy
        replay = await browser.get("/v1/me", cookies={"easel_access": access})
        assert replay.status_code == 401
        assert (await browser.get("/v1/me")).status_code == 401


async def test_signing_out_everywhere_ends_the_users_other_sessions(stack, admin_headers):
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as laptop, \
            httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as tablet:
        user = await sign_in(stack, admin_headers, laptop)
        r = await tablet.post("/v1/auth/session", json={"username": user["username"], "password": PASSWORD})
        assert r.status_code == 200
        out = await laptop.delete("/v1/auth/session", params={"everywhere": "true"},
                                  headers={"X-CSRF-Token": laptop.cookies["easel_csrf"]})
        assert out.status_code == 204
        assert (await tablet.get("/v1/me")).status_code == 401
        refresh = await tablet.post("/v1/auth/session/refresh", headers={"X-CSRF-Token": tablet.cookies["easel_csrf"]})
        assert refresh.status_code == 401  # its refresh cookie ended with it
        assert (await tablet.get("/v1/me", headers=user["headers"])).status_code == 200  # API keys are not sessions


async def test_the_pages_carry_security_headers_and_are_not_in_the_api_schema(stack, api):
    page = await api.get("/")
    assert page.status_code in (200, 503)  # 503: the web UI is not built, and the page says how to build it
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    if page.status_code == 503:
        assert "npm run build" in page.text
    paths = (await api.get("/openapi.json")).json()["paths"]
    assert "/" not in paths and "/assets/{name}" not in paths and "/v1/auth/session" in paths
    assert (await api.get("/assets/..%2Fpackage.json")).status_code == 404


@pytest.mark.parametrize("needle", ["LIGHTHOUSE", "house at"])
async def test_history_search_finds_jobs_by_prompt_text(api, user, needle):
    tag = uuid.uuid4().hex[:6]
    ours = await submit(api, user["headers"], prompt=f"a lighthouse at dusk {tag}", steps=1, width=64, height=64)
    await submit(api, user["headers"], prompt=f"a forest {tag}", steps=1, width=64, height=64)
    r = await api.get("/v1/jobs", params={"prompt": needle}, headers=user["headers"])
    assert r.status_code == 200, r.text
    assert [j["id"] for j in r.json()["items"]] == [ours["id"]]
    wild = await api.get("/v1/jobs", params={"prompt": "%"}, headers=user["headers"])
    assert wild.json()["items"] == []  # LIKE's wildcards are plain text here
    assert (await api.get("/v1/jobs", params={"prompt": "a\x00b"}, headers=user["headers"])).status_code == 422
