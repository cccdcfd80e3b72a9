"""One list of pools: a worker started for a pool the deployment does not have says so, instead of waiting forever."""

from __future__ import annotations

import pytest

from easel_common.natsio import close, connect
from easel_common.storage import LocalStore
from easel_worker.engine import NullEngine
from easel_worker.settings import WorkerSettings
from easel_worker.worker import Worker
from helpers import namespace


async def test_a_worker_of_an_unconfigured_pool_refuses_to_start(nats_url, tmp_path):
    settings = WorkerSettings(pool="gpu-xl", pools=["default", "cpu"], namespace=namespace(), nats_url=nats_url,
                              data_dir=tmp_path, engine="null")
    nc = await connect(nats_url, "pool-config-test")
    try:
        worker = Worker(settings, nc, NullEngine(), LocalStore(tmp_path / "objects"))
        with pytest.raises(RuntimeError, match=r"pool 'gpu-xl' is not configured: EASEL_POOLS is \['default', 'cpu'\]"):
            await worker.start()
    finally:
        await close(nc)
