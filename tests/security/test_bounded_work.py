"""Bounded work per request: whatever a request asks for, it is refused (a 4xx naming the field or the limit) before
the gateway or a worker does work out of proportion to it, and the stack keeps answering everyone else."""

from __future__ import annotations

import asyncio
import base64
import io
import struct
import sys
import zlib
from types import SimpleNamespace

import httpx
import pytest
from httpx_sse import aconnect_sse
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from sqlalchemy import update

from easel_auth import quotas as auth_quotas
from easel_auth.models import User as UserRow
from easel_auth.settings import AuthSettings
from easel_common import prompts
from easel_gateway import ratelimit
from easel_gateway.sdapi import xyz
from easel_proto.errors import InvalidInput
from easel_proto.v1.auth import PromptStyle
from easel_proto.v1.common import Quotas
from helpers import submit, until_status, wait_for

LIMIT = 20_000  # a job prompt's maxLength
JOB = {"prompt": "a red fox in the snow", "steps": 1, "width": 64, "height": 64, "seed": 1}
SMALL = {"prompt": "a red fox in the snow", "steps": 2, "width": 64, "height": 64, "seed": 11}


def gateway(stack):
    return stack._server.config.app.state


async def my_jobs(api: httpx.AsyncClient, headers: dict[str, str]) -> list[dict]:
    r = await api.get("/v1/jobs", params={"limit": 100}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def refused(r: httpx.Response, field: str) -> dict:
    """A 422 naming `field`, in Easel's shape."""
    assert r.status_code == 422, r.text[:500]
    body = r.json()
    assert body["code"] == "validation_error" and body["details"]["field"] == field, body
    return body


def refused_webui(r: httpx.Response, field: str) -> dict:
    """A 422 naming `field`, in the web UI's shape."""
    assert r.status_code == 422, r.text[:500]
    body = r.json()
    assert body["detail"].startswith(f"{field}:"), body
    return body


def over_limit(r: httpx.Response, code: str, limit: str) -> dict:
    assert r.status_code == 429, r.text[:500]
    body = r.json()
    assert body["code"] == code and body["details"]["limit"] == limit, body
    assert 1 <= int(r.headers["Retry-After"]) <= ratelimit.TTL_S
    return body


def png_b64(width: int, height: int, text: str | None = None) -> str:
    meta = PngInfo()
    if text is not None:
        meta.add_text("parameters", text)
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, format="PNG", pnginfo=meta)
    return base64.b64encode(out.getvalue()).decode()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> str:
    """A PNG whose header claims a size its few bytes of pixels do not have: decoding it would fail."""
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + header + _chunk(b"IDAT", zlib.compress(b"\0" * 64))).decode()


# --- saved styles -------------------------------------------------------------------------------------------------

async def test_styles_cannot_grow_a_prompt_past_its_limit(api, user):
    h = user["headers"]
    thrice = {"name": "thrice", "prompt": "{prompt}, {prompt}, {prompt}"}
    r = await api.patch("/v1/me/settings", json={"styles": [thrice]}, headers=h)
    assert r.status_code == 200, r.text
    r = await api.post("/v1/jobs", json={**JOB, "prompt": "fox " * 2000, "styles": ["thrice"]}, headers=h)
    body = refused(r, "prompt")
    assert body["details"]["limit"] == LIMIT and "thrice" in body["message"]
    assert await my_jobs(api, h) == []


async def test_saved_settings_stay_small_enough_to_travel_with_every_verification(api, user):
    """Settings come back with each check of the user's key: 200 styles of 40,000 characters would be 8 MB each."""
    h = user["headers"]
    small = [{"name": "noir", "prompt": "{prompt}, film noir"}]
    assert (await api.patch("/v1/me/settings", json={"styles": small}, headers=h)).status_code == 200
    big = [{"name": f"s{i}", "prompt": "x" * 4000} for i in range(40)]
    r = await api.patch("/v1/me/settings", json={"styles": big}, headers=h)
    assert r.status_code == 422, r.text
    assert r.json()["details"]["field"] == "styles"
    assert (await api.get("/v1/me/settings", headers=h)).json()["styles"] == [{**small[0], "negative_prompt": ""}]


def test_a_style_full_of_prompt_slots_is_measured_before_it_is_built():
    many = PromptStyle(name="many", prompt="{prompt}" * 2500)  # each slot repeats the prompt
    with pytest.raises(InvalidInput) as err:
        prompts.apply_styles("x" * 20_000, "", [many])
    assert err.value.details["field"] == "prompt" and err.value.details["limit"] == LIMIT
    assert prompts.apply_styles("a fox", "", [many])[0] == "a fox" * 2500  # within the limit, as before


