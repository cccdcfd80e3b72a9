"""Who may do what on NATS: one identity per process kind, each allowed exactly the subjects it needs.

Identities are NATS users signing in with an nkey (an Ed25519 key pair): the server's configuration holds only
public keys, each process holds only its own seed, and nothing secret crosses the wire when it signs in (the server
sends a nonce, the client signs it). That suits both the embedded stack, which writes the configuration and the
seeds itself, and a cluster, where each Deployment mounts its own seed from a Secret and the NATS server's
configuration is not a secret at all. Accounts with JWTs would add an operator and a resolver for no gain here:
every identity lives in one account, the one whose JetStream streams Easel uses (and KEDA reads).

Each identity's permissions are built here from `Names`, so they follow the subjects in proto/nats/v1.json:

- `gateway` asks auth, registry and jobs (pools too); publishes audit events; reads job events for SSE; keeps the
  rate-limit KV bucket; hears user changes and the pool list (`pools_changed`). It alone asks `jobs_queue_positions`
  (no caller: the places of the queued jobs its streams follow, one request per pool).
- `auth`, `registry`, `jobs` serve their own subjects only (and answer on their callers' inboxes for them, below);
  auth owns the audit stream, jobs the job, event and advisory streams, the pool consumers and the workers bucket.
  Only `jobs` asks auth where webhook owners stand now (`auth_owners`: active, permissions) and hears user changes
  (`auth_changed`) to drop what it cached of them.
  Auth writes the tenants bucket (`{NS}_TENANTS`: which tenants are disabled, their quotas); jobs follows it.
- `worker-{pool}` pulls its pool's consumer and its own queue, claims on its pool's claim subject, publishes job
  events (the jobs service folds only those carrying the claim's lease) and its presence under its pool's key, and
  hears interrupts and the revocation of runs handed to another worker. The other pools' consumers are denied by
  name. It cannot read any stream, KV bucket or list. It resolves its preload models on its pool's
  `registry_preload` subject, and the registry answers only refs on that pool's `preload_models` (asked of the jobs
  service on `pools_current`), so a worker learns nothing of a model its pool was not given.
- `stack` (the embedded stack's own helper) reads the pool consumers' state to tell when workers are pulling and how
  many jobs wait (its autoscaler), and hears the pool list (`pools_changed`, or asks `pools_current` at start).
- `trainer` (every fine-tuning run, a local process or a Kubernetes Job's pod) publishes its run's events on
  `{ns}.trainings.events.{id}.run.{type}` and nothing else: it reads no stream, serves and asks nothing. The jobs
  service counts only the events carrying the lease of the run it launched, so one trainer cannot end another's
  training. The jobs service owns the trainings stream and alone may ask the registry to register a training's
  result (`{ns}.registry.register`, an endpoint that serves no user: see easel_registry.trainings).
- Only `registry` publishes the ends of model imports (`{ns}.registry.events.{model_id}.{type}`, stream
  `{NS}_REGISTRY`), so the jobs service's webhook intake may take them as the registry's word; the registry also
  follows the tenants bucket (a tenant's storage quota).

Every identity gets replies on its own inbox prefix, `_INBOX.{identity}.>`, so no identity can read another's
replies (which may hold a new API key or a token). A service's answers go to `_INBOX.{caller}.{service}.>`
(`reply_prefix`; `natsio.ask` picks it from the subject asked), and each service may publish there for exactly the
identities whose permissions reach its endpoints (`callers`): an explicit grant, not `allow_responses`
(`permissions` says why, and what a compromised service can do with it).

Pools change at run time (`/v1/pools`): the authorization is a function of the pool list, recomputed whenever it
changes. A new pool's seed is made on first use and kept (`Credentials.ensure`, `pool_seed`); every worker's deny list
names the new pool's consumer too, so the whole block is rewritten (`authorization_include`) and nats-server reloads
it (SIGHUP), which keeps existing connections and applies the new permissions to them; the services' grants to
answer are in the configuration, so a request in flight across the reload still gets its answer (a new pool's
workers are answered from the reload that admits them).
The embedded stack does that itself (easel_stack.stack: `admit`); in Kubernetes the pool controller writes the seed
and the include into Secrets. A writer that holds no seed but the new pool's reads the running block's keys back
(`public_keys`) and passes them as `PublicKeys`.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

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
    # answers requests on what it subscribes to (but its inbox and what it publishes itself), on each caller's
    # `reply_prefix` for it: an explicit grant that `permissions` adds, never nats-server's `allow_responses`
    responds: bool = False

    def server_block(self) -> dict:
        publish: dict = {"allow": self.publish}
        if self.deny_publish:
            publish["deny"] = list(self.deny_publish)
        return {"publish": publish, "subscribe": {"allow": self.subscribe}}


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


def reply_prefix(caller: str, service: str) -> str:
    """Where `caller` hears the answers of `service` (`_INBOX.{caller}.{service}`, then a random token per
    connection and one per request: natsio.ask): the only subjects `service` may answer on."""
    return f"{inbox_prefix(caller)}.{service}"


def _overlap(a: str, b: str) -> bool:
    """Whether two NATS subjects (either may hold `*` and `>` wildcards) can name the same subject."""
    x, y = a.split("."), b.split(".")
    for s, t in zip(x, y, strict=False):
        if ">" in (s, t):
            return True
        if s != t and "*" not in (s, t):
            return False
    return len(x) == len(y)


def endpoints(names: Names, service: str) -> list[str]:
    """The subjects `service` answers requests on: its subscriptions but its inbox, the broadcasts it sends and
    follows itself (the jobs service's pool list) and those it only hears (auth's user changes); [] for an identity
    that answers nothing."""
    found = _permissions(names, service, [])
    if not found.responds:
        return []
    own, heard = inbox_prefix(service) + ".", (names.auth_changed("*"),)
    return [s for s in found.subscribe
            if not s.startswith(own) and s not in heard and not any(_overlap(s, p) for p in found.publish)]


@functools.lru_cache(maxsize=4096)
def responder(subject: str) -> str | None:
    """The service that answers a request on `subject` (whose `reply_prefix` the request's reply subject must
    use); None when none does (JetStream's API: the server answers it on the inbox's other subjects)."""
    try:
        names = Names(subject.split(".", 1)[0])
    except ValueError:
        names = Names()  # `$SRV....`: micro service names are the same in every namespace
    for service in SERVICES:
        if any(_overlap(subject, served) for served in endpoints(names, service)):
            return service
    return None


def callers(names: Names, service: str, pools: list[str]) -> list[str]:
    """The identities whose publish permissions reach one of `service`'s endpoints: those it answers."""
    return list(_callers(names, tuple(pools))[service])


