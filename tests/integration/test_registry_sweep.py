"""A registry that keeps running marks imports orphaned by another, dead registry as failed."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from easel_registry.models import FAILED, IMPORTING, Model
from easel_registry.service import now
from easel_registry.settings import RegistrySettings
from helpers import registry_flows, wait_for


def _row(age_s: float) -> Model:
    at = now() - timedelta(seconds=age_s)
    return Model(id=str(uuid.uuid4()), tenant_id="t", owner_id="u", name=f"m-{age_s:g}", kind="checkpoint",
                 base="sd15", source="http://example.com/x", visibility="private", status=IMPORTING, files=[],
                 shared_roles=[], meta={}, created_at=at, updated_at=at)


async def test_imports_whose_progress_stopped_fail_while_fresh_ones_keep_going(tmp_path: Path) -> None:
    async with registry_flows(tmp_path) as flows:
        # the sweep period is import_stale_s / 2; shorten it below the settings' floor for the test only
        flows.settings = flows.settings.model_copy(update={"import_stale_s": 0.4})
        orphan, fresh = _row(age_s=5.0), _row(age_s=-60.0)  # fresh: touched "in the future" of the sweep
        async with flows.sessions() as session:
            session.add_all([orphan, fresh])
            await session.commit()
        sweeper = asyncio.create_task(flows.sweep_stale())
        try:
            async def orphan_failed():
                async with flows.sessions() as session:
                    return (await session.get(Model, orphan.id)).status == FAILED

            await wait_for(orphan_failed, timeout=5, interval=0.1)
            async with flows.sessions() as session:
                failed, running = await session.get(Model, orphan.id), await session.get(Model, fresh.id)
                assert failed.error["code"] == "interrupted"
                assert running.status == IMPORTING
        finally:
            sweeper.cancel()


def test_the_stale_limit_stays_above_the_import_heartbeat() -> None:
    with pytest.raises(ValueError, match="import_stale_s"):
        RegistrySettings(import_stale_s=5)
