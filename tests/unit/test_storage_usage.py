"""A tenant's stored bytes as the storage quota counts them: measured in the object store under its prefix (uploads
included: an upload never imported counts until it is swept), kept for a while, measured again in the background
once old."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from easel_common.storage import LocalStore
from easel_common.storage_quota import StorageUsage
from easel_proto.errors import QuotaExceeded


async def test_a_tenants_bytes_are_its_objects_uploads_included_not_other_tenants(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    await store.put("acme/models/m1/w.safetensors", b"x" * 100)
    await store.put("acme/u1/jobs/j1/0.png", b"x" * 30)
    await store.put("acme/uploads/u1/up1", b"x" * 1000)  # admitted when it started: it counts until consumed or swept
    await store.put("acme-2/models/m2/w.safetensors", b"x" * 5000)  # a tenant whose id starts the same
    usage = StorageUsage(store, ttl_s=60)
    assert await usage.used("acme") == 1130
    await usage.check("acme", None, "jobs")  # no limit: never refused
    await usage.check("acme", 1131, "jobs")
    with pytest.raises(QuotaExceeded) as refused:
        await usage.check("acme", 1130, "jobs")  # at the limit: no more
    assert refused.value.details == {"limit": "tenant.storage_bytes", "allowed": 1130, "used": 1130,
                                     "tenant_id": "acme"}
    assert "1130 bytes" in refused.value.message


async def test_the_figure_is_kept_then_measured_again_in_the_background(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    await store.put("acme/models/m1/w", b"x" * 10)
    usage = StorageUsage(store, ttl_s=60)
    assert await usage.used("acme") == 10
    await store.put("acme/models/m2/w", b"x" * 20)
    assert await usage.used("acme") == 10  # kept: a check costs no listing
    usage.add("acme", 20)  # what this service just stored counts at once
    assert await usage.used("acme") == 30
    usage.ttl_s = 0.0
    await store.put("acme/models/m3/w", b"x" * 5)
    assert await usage.used("acme") == 30  # old: answered at once, measured again meanwhile
    await asyncio.sleep(0.1)
    assert await usage.used("acme") == 35