@functools.lru_cache(maxsize=64)
def _callers(names: Names, pools: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """`callers` of every service at once (each identity's permissions built once; the writers ask for all)."""
    served = {service: endpoints(names, service) for service in SERVICES}
    found: dict[str, list[str]] = {service: [] for service in SERVICES}
    heads = {s.split(".", 1)[0] for subjects in served.values() for s in subjects}
    for identity in identities(list(pools)):
        publish = [p for p in _permissions(names, identity, list(pools)).publish
                   if p.split(".", 1)[0] in heads or p[0] in "*>"]
        for service, subjects in served.items():
            if identity != service and any(_overlap(p, s) for p in publish for s in subjects):
                found[service].append(identity)
    return {service: tuple(found[service]) for service in SERVICES}


def permissions(names: Names, identity: str, pools: list[str]) -> Permissions:
    """What `identity` may publish and subscribe to, for a deployment serving `pools`.

    A service answers on each caller's `reply_prefix` for it, an explicit grant rather than nats-server's
    `allow_responses`: a reload applies every client's permissions anew and forgets the reply grants that
    `allow_responses` hands out per request, so a request received before a reload (a pool created or deleted) had
    its answer refused after it. The grant stays as narrow as the trust behind it. A compromised service may
    publish only where its own callers wait for its own answers, which it could make up anyway; never on an inbox
    of an identity that cannot call it, on the answers of another service (a compromised registry cannot answer the
    gateway's `auth_verify`) or on JetStream's replies (`_INBOX.{caller}.{random}.*`); it still reads no inbox but
    its own, and the random tokens keep it from matching a waiting request it was not sent. Unlike
    `allow_responses`, a reply subject a caller makes up (another identity's inbox, a service subject) is refused.
    """
    found = _permissions(names, identity, pools)
    if not found.responds:
        return found
    answers = [f"{reply_prefix(caller, identity)}.>" for caller in callers(names, identity, pools)]
    return dataclasses.replace(found, publish=[*found.publish, *answers])


def _permissions(names: Names, identity: str, pools: list[str]) -> Permissions:
    """`permissions` without a service's grants to answer its callers."""
    jobs_s, events_s = names.stream("jobs")["name"], names.stream("events")["name"]
    adv_s, audit_s = names.stream("advisories")["name"], names.stream("audit")["name"]
    inbox = [f"{inbox_prefix(identity)}.>"]
    auth_subjects = [names.auth_verify, names.auth_login, names.auth_refresh, names.auth_logout, names.auth_password,
                     names.auth_settings, names.auth_roles, names.auth_create_user, names.auth_users,
                     names.auth_create_key, names.auth_keys, names.auth_audit_query, names.auth_tenants]
    trainings_s = names.stream("trainings")["name"]
    # what the gateway may ask the registry; registry_register is the jobs service's alone
    registry_subjects = [names.registry_lookup, names.registry_import, names.registry_models, names.registry_datasets,
                         names.registry_create_dataset, names.registry_tenant, names.registry_uploads]
    jobs_subjects = [names.jobs_create, names.jobs_get, names.jobs_list, names.jobs_usage, names.jobs_cancel,
                     names.jobs_tenant, names.jobs_webhooks]
    tenants_bucket = names.tenants_bucket  # tenant states: auth writes them, the jobs service follows them
    trainings_subjects = [names.trainings_create, names.trainings_get, names.trainings_list, names.trainings_cancel,
                          names.trainings_logs, names.trainings_register_checkpoint]
    if identity == "gateway":
        pings = [f"$SRV.PING.{names.service(s)}" for s in ("auth", "registry", "jobs")]
        return Permissions(
            publish=[*auth_subjects, *registry_subjects, *jobs_subjects, *trainings_subjects, *pings,
                     names.all_audit_events(), f"$JS.API.STREAM.INFO.{events_s}", *_ordered(events_s),
                     f"$JS.API.STREAM.INFO.{trainings_s}", *_ordered(trainings_s), *_kv(f"{names.ns}_ratelimit"),
                     names.pools_manage, names.pools_current, names.jobs_queue_positions],
            subscribe=[*inbox, names.auth_changed("*"), names.pools_changed])
    if identity == "auth":
        return Permissions(
            publish=[names.auth_changed("*"), *_stream_admin(audit_s), *_durable(audit_s, names.auth_audit_consumer),
                     *_kv(tenants_bucket)],
            # auth_owners: the jobs service's alone (where webhook owners stand now), never the gateway's
            subscribe=[*inbox, *_serves(names, "auth", [*auth_subjects, names.auth_owners])], responds=True)
    registry_s = names.stream("registry")["name"]  # import ends: the registry alone publishes them
    if identity == "registry":
        # pools_current: a worker's preload refs are answered only when on its pool's list (easel_registry.preload)
        return Permissions(publish=[names.registry_model_event("*", "*"), *_stream_admin(registry_s),
                                    *_stream_admin(f"KV_{tenants_bucket}"), *_ordered(f"KV_{tenants_bucket}"),
                                    names.pools_current],
                           subscribe=[*inbox, *_serves(names, "registry", [*registry_subjects, names.registry_register,
                                                                           names.registry_preload("*")])],
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
                     # webhooks follow the ends of trainings and imports on their own durable consumers; job
                     # ends come from the event folder, and the consumer they had is read empty and deleted
                     *_durable(events_s, names.jobs_webhooks_consumer),
                     f"$JS.API.CONSUMER.INFO.{events_s}.{names.jobs_webhooks_consumer}",
                     f"$JS.API.CONSUMER.DELETE.{events_s}.{names.jobs_webhooks_consumer}",
                     *_durable(trainings_s, names.jobs_webhooks_trainings_consumer),
                     *_stream_admin(registry_s), *_durable(registry_s, names.jobs_webhooks_models_consumer),
                     *_stream_admin(f"KV_{workers_bucket}"), *_ordered(f"KV_{workers_bucket}"),
                     # before handing a silent worker's job over, the bucket itself must confirm the silence
                     f"$JS.API.STREAM.MSG.GET.KV_{workers_bucket}",
                     *_stream_admin(f"KV_{tenants_bucket}"), *_ordered(f"KV_{tenants_bucket}"),
                     # replicas reserve an idle worker before sending it a job (routing.py)
                     *_kv(names.reservations_bucket),
                     # pools (easel_jobs.pools): the list to everyone who follows it; a deleted pool's queue emptied
                     names.pools_changed, f"$JS.API.STREAM.PURGE.{jobs_s}",
                     # webhooks: where their owners stand now, asked before a delivery is written or sent
                     names.auth_owners],
            # ... and dropped from its cache when auth announces a change of a user
            subscribe=[*inbox, names.pools_changed, names.auth_changed("*"),
                       *_serves(names, "jobs", [*jobs_subjects, *trainings_subjects, names.jobs_claim("*"),
                                                names.pools_manage, names.pools_current, names.jobs_queue_positions])],
            responds=True)
    if identity == "trainer":
        # JetStream answers each publish on the inbox: the trainer knows its event is stored
        return Permissions(publish=[names.training_run_events("*", "*")], subscribe=inbox)
    if identity == "stack":
        return Permissions(publish=[f"$JS.API.CONSUMER.INFO.{jobs_s}.*", names.pools_current],
                           subscribe=[*inbox, names.pools_changed])
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
                     f"$JS.API.CONSUMER.CREATE.{jobs_s}.*.{names.all_job_direct(pool)}",
                     names.registry_preload(pool)],  # its pool's preload_models, resolved at start
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

    def seed(self, identity: str) -> str:
        """The identity's seed (`SU...`), made on first use."""
        return self.ensure(identity).read_text().strip()

    def public_key(self, identity: str) -> str:
        return public_key(self.seed(identity))


