"""Concrete NATS names for one deployment namespace, from the templates in v1.names."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from easel_proto.v1 import names as n

_NAMESPACE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_NOT_TOKEN = re.compile(r"[^A-Za-z0-9_-]")
LEASE_HEADER = "Easel-Lease"  # on a worker's job events: the lease its claim gave it for this run
EVENT_TYPES = ("queued", "starting", "processing", "progress", "succeeded", "failed", "canceled")
TERMINAL_EVENTS = ("succeeded", "failed", "canceled")
IMPORT_EVENTS = ("imported", "import_failed")  # an import's end, as `model.<event>` to webhooks


@dataclass(frozen=True)
class Names:
    """Every subject, stream and consumer name for namespace `ns` (e.g. 'easel')."""

    ns: str = "easel"

    def __post_init__(self) -> None:
        if not _NAMESPACE.match(self.ns):
            raise ValueError(f"namespace {self.ns!r} must match {_NAMESPACE.pattern}")

    def _fmt(self, template: str, **kw: str) -> str:
        return template.format(ns=self.ns, NS=self.ns.upper().replace("-", "_"), **kw)

    @property
    def auth_verify(self) -> str:
        return self._fmt(n.SUBJECT_AUTH_VERIFY)

    @property
    def auth_create_user(self) -> str:
        return self._fmt(n.SUBJECT_AUTH_CREATE_USER)

    @property
    def auth_create_key(self) -> str:
        return self._fmt(n.SUBJECT_AUTH_CREATE_KEY)

    @property
    def auth_keys(self) -> str:
        return self._fmt(n.SUBJECT_AUTH_KEYS)

    @property
    def auth_users(self) -> str:
        return self._fmt(n.SUBJECT_AUTH_USERS)

    @property
    def auth_settings(self) -> str:
        return self._fmt(n.SUBJECT_AUTH_SETTINGS)

    @property
    def auth_roles(self) -> str:
        return self._fmt(n.SUBJECT_AUTH_ROLES)

    @property
    def auth_login(self) -> str:
        return self._fmt(n.SUBJECT_AUTH_LOGIN)

    @property
    def auth_refresh(self) -> str:
        return self._fmt(n.SUBJECT_AUTH_REFRESH)

    @property
    def auth_logout(self) -> str:
        return self._fmt(n.SUBJECT_AUTH_LOGOUT)

    @property
    def auth_password(self) -> str:
        return self._fmt(n.SUBJECT_AUTH_PASSWORD)

    def auth_changed(self, user_id: str = "*") -> str:
        return self._fmt(n.SUBJECT_AUTH_CHANGED, user_id=user_id)

    @property
    def auth_owners(self) -> str:
        """Where the jobs service (only it) asks where webhook owners stand now (active, permissions)."""
        return self._fmt(n.SUBJECT_AUTH_OWNERS)

    @property
    def registry_lookup(self) -> str:
        return self._fmt(n.SUBJECT_REGISTRY_LOOKUP)

    @property
    def registry_import(self) -> str:
        return self._fmt(n.SUBJECT_REGISTRY_IMPORT)

    @property
    def registry_models(self) -> str:
        return self._fmt(n.SUBJECT_REGISTRY_MODELS)

    @property
    def registry_uploads(self) -> str:
        """Where the gateway starts a model upload (the registry records it and checks the storage quota)."""
        return self._fmt(n.SUBJECT_REGISTRY_UPLOADS)

    def registry_preload(self, pool: str) -> str:
        """Where a starting worker of `pool` resolves its pool's preload_models (NATS lets a worker ask only on its
        own pool's subject; the registry serves every pool's, `pool="*"`, and answers only refs on that pool's list)."""
        return self._fmt(n.SUBJECT_REGISTRY_PRELOAD, pool=pool)

    @property
    def registry_datasets(self) -> str:
        return self._fmt(n.SUBJECT_REGISTRY_DATASETS)

    @property
    def registry_create_dataset(self) -> str:
        return self._fmt(n.SUBJECT_REGISTRY_CREATE_DATASET)

    @property
    def registry_register(self) -> str:
        """Where the jobs service (only it) registers a finished training's artefact as its owner's model."""
        return self._fmt(n.SUBJECT_REGISTRY_REGISTER)

    @property
    def trainings_create(self) -> str:
        return self._fmt(n.SUBJECT_TRAININGS_CREATE)

    @property
    def trainings_get(self) -> str:
        return self._fmt(n.SUBJECT_TRAININGS_GET)

    @property
    def trainings_list(self) -> str:
        return self._fmt(n.SUBJECT_TRAININGS_LIST)

    @property
    def trainings_cancel(self) -> str:
        return self._fmt(n.SUBJECT_TRAININGS_CANCEL)

    @property
    def trainings_logs(self) -> str:
        return self._fmt(n.SUBJECT_TRAININGS_LOGS)

    @property
    def trainings_register_checkpoint(self) -> str:
        """Where the gateway asks the jobs service to register a training's intermediate model."""
        return self._fmt(n.SUBJECT_TRAININGS_REGISTER_CHECKPOINT)

    def training_status(self, training_id: str, type: str = "*") -> str:
        """A status change of a training (the jobs service publishes these)."""
        return self._fmt(n.SUBJECT_TRAINING_STATUS, training_id=training_id, type=type)

    def training_run_events(self, training_id: str, type: str = "*") -> str:
        """An event of a training's run (the trainer publishes these, with its run's lease)."""
        return self._fmt(n.SUBJECT_TRAINING_RUN_EVENTS, training_id=training_id, type=type)

    def training_events(self, training_id: str) -> str:
        """Every event of one training, status changes and its run's alike (what SSE follows)."""
        return self._fmt(n.SUBJECT_TRAINING_STATUS, training_id=training_id, type="*").rsplit(".", 2)[0] + ".>"

    @property
    def jobs_trainings_consumer(self) -> str:
        return n.CONSUMER_JOBS_TRAININGS

    @property
    def jobs_create(self) -> str:
        return self._fmt(n.SUBJECT_JOBS_CREATE)

    @property
    def jobs_get(self) -> str:
        return self._fmt(n.SUBJECT_JOBS_GET)

    @property
    def jobs_list(self) -> str:
        return self._fmt(n.SUBJECT_JOBS_LIST)

    @property
    def jobs_usage(self) -> str:
        return self._fmt(n.SUBJECT_JOBS_USAGE)

    @property
    def jobs_cancel(self) -> str:
        return self._fmt(n.SUBJECT_JOBS_CANCEL)

    @property
    def jobs_queue_positions(self) -> str:
        """Where the gateway asks where the queued jobs its streams follow stand in their pool's queue."""
        return self._fmt(n.SUBJECT_JOBS_QUEUE_POSITIONS)

    def jobs_claim(self, pool: str) -> str:
        """Where a worker of `pool` claims a job (the jobs service serves every pool's, `pool="*"`)."""
        return self._fmt(n.SUBJECT_JOBS_CLAIM, pool=pool)

    def job_queue(self, pool: str) -> str:
        return self._fmt(n.SUBJECT_JOB_QUEUE, pool=pool)

    def job_direct(self, pool: str, worker_id: str) -> str:
        """A worker's own queue, in the job stream beside its pool's (the pool consumer's filter never matches it)."""
        return self._fmt(n.SUBJECT_JOB_DIRECT, pool=pool, worker_id=worker_token(worker_id))

    def all_job_direct(self, pool: str = "*") -> str:
        """Every worker's own queue, of one pool or (by default) of every pool."""
        return self._fmt(n.SUBJECT_JOB_DIRECT, pool=pool, worker_id="*")

    def job_events(self, job_id: str, type: str = "*") -> str:
        return self._fmt(n.SUBJECT_JOB_EVENTS, job_id=job_id, type=type)

    def all_job_events(self) -> str:
        return self._fmt(n.SUBJECT_JOB_EVENTS, job_id="*", type="*")

    def job_interrupt(self, job_id: str) -> str:
        return self._fmt(n.SUBJECT_JOB_INTERRUPT, job_id=job_id)

    def job_revoke(self, job_id: str) -> str:
        """Where the jobs service tells workers that a run of a job was handed to another worker (`JobRevoke`)."""
        return self._fmt(n.SUBJECT_JOB_REVOKE, job_id=job_id)

    @property
    def max_deliveries_advisory(self) -> str:
        return self._fmt(n.SUBJECT_MAX_DELIVERIES_ADVISORY)

    @property
    def auth_audit_query(self) -> str:
        return self._fmt(n.SUBJECT_AUTH_AUDIT_QUERY)

    def audit_event(self, action: str) -> str:
        """Where the gateway publishes an audit event; `action` (e.g. job.submit) becomes the subject's tail."""
        return self._fmt(n.SUBJECT_AUDIT_EVENT, action=action)

    def all_audit_events(self) -> str:
        return self._fmt(n.SUBJECT_AUDIT_EVENT, action=">")

    @property
    def audit_batch(self) -> str:
        """Where the gateway publishes its audit events, many in one `AuditBatch`; within `all_audit_events()` (no
        audited action is the one word `batch`)."""
        return self._fmt(n.SUBJECT_AUDIT_BATCH)

    def worker_consumer(self, pool: str) -> str:
        return self._fmt(n.CONSUMER_WORKER_POOL, pool=pool)

    def direct_consumer(self, worker_id: str) -> str:
        """The durable consumer of a worker's own queue."""
        return self._fmt(n.CONSUMER_WORKER_DIRECT, worker_id=worker_token(worker_id))

    def worker_presence(self, pool: str, worker_id: str) -> str:
        """The KV subject a worker puts its WorkerPresence on; its key in the workers bucket is `{pool}.{worker}`."""
        token = worker_id if worker_id in ("*", ">") else worker_token(worker_id)
        return self._fmt(n.SUBJECT_WORKER_PRESENCE, pool=pool, worker_id=token)

    @property
    def workers_bucket(self) -> str:
        """The KV bucket of worker presence: the second token of its subjects."""
        return self._fmt(n.SUBJECT_WORKER_PRESENCE, pool="*", worker_id="*").split(".")[1]

    @property
    def auth_tenants(self) -> str:
        return self._fmt(n.SUBJECT_AUTH_TENANTS)

    @property
    def jobs_tenant(self) -> str:
        return self._fmt(n.SUBJECT_JOBS_TENANT)

    @property
    def registry_tenant(self) -> str:
        return self._fmt(n.SUBJECT_REGISTRY_TENANT)

    @property
    def reservations_bucket(self) -> str:
        """The KV bucket of idle workers reserved for a job sent to their own queue, shared by the jobs service's
        replicas (one reservation per worker at a time): the second token of its subjects."""
        return self._fmt(n.SUBJECT_WORKER_RESERVATION, pool="*", worker_id="*").split(".")[1]

    @property
    def tenants_bucket(self) -> str:
        """The KV bucket of tenant states (auth writes, the jobs service follows): the second token of its subjects."""
        return self._fmt(n.SUBJECT_TENANT_STATE, tenant_id="*").split(".")[1]

    @property
    def jobs_events_consumer(self) -> str:
        return n.CONSUMER_JOBS_EVENTS

    @property
    def jobs_advisories_consumer(self) -> str:
        return n.CONSUMER_JOBS_ADVISORIES

    @property
    def auth_audit_consumer(self) -> str:
        return n.CONSUMER_AUTH_AUDIT

    @property
    def jobs_webhooks(self) -> str:
        """Manage webhook endpoints and read their deliveries (gateway -> jobs service)."""
        return self._fmt(n.SUBJECT_JOBS_WEBHOOKS)

    @property
    def pools_manage(self) -> str:
        """Manage worker pools (gateway -> jobs service, request/reply)."""
        return self._fmt(n.SUBJECT_POOLS_MANAGE)

    @property
    def pools_changed(self) -> str:
        """The jobs service's broadcast of the full pool list (PoolsChanged), after each change and once a minute."""
        return self._fmt(n.SUBJECT_POOLS_CHANGED)

    @property
    def pools_current(self) -> str:
        """Ask the jobs service for the pool list now (PoolsQuery -> PoolsChanged), e.g. when a listener starts."""
        return self._fmt(n.SUBJECT_POOLS_CURRENT)

    @property
    def jobs_webhooks_consumer(self) -> str:
        return n.CONSUMER_JOBS_WEBHOOKS

    @property
    def jobs_webhooks_trainings_consumer(self) -> str:
        return n.CONSUMER_JOBS_WEBHOOKS_TRAININGS

    @property
    def jobs_webhooks_models_consumer(self) -> str:
        return n.CONSUMER_JOBS_WEBHOOKS_MODELS

    def registry_model_event(self, model_id: str, type: str = "*") -> str:
        """An import's end (`imported`, `import_failed`); only the registry publishes these (nats_access.py)."""
        return self._fmt(n.SUBJECT_REGISTRY_MODEL_EVENTS, model_id=model_id, type=type)

    def stream(self, key: str) -> dict[str, Any]:
        """The stream `key` ('jobs', 'events', 'advisories', 'audit', 'trainings', 'registry') with names filled in."""
        spec = dict(n.STREAMS[key])
        spec["name"] = self._fmt(spec["name"])
        spec["subjects"] = [self._fmt(s) for s in spec["subjects"]]
        return spec

    def service(self, key: str) -> str:
        return {"auth": n.SERVICE_AUTH, "registry": n.SERVICE_REGISTRY, "jobs": n.SERVICE_JOBS}[key]


