"""Who may do what on NATS: one identity per process kind, each allowed exactly the subjects it needs.

Identities are NATS users signing in with an nkey (an Ed25519 key pair): the server's configuration holds only
public keys, each process holds only its own seed, and nothing secret crosses the wire when it signs in (the server
sends a nonce, the client signs it). That suits both the embedded stack, which writes the configuration and the
seeds itself, and a cluster, where each Deployment mounts its own seed from a Secret and the NATS server's
configuration is not a secret at all. Accounts with JWTs would add an operator and a resolver for no gain here:
every identity lives in one account, the one whose JetStream streams Easel uses (and KEDA reads).

Each identity's permissions are built here from `Names`, so they follow the subjects in proto/nats/v1.json:

- `gateway` asks auth, registry and jobs; publishes audit events; reads job events for SSE; keeps the rate-limit
  KV bucket; hears user changes.
- `auth`, `registry`, `jobs` serve their own subjects only (and answer on the reply subject of what they received);
  auth owns the audit stream, jobs the job, event and advisory streams, the pool consumers and the workers bucket.
  Auth writes the tenants bucket (`{NS}_TENANTS`: which tenants are disabled, their quotas); jobs follows it.
- `worker-{pool}` pulls its pool's consumer and its own queue, claims on its pool's claim subject, publishes job
  events (the jobs service folds only those carrying the claim's lease) and its presence under its pool's key, and
  hears interrupts and the revocation of runs handed to another worker. The other pools' consumers are denied by
  name. It cannot read any stream, KV bucket or list.
- `stack` (the embedded stack's own helper) reads the pool consumers' state to tell when workers are pulling.
- `trainer` (every fine-tuning run, a local process or a Kubernetes Job's pod) publishes its run's events on
  `{ns}.trainings.events.{id}.run.{type}` and nothing else: it reads no stream, serves and asks nothing. The jobs
  service counts only the events carrying the lease of the run it launched, so one trainer cannot end another's
  training. The jobs service owns the trainings stream and alone may ask the registry to register a training's
  result (`{ns}.registry.register`, an endpoint that serves no user: see easel_registry.trainings).

Every identity gets replies on its own inbox prefix, `_INBOX.{identity}.>`, so no identity can read another's
replies (which may hold a new API key or a token).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import nkeys

from easel_proto import Names

SERVICES = ("gateway", "auth", "registry", "jobs", "stack", "trainer")
WORKER_EVENTS = ("processing", "progress", "succeeded", "failed", "canceled")


def worker_identity(pool: str) -> str:
    return f"worker-{pool}"


def inbox_prefix(identity: str) -> str:
    """Where an identity gets its replies; no other identity may subscribe there."""
    return f"_INBOX.{identity}"


@dataclass(frozen=True)
class Permissions:
    publish: list[str]
    subscribe: list[str]
    deny_publish: tuple[str, ...] = ()
    responds: bool = False  # may publish to the reply subject of a request it received

    def server_block(self) -> dict:
        publish: dict = {"allow": self.publish}
        if self.deny_publish:
            publish["deny"] = list(self.deny_publish)
        block = {"publish": publish, "subscribe": {"allow": self.subscribe}}
        if self.responds:
            block["allow_responses"] = {"max": 1, "expires": "1m"}
        return block


def _serves(names: Names, service: str, subjects: list[str]) -> list[str]:
    """A micro service's subscriptions: its endpoints and the discovery subjects under its name."""
    svc = names.service(service)
    return [*subjects, "$SRV.*", f"$SRV.*.{svc}", f"$SRV.*.{svc}.>"]


def _stream_admin(*streams: str) -> list[str]:
    return [f"$JS.API.STREAM.{verb}.{s}" for s in streams for verb in ("CREATE", "UPDATE", "INFO")]