def pool_seed(credentials: Credentials, pool: str) -> str:
    """The seed a pool's workers sign in with, made the first time the pool is seen and kept afterwards (a pool
    deleted and created again gets the same key)."""
    return credentials.seed(worker_identity(pool))


class Keys(Protocol):
    """Where `authorization` finds each identity's public key: `Credentials` (the seeds, where the writer holds them
    all) or `PublicKeys` (keys alone, e.g. read back from the authorization a server runs now)."""

    def public_key(self, identity: str) -> str: ...


class PublicKeys:
    """Public keys by identity, for a writer that holds no seed but the new pools' (the Kubernetes controller)."""

    def __init__(self, keys: dict[str, str]) -> None:
        self.keys = dict(keys)

    def public_key(self, identity: str) -> str:
        if identity not in self.keys:
            raise KeyError(f"no public key for NATS identity {identity!r}")
        return self.keys[identity]


def public_keys(block: dict) -> dict[str, str]:
    """{identity: public key} of an `authorization` block this module wrote: each user's inbox prefix
    (`_INBOX.{identity}.>`, the only inbox it may subscribe to) names its identity."""
    found = {}
    for user in block.get("users", []):
        for subject in user.get("permissions", {}).get("subscribe", {}).get("allow", []):
            if subject.startswith("_INBOX.") and subject.endswith(".>"):
                found[subject[len("_INBOX."):-2]] = user["nkey"]
    return found


