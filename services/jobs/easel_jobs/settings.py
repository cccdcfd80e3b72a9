"""Jobs service settings."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator

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
    pools_broadcast_s: float = Field(default=60.0, gt=0)  # how often the pool list is sent again (pools_changed)
    retention_sweep_s: float = Field(default=300.0, gt=0)  # how often jobs past their tenant's retention expire

    # Trainings (easel_jobs/trainings): which launcher runs them. local: `python -m easel_trainer job` processes on
    # this machine (the embedded stack); kubernetes: a batch/v1 Job each (the chart); none: they stay queued.
    trainer_launcher: Literal["local", "kubernetes", "none"] = "local"
    trainer_slots: int = Field(default=2, ge=0)  # local: trainings running at once; more wait queued
    trainer_max_attempts: int = Field(default=5, ge=1)  # local: processes started per training (crashes resume)
    trainer_device: str | None = None  # local: cpu or cuda (default: cuda when the trainer sees one)
    trainer_nats_seed_file: Path | None = None  # local: the `trainer` identity's seed, handed to each process
    trainer_sweep_s: float = Field(default=2.0, gt=0)  # how often queued trainings are launched, runs followed
    trainer_register_timeout_s: float = Field(default=600.0, gt=0)  # the registry copying a result into place
    # the models a training keeps at its checkpoints (trainings/intermediate.py): the newest this many unregistered
    # ones stay in the store, for this long after the training succeeded (0: deleted when it ends)
    trainer_keep_intermediate: int = Field(default=3, ge=1, le=100)
    trainer_intermediate_retention_s: float = Field(default=7 * 24 * 3600.0, ge=0)
    # kubernetes: the Jobs (launchers/kubernetes.py); the chart sets these from its trainer.* values
    trainer_k8s_namespace: str | None = None  # default: the namespace this pod runs in
    trainer_k8s_resync_s: float = Field(default=300.0, gt=0)  # kubernetes: list the Jobs again (besides the watch)
    trainer_image: str = "easel-trainer:latest"
    trainer_image_pull_policy: str = "IfNotPresent"
    trainer_service_account: str = "easel-trainer"
    trainer_seed_secret: str = "easel-nats-identities"  # the Secret `easel nats-config` writes; key trainer.nk
    trainer_pools: dict[str, dict] = {}  # per pool: nodeSelector, tolerations, resources, gpu {resource, count}
    trainer_active_deadline_s: int = Field(default=7 * 24 * 3600, ge=60)
    trainer_backoff_limit: int = Field(default=3, ge=0)
    trainer_ttl_after_finished_s: int = Field(default=3600, ge=0)
    trainer_env: dict[str, str] = {}  # more settings for every trainer (EASEL_* names)
    trainer_labels: dict[str, str] = {}  # more labels on the Jobs' pods (NetworkPolicies select them)
    trainer_nats_tls_secret: str | None = None  # kubernetes: the Secret with the NATS CA, when TLS is on
    trainer_nats_tls_key: str = "ca.crt"
    trainer_s3_credentials_secret: str | None = None  # kubernetes: static S3 keys from this Secret (else IRSA)
    trainer_s3_access_key_id_key: str = "access-key-id"
    trainer_s3_secret_access_key_key: str = "secret-access-key"

    # Pools made through /v1/pools on Kubernetes (easel_jobs/pool_controller): kubernetes: this service applies each
    # one's worker Deployment, KEDA ScaledObject and NATS identity from the worker template the chart renders into
    # the ConfigMap EASEL_POOL_CONTROLLER_TEMPLATE (the chart turns it on); none: nothing is applied.
    pool_controller: Literal["none", "kubernetes"] = "none"
    pool_controller_template: str = "easel-pool-template"
    pool_controller_namespace: str | None = None  # default: the namespace this pod runs in
    pool_controller_resync_s: float = Field(default=60.0, gt=0)  # how often drift is repaired without a change

    # Webhooks (easel_jobs/webhooks): each delivery is tried at once, then after each of these waits (seconds), then
    # dead-lettered. Which hosts they may reach: EASEL_WEBHOOK_ALLOW_HOSTS (common settings).
    webhook_retry_schedule_s: list[float] = [5, 300, 1800, 7200, 18000, 36000, 36000]  # about 27 hours in all
    webhook_timeout_s: float = Field(default=15.0, gt=0)  # one attempt, connecting and answering
    webhook_concurrency: int = Field(default=32, ge=1)  # attempts in flight from one jobs service
    webhook_per_endpoint: int = Field(default=4, ge=1)  # ... and to one endpoint
    webhook_secret_overlap_s: float = Field(default=24 * 3600, ge=0)  # a rotated secret still signs this long
    webhook_max_endpoints: int = Field(default=20, ge=1)  # per user
    webhook_sweep_s: float = Field(default=1.0, gt=0)  # how often due deliveries are looked for
    # Seals the signing secrets at rest (webhooks/sealed.py): 32+ random characters. Required when EASEL_ENV=prod (the
    # chart's Secret, key webhook-secret-key); unset in dev: made once in the data dir. Rotation: the new key here,
    # the old ones in EASEL_WEBHOOK_SECRET_OLD_KEYS (a JSON list) until a start has sealed every secret again.
    webhook_secret_key: SecretStr | None = None
    webhook_secret_old_keys: list[SecretStr] = []
    # Where webhook owners stand (webhooks/owners.py) is cached until auth announces a change, and this long at most
    webhook_owners_ttl_s: float = Field(default=60.0, gt=0)

    @model_validator(mode="after")
    def _webhook_key_outside_dev(self) -> JobsSettings:
        if self.env != "dev" and (self.webhook_secret_key is None
                                  or len(self.webhook_secret_key.get_secret_value()) < 32):
            raise ValueError("EASEL_WEBHOOK_SECRET_KEY must be set to 32+ random characters when EASEL_ENV=prod: "
                             "it seals the webhook signing secrets at rest")
        return self