# --- seed resize ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("side", ["w", "h"])
async def test_seed_resize_is_bounded_by_the_size_limits(api, user, side):
    h = user["headers"]
    big = {f"seed_resize_from_{side}": 12_000, f"seed_resize_from_{'h' if side == 'w' else 'w'}": 64}
    refused(await api.post("/v1/jobs", json={**JOB, **big}, headers=h), f"seed_resize_from_{side}")
    refused_webui(await api.post("/sdapi/v1/txt2img", json={**SMALL, **big}, headers=h), f"seed_resize_from_{side}")
    assert await my_jobs(api, h) == []


# --- infotext -------------------------------------------------------------------------------------------------------

HOSTILE = "a fox\n" + "a" * 60_000  # a line the old pattern backtracked over: tens of seconds on the event loop
PROBE = """
import select, sys, httpx
while True:  # until stdin closes: one /healthz answer a line, an error's name if none came within 10 s
    try:
        print(httpx.get(sys.argv[1], timeout=10).status_code, flush=True)
    except httpx.HTTPError as exc:
        print(type(exc).__name__, flush=True)
    if select.select([sys.stdin], [], [], 0.05)[0]:
        break
"""


@pytest.mark.parametrize(("path", "body", "status"), [
    ("/sdapi/v1/png-info", {"image": png_b64(8, 8, HOSTILE)}, 200),
    ("/sdapi/v1/txt2img", {**SMALL, "infotext": HOSTILE, "width": 4}, 422),  # read, then refused for its width
])
async def test_a_hostile_infotext_never_stalls_the_gateway(api, user, stack, path, body, status):
    # /healthz is asked from another process all along: the embedded gateway shares this test's event loop (and
    # GIL), so a stall would stall any timeout kept here too
    prober = await asyncio.create_subprocess_exec(sys.executable, "-c", PROBE, f"{stack.gateway_url}/healthz",
                                                  stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    first = await asyncio.wait_for(prober.stdout.readline(), 60)
    r = await api.post(path, json=body, headers=user["headers"])
    prober.stdin.close()
    answers = [first.strip(), *(await prober.stdout.read()).split()]
    await prober.wait()
    assert set(answers) == {b"200"}, answers
    assert r.status_code == status, r.text[:300]
    if status == 200:
        assert r.json()["parameters"]["Prompt"].startswith("a fox\naaa")
    assert await my_jobs(api, user["headers"]) == []


# --- scripts --------------------------------------------------------------------------------------------------------

async def test_prompt_order_is_counted_before_its_permutations_are_built(api, user):
    terms = ", ".join("abcdefghi")  # 9! = 362,880 orders
    args = ["Prompt order", terms, None, "Nothing", "", None, "Nothing", "", None, True, False, False, False]
    r = await api.post("/sdapi/v1/txt2img", json={**SMALL, "prompt": "a b c d e f g h i", "script_name": "x/y/z plot",
                                                   "script_args": args}, headers=user["headers"])
    assert "362880" in refused_webui(r, "script_args.1")["detail"]
    assert await my_jobs(api, user["headers"]) == []


async def test_a_prompt_matrix_is_counted_before_its_combinations(api, user):
    r = await api.post("/sdapi/v1/txt2img", json={**SMALL, "prompt": "a" + "|b" * 40, "script_name": "prompt matrix"},
                       headers=user["headers"])
    refused_webui(r, "prompt")
    assert await my_jobs(api, user["headers"]) == []


@pytest.mark.parametrize("values", ["1-100000 [100000]", "1-100000", "1-2 (+0.0000001)",
                                    ",".join(str(n) for n in range(100_000)), "1" * 100_000 + "-2"])
def test_an_axis_is_refused_once_it_counts_more_than_a_plot_runs(values):
    kind = xyz.SUPPORTED["CFG Scale"] if "." in values else xyz.SUPPORTED["Steps"]
    with pytest.raises(InvalidInput) as err:
        xyz._values(kind, values, None, False, "script_args.1")
    assert err.value.details["field"] == "script_args.1"


def test_prompt_search_and_replace_is_measured_before_it_is_built():
    values = ["a", "b" * 1000]
    update = {"prompt": "a " * 1000, "negative_prompt": ""}
    with pytest.raises(ValueError, match=str(LIMIT)):
        xyz.SUPPORTED["Prompt S/R"].apply(update, values[1], values)
    assert update["prompt"] == "a " * 1000


# --- input images ---------------------------------------------------------------------------------------------------

async def test_the_input_pixels_of_a_request_are_bounded_from_the_headers(api, user, stack, monkeypatch):
    limit = 3 * 64 * 64
    monkeypatch.setattr(gateway(stack).settings, "max_input_pixels_per_request", limit)
    images = [png_b64(64, 64)] * 3 + [png_claiming(4096, 4096)]  # the last is refused by its header, not decoded
    r = await api.post("/v1/jobs", json={**JOB, "init_images": images}, headers=user["headers"])
    body = refused(r, "init_images.3")
    assert body["details"]["limit"] == limit and "pixels" in body["message"]
    assert await my_jobs(api, user["headers"]) == []


# --- quotas and rate limits -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "value"), [
    ("requests_per_second", "5e-324"), ("requests_per_second", "1e999"), ("requests_per_second", "0"),
    ("burst", "1000000000000"), ("max_concurrent_jobs", "-1"), ("images_per_day", "1e400"),
    ("gpu_seconds_per_month", "1e300"),
])
async def test_quota_values_out_of_range_are_refused(api, admin_headers, user, field, value):
    raw = f'"quotas": {{"{field}": {value}}}'  # the number as written: 1e999 is valid JSON
    as_json = {**admin_headers, "Content-Type": "application/json"}
    refused(await api.patch(f"/v1/users/{user['id']}", content=f"{{{raw}}}", headers=as_json), f"quotas.{field}")
    role = f'"name": "r{user["id"][:8]}", "permissions": []'
    refused(await api.post("/v1/roles", content=f"{{{role}, {raw}}}", headers=as_json), f"quotas.{field}")
    assert (await api.get("/v1/me", headers=user["headers"])).status_code == 200


