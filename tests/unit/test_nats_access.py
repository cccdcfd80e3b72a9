"""The NATS configuration Easel writes: a real nats-server accepts it, and it holds public keys only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from easel_common import nats_access
from easel_gateway.audit import AUDITED
from easel_proto import Names
from easel_stack.natsd import binary


def test_easel_nats_config_writes_what_a_nats_server_accepts(tmp_path):
    env = {**os.environ, "EASEL_POOLS": '["default", "xl"]', "EASEL_NAMESPACE": "acme"}
    subprocess.run([str(Path(sys.executable).with_name("easel")), "nats-config", "--out", str(tmp_path)], env=env,
                   check=True, capture_output=True)
    seeds = sorted(p.stem for p in (tmp_path / "credentials").glob("*.nk"))
    assert seeds == sorted(["gateway", "auth", "registry", "jobs", "stack", "trainer", "worker-default", "worker-xl"])
    (tmp_path / "server.conf").write_text(f'port: 4999\njetstream: {{store_dir: "{tmp_path}/js"}}\n'
                                          "include ./authorization.conf\n")
    checked = subprocess.run([binary(), "-c", str(tmp_path / "server.conf"), "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    config = (tmp_path / "authorization.conf").read_text()
    assert "acme.jobs.claim.xl" in config
    for seed in (tmp_path / "credentials").glob("*.nk"):
        assert oct(seed.stat().st_mode & 0o777) == "0o600"
        assert seed.read_text().strip() not in config


def test_a_pools_workers_are_denied_every_other_pools_consumer_by_name():
    names = Names("easel")
    worker = nats_access.permissions(names, "worker-a", ["a", "b", "c"])
    for other in ("b", "c"):
        assert f"$JS.API.CONSUMER.MSG.NEXT.EASEL_JOBS.worker-{other}" in worker.deny_publish
        assert f"$JS.ACK.EASEL_JOBS.worker-{other}.>" in worker.deny_publish
    assert "$JS.API.CONSUMER.MSG.NEXT.EASEL_JOBS.worker-a" not in worker.deny_publish
    # no one but auth hears the subjects that carry passwords and keys
    for identity in nats_access.identities(["a"]):
        heard = nats_access.permissions(names, identity, ["a"]).subscribe
        assert (names.auth_login in heard) == (identity == "auth"), identity
        assert not any(s in heard for s in (">", "_INBOX.>", "easel.>")), identity


def test_a_pool_added_at_run_time_needs_only_its_own_new_seed(tmp_path):
    """What the Kubernetes pool controller does: read the running authorization's keys back, make the new pool's
    seed (kept: asked again, the same), and write the block again, in which the old pools' workers are denied the
    new pool's consumer."""
    names = Names("easel")
    running = nats_access.authorization(names, nats_access.Credentials(tmp_path / "deploy"), ["a"])
    keys = nats_access.public_keys(running)
    assert sorted(keys) == sorted(nats_access.identities(["a"]))
    controller = nats_access.Credentials(tmp_path / "controller")
    seed = nats_access.pool_seed(controller, "b")
    assert nats_access.pool_seed(controller, "b") == seed
    keys["worker-b"] = nats_access.public_key(seed)
    after = nats_access.authorization(names, nats_access.PublicKeys(keys), ["a", "b"])
    assert nats_access.public_keys(after) == keys
    worker_a = next(u for u in after["users"] if u["nkey"] == keys["worker-a"])
    assert "$JS.API.CONSUMER.MSG.NEXT.EASEL_JOBS.worker-b" in worker_a["permissions"]["publish"]["deny"]
    (tmp_path / "authorization.conf").write_text(nats_access.authorization_include(names, nats_access.PublicKeys(keys),
                                                                                   ["a", "b"]))
    (tmp_path / "server.conf").write_text(f'port: 4999\njetstream: {{store_dir: "{tmp_path}/js"}}\n'
                                          "include ./authorization.conf\n")
    checked = subprocess.run([binary(), "-c", str(tmp_path / "server.conf"), "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_a_worker_resolves_preloads_on_its_own_pools_subject_and_only_the_gateway_asks_queue_positions():
    names = Names("easel")
    worker = nats_access.permissions(names, "worker-a", ["a", "b"])
    assert names.registry_preload("a") in worker.publish
    assert not any(s in worker.publish for s in (names.registry_preload("b"), names.registry_preload("*")))
    registry = nats_access.permissions(names, "registry", ["a", "b"])
    assert names.registry_preload("*") in registry.subscribe and names.pools_current in registry.publish
    jobs = nats_access.permissions(names, "jobs", ["a", "b"])
    assert names.jobs_queue_positions in jobs.subscribe
    for identity in nats_access.identities(["a", "b"]):
        asks = nats_access.permissions(names, identity, ["a", "b"]).publish
        assert (names.jobs_queue_positions in asks) == (identity == "gateway"), identity


def test_services_answer_on_their_callers_inboxes_for_them_and_nowhere_else():
    """No `allow_responses` (a reload forgets its grants): each service may publish on `_INBOX.{caller}.{service}.>`
    of exactly the identities that may ask it something, and no other identity publishes on any inbox."""
    names = Names("easel")
    pools = ["a", "b"]
    answered = {"auth": ["gateway", "jobs"], "registry": ["gateway", "jobs", "worker-a", "worker-b"],
                "jobs": ["gateway", "registry", "stack", "worker-a", "worker-b"]}
    for identity in nats_access.identities(pools):
        found = nats_access.permissions(names, identity, pools)
        assert "allow_responses" not in found.server_block(), identity
        inboxes = sorted(s for s in found.publish if s.startswith("_INBOX"))
        assert inboxes == sorted(f"_INBOX.{caller}.{identity}.>" for caller in answered.get(identity, [])), identity
    assert nats_access.responder(names.auth_verify) == "auth"
    assert nats_access.responder(names.registry_preload("a")) == "registry"
    assert nats_access.responder(names.jobs_claim("zz")) == nats_access.responder(names.pools_current) == "jobs"
    assert nats_access.responder(f"$SRV.PING.{names.service('registry')}") == "registry"
    assert nats_access.responder(names.pools_changed) is None  # a broadcast, not a request
    assert nats_access.responder("$JS.API.STREAM.INFO.EASEL_JOBS") is None  # the server answers those itself


def test_only_the_jobs_service_asks_where_webhook_owners_stand_and_it_hears_user_changes():
    """`auth_owners` tells any user's permissions and standing: the jobs service's alone, never the gateway's or a
    worker's. The jobs service hears `auth_changed` (to drop what it cached) without answering on it."""
    names = Names("easel")
    pools = ["a", "b"]
    for identity in nats_access.identities(pools):
        found = nats_access.permissions(names, identity, pools)
        assert (names.auth_owners in found.publish) == (identity == "jobs"), identity
        assert (names.auth_changed("*") in found.subscribe) == (identity in ("gateway", "jobs")), identity
    assert names.auth_owners in nats_access.permissions(names, "auth", pools).subscribe
    assert nats_access.responder(names.auth_owners) == "auth"
    assert nats_access.responder(names.auth_changed("u1")) is None  # a broadcast, not a request
    assert "auth" not in nats_access.callers(names, "jobs", pools)


def test_only_the_gateway_publishes_audit_batches_and_they_lie_in_the_audit_stream():
    """The gateway's audit batches go where its audit permission and the audit stream's subjects already reach (no
    identity gains anything), and no audited action's single-event subject is the batch subject."""
    names = Names("easel")
    pools = ["a", "b"]
    for identity in nats_access.identities(pools):
        publish = nats_access.permissions(names, identity, pools).publish
        reaches = any(nats_access._overlap(names.audit_batch, allowed) for allowed in publish)
        assert reaches == (identity == "gateway"), identity
    assert names.all_audit_events() in nats_access.permissions(names, "gateway", pools).publish
    assert any(nats_access._overlap(names.audit_batch, s) for s in names.stream("audit")["subjects"])
    assert names.audit_batch not in {names.audit_event(action) for action in AUDITED.values()}