def _durable(stream: str, consumer: str) -> list[str]:
    """Create (with or without a filter in the subject), pull from and ack one durable consumer."""
    return [f"$JS.API.CONSUMER.CREATE.{stream}.{consumer}", f"$JS.API.CONSUMER.CREATE.{stream}.{consumer}.>",
            f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{consumer}", f"$JS.ACK.{stream}.{consumer}.>"]


def _ordered(stream: str) -> list[str]:
    """An ordered (ephemeral push) consumer: create, answer flow control, delete it when done."""
    return [f"$JS.API.CONSUMER.CREATE.{stream}", f"$JS.API.CONSUMER.CREATE.{stream}.>",
            f"$JS.API.CONSUMER.INFO.{stream}.*", f"$JS.API.CONSUMER.DELETE.{stream}.*", f"$JS.FC.{stream}.>"]


def _kv(bucket: str) -> list[str]:
    stream = f"KV_{bucket}"
    return [*_stream_admin(stream), f"$JS.API.DIRECT.GET.{stream}.>", f"$JS.API.STREAM.MSG.GET.{stream}",
            f"$KV.{bucket}.>"]


def permissions(names: Names, identity: str, pools: list[str]) -> Permissions:
    """What `identity` may publish and subscribe to, for a deployment serving `pools`."""
    jobs_s, events_s = names.stream("jobs")["name"], names.stream("events")["name"]
    adv_s, audit_s = names.stream("advisories")["name"], names.stream("audit")["name"]
    inbox = [f"{inbox_prefix(identity)}.>"]
    auth_subjects = [names.auth_verify, names.auth_login, names.auth_refresh, names.auth_logout, names.auth_password,
                     names.auth_settings, names.auth_roles, names.auth_create_user, names.auth_users,
                     names.auth_create_key, names.auth_keys, names.auth_audit_query, names.auth_tenants]
    trainings_s = names.stream("trainings")["name"]
    # what the gateway may ask the registry; registry_register is the jobs service's alone
    registry_subjects = [names.registry_lookup, names.registry_import, names.registry_models, names.registry_datasets,
                         names.registry_create_dataset, names.registry_tenant]
    jobs_subjects = [names.jobs_create, names.jobs_get, names.jobs_list, names.jobs_cancel, names.jobs_tenant,
                     names.jobs_webhooks]
    tenants_bucket = names.tenants_bucket  # tenant states: auth writes them, the jobs service follows them
    trainings_subjects = [names.trainings_create, names.trainings_get, names.trainings_list, names.trainings_cancel,
                          names.trainings_logs, names.trainings_register_checkpoint]
    if identity == "gateway":
        pings = [f"$SRV.PING.{names.service(s)}" for s in ("auth", "registry", "jobs")]
        return Permissions(
            publish=[*auth_subjects, *registry_subjects, *jobs_subjects, *trainings_subjects, *pings,
                     names.all_audit_events(), f"$JS.API.STREAM.INFO.{events_s}", *_ordered(events_s),
                     f"$JS.API.STREAM.INFO.{trainings_s}", *_ordered(trainings_s), *_kv(f"{names.ns}_ratelimit")],
            subscribe=[*inbox, names.auth_changed("*")])
    if identity == "auth":
        return Permissions(
            publish=[names.auth_changed("*"), *_stream_admin(audit_s), *_durable(audit_s, names.auth_audit_consumer),
                     *_kv(tenants_bucket)],
            subscribe=[*inbox, *_serves(names, "auth", auth_subjects)], responds=True)
    if identity == "registry":
        return Permissions(publish=[], subscribe=[*inbox, *_serves(names, "registry",
                                                                   [*registry_subjects, names.registry_register])],
                           responds=True)
    if identity == "jobs":
        workers_bucket = names.workers_bucket
        return Permissions(
            publish=[names.job_queue(">"), names.all_job_events(), names.training_status("*", "*"),
                     names.registry_register, *_stream_admin(trainings_s),
                     f"$JS.API.STREAM.MSG.GET.{trainings_s}", f"$JS.API.DIRECT.GET.{trainings_s}.>",
                     *_durable(trainings_s, names.jobs_trainings_consumer),
                     names.job_interrupt("*"), names.job_revoke("*"), *_stream_admin(jobs_s, events_s, adv_s),
                     f"$JS.API.STREAM.MSG.GET.{jobs_s}", f"$JS.API.STREAM.MSG.DELETE.{jobs_s}",
                     f"$JS.API.STREAM.MSG.GET.{events_s}", f"$JS.API.DIRECT.GET.{events_s}.>",
                     f"$JS.API.CONSUMER.CREATE.{jobs_s}.>", f"$JS.API.CONSUMER.DELETE.{jobs_s}.*",
                     f"$JS.API.CONSUMER.INFO.{jobs_s}.*",
                     *_durable(events_s, names.jobs_events_consumer), *_durable(adv_s, names.jobs_advisories_consumer),
                     # webhooks follow the ends of jobs and trainings on their own durable consumers
                     *_durable(events_s, names.jobs_webhooks_consumer),
                     *_durable(trainings_s, names.jobs_webhooks_trainings_consumer),
                     *_stream_admin(f"KV_{workers_bucket}"), *_ordered(f"KV_{workers_bucket}"),
                     # before handing a silent worker's job over, the bucket itself must confirm the silence
                     f"$JS.API.STREAM.MSG.GET.KV_{workers_bucket}",
                     *_stream_admin(f"KV_{tenants_bucket}"), *_ordered(f"KV_{tenants_bucket}"),
                     # replicas reserve an idle worker before sending it a job (routing.py)
                     *_kv(names.reservations_bucket)],
            subscribe=[*inbox, *_serves(names, "jobs", [*jobs_subjects, *trainings_subjects, names.jobs_claim("*")])],
            responds=True)
    if identity == "trainer":
        # JetStream answers each publish on the inbox: the trainer knows its event is stored
        return Permissions(publish=[names.training_run_events("*", "*")], subscribe=inbox)
    if identity == "stack":
        return Permissions(publish=[f"$JS.API.CONSUMER.INFO.{jobs_s}.*"], subscribe=inbox)
    pool = identity.removeprefix("worker-")
    if identity == worker_identity(pool) and pool:
        others = [p for p in pools if p != pool]
        deny = [f"$JS.API.CONSUMER.CREATE.{jobs_s}.{names.worker_consumer(p)}.>" for p in [pool, *others]]
        deny += [f"$JS.API.CONSUMER.MSG.NEXT.{jobs_s}.{names.worker_consumer(p)}" for p in others]
        deny += [f"$JS.ACK.{jobs_s}.{names.worker_consumer(p)}.>" for p in others]
        return Permissions(
            publish=[names.jobs_claim(pool), *(names.job_events("*", kind) for kind in WORKER_EVENTS),
                     names.worker_presence(pool, "*"),
                     f"$JS.API.CONSUMER.INFO.{jobs_s}.{names.worker_consumer(pool)}",
                     f"$JS.API.CONSUMER.MSG.NEXT.{jobs_s}.*", f"$JS.ACK.{jobs_s}.>",
                     f"$JS.API.CONSUMER.CREATE.{jobs_s}.*.{names.all_job_direct(pool)}"],
            subscribe=[*inbox, names.job_interrupt("*"), names.job_revoke("*")], deny_publish=tuple(deny))
    raise ValueError(f"unknown NATS identity {identity!r}")


def identities(pools: list[str]) -> list[str]:
    return [*SERVICES, *(worker_identity(p) for p in pools)]


def new_seed() -> str:
    """A new nkey user seed (`SU...`)."""
    return nkeys.encode_seed(secrets.token_bytes(32), nkeys.PREFIX_BYTE_USER).decode()


def public_key(seed: str) -> str:
    return nkeys.from_seed(bytearray(seed.encode())).public_key.decode()


def write_private(path: Path, text: str) -> None:
    """Write a secret file readable by its owner only (0600), replacing any earlier one."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)


class Credentials:
    """The seeds of every identity of a deployment, one 0600 file each in `folder` (`{identity}.nk`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def seed_file(self, identity: str) -> Path:
        return self.folder / f"{identity}.nk"

    def ensure(self, identity: str) -> Path:
        """The identity's seed file, made on first use (a restart keeps the same keys)."""
        path = self.seed_file(identity)
        if not path.exists():
            write_private(path, new_seed() + "\n")
        return path

    def public_key(self, identity: str) -> str:
        return public_key(self.ensure(identity).read_text().strip())


def authorization(names: Names, credentials: Credentials, pools: list[str]) -> dict:
    """The nats-server `authorization` block: every identity's public key with its permissions."""
    users = [{"nkey": credentials.public_key(identity),
              "permissions": permissions(names, identity, pools).server_block()} for identity in identities(pools)]
    return {"users": users}


def server_config(names: Names, credentials: Credentials, pools: list[str], *, port: int, monitor_port: int,
                  store_dir: Path, host: str = "127.0.0.1", tls: dict | None = None) -> str:
    """A complete nats-server configuration (JSON is valid NATS configuration syntax); `tls` (cert_file,
    key_file, optionally ca_file and verify) makes clients connect over TLS."""
    config = {"host": host, "port": port, "http_port": monitor_port,
              "jetstream": {"store_dir": str(store_dir)},
              "authorization": authorization(names, credentials, pools)}
    if tls:
        config["tls"] = tls
    return json.dumps(config, indent=2)