async def test_a_stored_quota_out_of_range_never_locks_its_user_out(api, admin_headers, user, stack):
    # as a row written before the ranges existed may hold it: straight into the auth tables
    async with stack.services[0].sessions.begin() as session:
        stale = {"requests_per_second": 5e-324}
        await session.execute(update(UserRow).where(UserRow.id == user["id"]).values(quotas=stale))

    async def limited():  # once the gateway's cached verification lapses, the first request spends the one token
        r = await api.get("/v1/me", headers=user["headers"])
        assert r.status_code in (200, 429), r.text
        return r if r.status_code == 429 else None

    r = await wait_for(limited, timeout=30, interval=0.2)
    over_limit(r, "rate_limited", "requests_per_second")
    # and its admin still reads it, and the tenant's user list, with the quota as it is applied
    r = await api.get(f"/v1/users/{user['id']}", headers=admin_headers)
    assert r.status_code == 200 and r.json()["quotas"]["requests_per_second"] == 0.001, r.text
    assert (await api.get("/v1/users", headers=admin_headers)).status_code == 200


def test_the_rate_limiter_takes_any_number_without_overflowing():
    ttl = ratelimit.TTL_S
    for rate in (5e-324, 0.0, -1.0, float("nan"), float("inf"), 1e308, 10**400):
        quotas = Quotas.model_construct(requests_per_second=rate, burst=None)
        left, wait = ratelimit.take(0.0, ratelimit.rate_of(quotas))
        assert left is None and 0 < wait <= ttl and 1 <= ratelimit.retry_after(wait) <= ttl
        assert 1 <= ratelimit.burst_of(quotas) < float("inf")
    assert ratelimit.burst_of(Quotas.model_construct(requests_per_second=1.0, burst=10**400)) < float("inf")
    assert ratelimit.retry_after(float("inf")) == ttl and ratelimit.retry_after(float("nan")) == 1


class _Rows(SimpleNamespace):
    """The roles' quota rows, and a tenant without quotas of its own."""

    async def execute(self, _query):
        return SimpleNamespace(scalars=lambda: self.roles)

    async def get(self, _table, _key):
        return None


async def test_defaults_apply_where_neither_the_user_nor_a_role_sets_a_limit():
    defaults = AuthSettings(_env_file=None).default_quotas
    assert defaults.max_concurrent_jobs == 16 and 10 <= defaults.requests_per_second <= 100

    async def effective(own: dict | None, *roles: dict | None) -> Quotas:
        user = SimpleNamespace(role_names=["r"] * len(roles), quotas=own, tenant_id="t")
        return await auth_quotas.effective(_Rows(roles=list(roles)), user=user, defaults=defaults)

    fresh = await effective(None, None)
    assert (fresh.max_concurrent_jobs, fresh.requests_per_second, fresh.images_per_day) == (16, 50.0, None)
    assert (await effective({"max_concurrent_jobs": 2}, {"max_concurrent_jobs": 40})).max_concurrent_jobs == 2
    assert (await effective(None, {"max_concurrent_jobs": 40}, None)).max_concurrent_jobs == 40  # most generous
    assert (await effective(None, {"max_concurrent_jobs": 4}, None)).max_concurrent_jobs == 16  # the default's
    stale = await effective({"requests_per_second": 5e-324, "burst": 10**400}, None)
    assert (stale.requests_per_second, stale.burst) == (0.001, 100_000)  # rows from before the ranges, in range


