"""Health of a service process: what fails readiness, what fails liveness, and when."""

from __future__ import annotations

import asyncio

from easel_common.health import Check, Health


async def test_a_lost_dependency_fails_readiness_at_once_and_liveness_only_after_a_while():
    up = {"nats": True}
    health = Health([Check("nats", lambda: up["nats"], lost_after_s=0.3)], interval_s=0.05)
    health.start()
    try:
        await asyncio.sleep(0.15)
        assert health.ready()[0] and health.alive()[0]
        up["nats"] = False
        await asyncio.sleep(0.15)
        assert not health.ready()[0] and health.alive()[0]  # a broker restart is no reason to restart this
        await asyncio.sleep(0.4)
        alive, checks = health.alive()
        assert not alive and checks["nats"] is False  # lost for too long: restart, the client may be stuck
        up["nats"] = True
        await asyncio.sleep(0.15)
        assert health.ready()[0] and health.alive()[0]
    finally:
        await health.stop()


async def test_a_failing_liveness_check_or_a_stalled_loop_means_not_alive():
    engine = {"ok": True}
    health = Health([Check("engine", lambda: engine["ok"], liveness=True)], interval_s=0.05, stall_s=0.3)
    await health.check_now()
    assert health.alive()[0]
    engine["ok"] = False
    await health.check_now()
    assert health.alive() == (False, {"event_loop": True, "engine": False})
    engine["ok"] = True
    await health.check_now()
    await asyncio.sleep(0.4)  # no round ran since: the loop that runs the checks is wedged
    assert health.alive()[0] is False