def authorization(names: Names, credentials: Keys, pools: list[str]) -> dict:
    """The nats-server `authorization` block: every identity's public key with its permissions."""
    users = [{"nkey": credentials.public_key(identity),
              "permissions": permissions(names, identity, pools).server_block()} for identity in identities(pools)]
    return {"users": users}


def authorization_include(names: Names, credentials: Keys, pools: list[str]) -> str:
    """The text of a file nats-server includes (`include "authorization.conf"`): the `authorization` block for
    `pools`, seeds of new pools made on the way. Public keys and permissions only: not a secret."""
    return "authorization: " + json.dumps(authorization(names, credentials, pools), indent=2) + "\n"


def server_config(names: Names, credentials: Credentials, pools: list[str], *, port: int, monitor_port: int,
                  store_dir: Path, host: str = "127.0.0.1", tls: dict | None = None,
                  include: str | None = None) -> str:
    """A complete nats-server configuration, one `key: <JSON>` line per setting (valid NATS configuration
    syntax); `tls` (cert_file, key_file, optionally ca_file and verify) makes clients connect over TLS. With
    `include` (a file name beside the configuration, which nats-server resolves relative to it) the authorization
    is read from that file instead (written with `authorization_include`), so it can change without the rest."""
    config: dict = {"host": host, "port": port, "http_port": monitor_port,
                    "jetstream": {"store_dir": str(store_dir)}}
    if tls:
        config["tls"] = tls
    lines = [f"{key}: {json.dumps(value)}" for key, value in config.items()]
    if include is not None:
        lines.append(f"include {json.dumps(include)}")
    else:
        lines.append("authorization: " + json.dumps(authorization(names, credentials, pools), indent=2))
    return "\n".join(lines) + "\n"
