"""Jobs service settings."""

from __future__ import annotations

from pydantic import Field

from easel_common.settings import CommonSettings


class JobsSettings(CommonSettings):
    # The pool consumers (`worker-{pool}`), which the jobs service creates for every pool in EASEL_POOLS: how long a
    # worker may stay silent on a job before JetStream hands it to another, and how many deliveries a job gets.
    ack_wait_s: float = Field(default=30.0, gt=0)
    max_deliver: int = Field(default=5, ge=1)
    # Cache-aware dispatch: a job goes to the own queue of an idle worker that holds its model, else to the pool.
    cache_aware_dispatch: bool = True
    # A worker unheard of this long is gone, and its running job goes back to the pool's queue (handover.py): three
    # heartbeats (EASEL_PRESENCE_INTERVAL_S, 2 s). With a 1 s sweep, a dead worker's job is queued again within
    # stale + sweep = 7 s of its last heartbeat, well inside the ack wait, which stays the fallback.
    presence_stale_s: float = Field(default=6.0, gt=0)
    reroute_after_s: float = Field(default=10.0, gt=0)  # a job still waiting in a worker's own queue goes to the pool
    demand_sample_s: float = Field(default=2.0, gt=0)  # how often each pool's jobs and workers are counted
    route_sweep_s: float = Field(default=1.0, gt=0)  # how often the workers' own queues are looked over