async def test_a_fresh_user_has_a_default_concurrency_limit(api, user):
    h, accepted = user["headers"], []
    try:
        for _ in range(20):
            r = await api.post("/v1/jobs", json={**JOB, "steps": 150}, headers=h)
            if r.status_code != 201:
                break
            accepted.append(r.json()["id"])
        body = over_limit(r, "quota_exceeded", "max_concurrent_jobs")
        assert body["details"]["allowed"] == 16 and 16 <= len(accepted) <= 17  # one may have finished meanwhile
    finally:
        for job_id in accepted:
            await api.delete(f"/v1/jobs/{job_id}", headers=h)
    for job_id in accepted:
        await until_status(api, job_id, h, "canceled", "succeeded", timeout=120)


# --- what a gateway holds open --------------------------------------------------------------------------------------

async def test_web_ui_calls_running_at_once_are_bounded_per_user(api, user, stack, monkeypatch):
    monkeypatch.setattr(gateway(stack).settings, "max_webui_tasks_per_user", 1)
    h = user["headers"]
    first = asyncio.create_task(api.post("/sdapi/v1/txt2img", json={**SMALL, "steps": 150}, headers=h))
    try:
        await wait_for(lambda: my_jobs(api, h), timeout=30, interval=0.05)  # the first call is under way
        r = await api.post("/sdapi/v1/txt2img", json=SMALL, headers=h)
        over_limit(r, "quota_exceeded", "max_webui_tasks_per_user")
        assert len(await my_jobs(api, h)) == 1  # nothing was queued for the refused call
    finally:
        await api.post("/sdapi/v1/interrupt", headers=h)
        assert (await first).status_code == 200
    r = await api.post("/sdapi/v1/txt2img", json=SMALL, headers=h)  # its slot is free again
    assert r.status_code == 200, r.text[:300]


async def test_open_event_streams_are_bounded_per_user(api, user, stack, monkeypatch):
    monkeypatch.setattr(gateway(stack).settings, "max_sse_streams_per_user", 1)
    h = user["headers"]
    job = await submit(api, h, steps=150)
    async with aconnect_sse(api, "GET", f"/v1/jobs/{job['id']}/events", headers=h) as source:
        stream = source.aiter_sse()
        assert (await anext(stream)).event == "queued"  # one stream open
        over_limit(await api.get(f"/v1/jobs/{job['id']}/events", headers=h), "quota_exceeded",
                   "max_sse_streams_per_user")
        assert (await api.delete(f"/v1/jobs/{job['id']}", headers=h)).status_code in (202, 409)
        async for sse in stream:
            if sse.event in ("succeeded", "failed", "canceled"):
                break

    async def reopened():  # the first stream has ended and given its slot back
        r = await api.get(f"/v1/jobs/{job['id']}/events", headers=h)
        return r if r.status_code == 200 else None

    r = await wait_for(reopened, timeout=10, interval=0.05)
    assert "event: canceled" in r.text or "event: succeeded" in r.text


def test_a_grid_of_many_large_cells_is_drawn_within_its_pixel_budget():
    """A 64-cell X/Y/Z plot of 2048x2048 images would hold 805 MB of pixels in the gateway: its cells are scaled
    down together to the grid's budget (the reply still carries each image at full size)."""
    from easel_gateway.sdapi import grid

    one = grid.to_png(Image.new("RGB", (64, 64), "red"))
    small = grid.cells([one] * 4, (64, 64))
    assert [c.size for c in small] == [(64, 64)] * 4  # within the budget: untouched
    budget = 4 * 32 * 32
    scaled = grid.cells([one, None, one, one], (64, 64), max_pixels=budget)
    assert [c.size for c in scaled] == [(32, 32)] * 4
    assert sum(c.width * c.height for c in scaled) <= budget
    assert scaled[0].getpixel((16, 16)) == (255, 0, 0) and scaled[1].getpixel((16, 16)) == (0, 0, 0)