def worker_token(worker_id: str) -> str:
    """A worker id as one subject token, KV key and consumer name part: any other character becomes '_'."""
    return _NOT_TOKEN.sub("_", worker_id) or "_"


def lease_digest(lease: str) -> str:
    """What the jobs service keeps of a run's lease: its SHA-256, in hex."""
    return hashlib.sha256(lease.encode()).hexdigest()


def run_id(digest: str) -> str:
    """A run's public name, from its lease's digest: enough to tell runs apart, nothing to act with."""
    return digest[:16]


def event_type(subject: str) -> str:
    """The event type, the last token of a job event subject."""
    return subject.rsplit(".", 1)[-1]


def image_key(tenant_id: str, user_id: str, job_id: str, index: int) -> str:
    """Where image `index` of a job lives in the object store: tenant first, then its owner."""
    return f"{tenant_id}/{user_id}/jobs/{job_id}/{index}.png"


def text_key(tenant_id: str, user_id: str, job_id: str, index: int) -> str:
    """Where text output `index` of a job (an interrogate job's caption, UTF-8) lives: beside its images."""
    return f"{tenant_id}/{user_id}/jobs/{job_id}/{index}.txt"


def job_prefix(tenant_id: str, user_id: str, job_id: str) -> str:
    """A job's folder in the object store (its images, a merge job's merged checkpoint): under its owner."""
    return f"{tenant_id}/{user_id}/jobs/{job_id}/"


def merge_path(run: str) -> str:
    """A merge run's checkpoint, relative to its job's folder: one per run (`run_id`), so a late run's file is
    never taken for the current one's."""
    return f"merge-{run}.safetensors"


def training_prefix(tenant_id: str, training_id: str) -> str:
    """Where a training's samples, checkpoints and artefact live in the object store: under its tenant."""
    return f"{tenant_id}/trainings/{training_id}/"


def dataset_prefix(tenant_id: str, dataset_id: str) -> str:
    """Where a dataset's images and captions live in the object store: under its owner's tenant."""
    return f"{tenant_id}/datasets/{dataset_id}/"


def input_key(tenant_id: str, user_id: str, digest: str) -> str:
    """Where a client-supplied input image lives: under its owner, named by the sha256 of its PNG bytes."""
    return f"{tenant_id}/{user_id}/inputs/{digest}.png"
