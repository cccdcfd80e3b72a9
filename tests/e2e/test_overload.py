"""Honest answers under overload: a submission either creates one job and says so, or creates none and says so.

A gateway whose submission places are all taken refuses at once (503, Retry-After, before any work); one whose jobs
service does not answer in time says 503, and the job is then absent for good (the jobs service stores nothing
past the caller's deadline) or, at worst, there under its Idempotency-Key for a retry to find. Speeds are for
bench/load.py; the only times here are generous bounds.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
import uuid

import httpx
import pytest

from easel_auth.keys import new_key
from easel_gateway.admission.gate import SubmitGate
from easel_proto.errors import Unavailable
from easel_stack.processes import ProcessCluster
from helpers import cluster_database, metric, namespace, new_user

BODY = {"prompt": "a lighthouse", "steps": 1, "width": 64, "height": 64, "seed": 1}


async def test_a_submit_refused_for_want_of_a_place_leaves_no_job(api, user, stack):
    state = stack._server.config.app.state
    saved, state.submit_gate = state.submit_gate, SubmitGate(1, 0.05)
    counted = metric("easel_gateway_rejections_total", code="unavailable", limit="max_inflight_submits",
                     tenant=user["tenant_id"])
    try:
        async with state.submit_gate.enter():  # the gateway's only place, held by a submission in flight
            started = time.monotonic()
            r = await api.post("/v1/jobs", json=BODY, headers={**user["headers"], "Idempotency-Key": "k1"})
            took = time.monotonic() - started
    finally:
        state.submit_gate = saved
    assert r.status_code == 503 and r.headers["retry-after"] == "1", r.text
    assert r.json()["code"] == "unavailable" and r.json()["details"]["limit"] == "max_inflight_submits"
    assert took < 5.0  # a generous bound: refused at the door, not after a deadline
    assert metric("easel_gateway_rejections_total", code="unavailable", limit="max_inflight_submits",
                  tenant=user["tenant_id"]) == counted + 1
    assert (await api.get("/v1/jobs", headers=user["headers"])).json()["items"] == []
    # the refusal created nothing, so the same key now creates the job, once
    again = await api.post("/v1/jobs", json=BODY, headers={**user["headers"], "Idempotency-Key": "k1"})
    assert again.status_code == 201


async def test_a_web_ui_call_refused_for_want_of_a_place_leaves_no_job(api, user, stack):
    state = stack._server.config.app.state
    saved, state.submit_gate = state.submit_gate, SubmitGate(1, 0.0)
    try:
        async with state.submit_gate.enter():
            r = await api.post("/sdapi/v1/txt2img", json={"prompt": "x", "steps": 1, "width": 64, "height": 64},
                               headers=user["headers"])
    finally:
        state.submit_gate = saved
    assert r.status_code == 503 and r.headers["retry-after"] == "1", r.text
    assert r.json()["code"] == "unavailable"
    assert (await api.get("/v1/jobs", headers=user["headers"])).json()["items"] == []


class CrowdedGate(SubmitGate):
    """A gateway that lets in `first` impatient entries (a call's admissions and its first job) and then is full for
    impatient ones; a patient entry (a call's later job) gets in unless `patient_too`."""

    def __init__(self, first: int, patient_too: bool = False) -> None:
        super().__init__(100, 0.0)
        self.first, self.patient_too, self.impatient = first, patient_too, 0

    @contextlib.asynccontextmanager
    async def enter(self, patient: bool = False):
        if not patient:
            self.impatient += 1
        if (not patient and self.impatient > self.first) or (patient and self.patient_too):
            raise Unavailable("too many submissions in flight on this gateway; retry shortly",
                              limit="max_inflight_submits", retry_after_s=1)
        yield


XYZ_TWO_CELLS = {"prompt": "a lighthouse", "steps": 2, "width": 64, "height": 64, "seed": 11,
                 "script_name": "X/Y/Z plot",  # X: Steps 2 and 3: two jobs
                 "script_args": [4, "2, 3", [], 0, "", [], 0, "", [], True, False, False, False, False, False,
                                 False, 0, False]}


@pytest.mark.parametrize(("gate", "accepted"), [(CrowdedGate(first=3), True),
                                                (CrowdedGate(first=2), False),
                                                (CrowdedGate(first=3, patient_too=True), False)])
async def test_a_web_ui_call_of_several_jobs_is_let_in_or_refused_whole(api, admin_headers, stack, gate, accepted):
    """Its first job is refused at the door like any submission; once it is in, the call's other jobs wait their
    turn instead of being refused; and a call refused after all leaves none of its jobs to run."""
    user = await new_user(api, admin_headers)
    state = stack._server.config.app.state
    saved, state.submit_gate = state.submit_gate, gate
    try:
        r = await api.post("/sdapi/v1/txt2img", json=XYZ_TWO_CELLS, headers=user["headers"])
    finally:
        state.submit_gate = saved
    jobs = (await api.get("/v1/jobs", headers=user["headers"])).json()["items"]
    if accepted:
        assert r.status_code == 200 and len(r.json()["images"]) == 1, r.text[:300]  # the grid of the two cells
        assert sorted(j["status"] for j in jobs) == ["succeeded", "succeeded"]
    else:
        assert r.status_code == 503 and r.json()["code"] == "unavailable", r.text[:300]
        assert all(j["status"] in ("canceled", "failed") or j["cancel_requested"] for j in jobs), jobs


@pytest.fixture(scope="module")
async def paused_cluster(session_dir, database_url):
    """Separate processes; the gateway has one submission place and waits 2 s for the jobs service."""
    folder = session_dir / "overload"
    async with cluster_database(database_url, folder) as url:
        shape = ProcessCluster(folder, url, namespace=namespace(), admin_key=new_key()[0],
                               env={"EASEL_ENGINE": "null", "EASEL_DEFAULT_REQUESTS_PER_SECOND": "unlimited"})
        await shape.start_nats()
        try:
            for kind in ("auth", "registry", "jobs"):
                shape.spawn(kind)
            shape.spawn("gateway", EASEL_REQUEST_TIMEOUT_S="2", EASEL_MAX_INFLIGHT_SUBMITS="1",
                        EASEL_SUBMIT_QUEUE_WAIT_S="0.05")
            await shape.wait_ready()
            yield shape
        finally:
            for p in shape.processes:  # never leave a stopped process behind
                with contextlib.suppress(ProcessLookupError):
                    os.kill(p.proc.pid, signal.SIGCONT)
            await shape.stop()


@pytest.mark.slow
async def test_a_submit_the_jobs_service_never_answered_is_absent_or_there_under_its_key(paused_cluster):
    jobs_process = paused_cluster.of("jobs")[0].proc
    admin = {"Authorization": f"Bearer {paused_cluster.admin_key}"}
    async with httpx.AsyncClient(base_url=paused_cluster.of("gateway")[0].url, timeout=30) as api:
        user = await new_user(api, admin)
        key = {**user["headers"], "Idempotency-Key": uuid.uuid4().hex}
        os.kill(jobs_process.pid, signal.SIGSTOP)
        try:
            first = asyncio.create_task(api.post("/v1/jobs", json=BODY, headers=key))
            await asyncio.sleep(0.3)  # it holds the gateway's only place, waiting on the paused jobs service
            # overload: the next submission is refused at once, while the first still waits
            refused = await api.post("/v1/jobs", json={**BODY, "seed": 2}, headers=user["headers"])
            assert not first.done()
            assert refused.status_code == 503 and refused.headers["retry-after"] == "1", refused.text
            assert refused.json()["details"]["limit"] == "max_inflight_submits"
            timed_out = await first
        finally:
            os.kill(jobs_process.pid, signal.SIGCONT)
        assert timed_out.status_code == 503 and "retry-after" in timed_out.headers, timed_out.text
        await asyncio.sleep(1.0)  # the resumed service answers what it was sent while paused (too late)

        listed = (await api.get("/v1/jobs", headers=user["headers"])).json()["items"]
        retry = await api.post("/v1/jobs", json=BODY, headers=key)
        if listed:  # created before the deadline, its answer lost: the retry finds it
            assert len(listed) == 1 and retry.status_code == 200 and retry.json()["id"] == listed[0]["id"]
        else:  # not created: the retry creates it, once
            assert retry.status_code == 201, retry.text
        again = await api.post("/v1/jobs", json=BODY, headers=key)
        assert again.status_code == 200 and again.json()["id"] == retry.json()["id"]
        listed = (await api.get("/v1/jobs", headers=user["headers"])).json()["items"]
        assert [j["id"] for j in listed] == [retry.json()["id"]]  # the refused one left nothing either
