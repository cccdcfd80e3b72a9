"""The cluster's shape: every service in its own process and identity, two replicas of the gateway and the jobs
service, on one NATS and one database. Nothing is shared but what a cluster shares, and nothing runs twice."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from easel_auth.keys import new_key
from easel_stack.processes import ProcessCluster
from helpers import cluster_database, namespace, new_user, submit, until_status


@pytest.fixture(scope="module")
async def cluster(session_dir, database_url):
    async with cluster_database(database_url, session_dir / "processes") as url:
        shape = ProcessCluster(session_dir / "processes", url, namespace=namespace(), admin_key=new_key()[0],
                               env={"EASEL_ENGINE": "null", "EASEL_DEFAULT_MAX_CONCURRENT_JOBS": "unlimited",
                                    "EASEL_DEFAULT_REQUESTS_PER_SECOND": "unlimited"})
        await shape.start_nats()
        try:
            for kind in ("auth", "registry", "jobs", "jobs", "gateway", "gateway", "worker", "worker"):
                shape.spawn(kind)
            await shape.wait_ready()
            yield shape
        finally:
            await shape.stop()


@pytest.mark.slow
async def test_two_replicas_of_each_serve_jobs_once_each_and_respect_the_permissions(cluster):
    one, two = (g.url for g in cluster.of("gateway"))
    admin = {"Authorization": f"Bearer {cluster.admin_key}"}
    async with httpx.AsyncClient(base_url=one, timeout=60) as first, \
            httpx.AsyncClient(base_url=two, timeout=60) as second:
        user = await new_user(first, admin)
        # a key made through one gateway works at the other: nothing about a caller lives in a gateway
        assert (await second.get("/v1/me", headers=user["headers"])).status_code == 200
        submitted = await asyncio.gather(*(submit(api, user["headers"], steps=1, seed=n)
                                           for n, api in enumerate([first, second] * 20)))
        for job in submitted:
            done = await until_status(first, job["id"], user["headers"], "succeeded", "failed", timeout=60)
            assert done["status"] == "succeeded" and done["attempts"] == 1, done
        listed = (await second.get("/v1/jobs", params={"limit": 100}, headers=user["headers"])).json()["items"]
        assert sorted(j["id"] for j in listed) == sorted(j["id"] for j in submitted)
    log = (cluster.natsd.data_dir / "nats-server.log").read_text()
    assert "Violation" not in log, [line for line in log.splitlines() if "Violation" in line][:3]
