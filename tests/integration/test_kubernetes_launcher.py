"""KubernetesJobLauncher against an in-memory Kubernetes API (kmock's KubernetesEmulator), with the official client:
the Job it creates is valid for Kubernetes (kubernetes-validate, strict), asks for the pool's GPUs on the pool's
nodes, holds no secret; its status is read back (also by a launcher that starts later); cancel deletes it. A started
launcher watches its Jobs: one that ends or disappears is noticed at once (no sweep, no read of the Job), also
after the watch's resourceVersion expired (410 Gone: it lists them again)."""

from __future__ import annotations

import asyncio
import json
import uuid

import kmock
import kubernetes
import kubernetes_validate
import nats
import pytest
from kmock._internal import parsing

from easel_common import db
from easel_common.storage import LocalStore
from easel_jobs.main import MIGRATIONS
from easel_jobs.settings import JobsSettings
from easel_jobs.trainings import service
from easel_jobs.trainings.flows import TrainingFlows
from easel_jobs.trainings.launchers import trainer_settings
from easel_jobs.trainings.launchers.kubernetes import KubernetesJobLauncher, job_name
from easel_jobs.trainings.models import Training
from easel_proto.v1.registry import ModelInfo
from easel_proto.v1.trainings import TrainingDatasetFiles, TrainingRun, TrainingSpec
from easel_proto.wire import now

NAMESPACE = "easel"
KUBE_VERSION = "1.33.0"
TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
SETTINGS = dict(
    trainer_launcher="kubernetes", trainer_image="registry.example/easel-trainer:1.0", trainer_slots=2,
    trainer_pools={"xl": {"nodeSelector": {"karpenter.sh/nodepool": "gpu-l40s"}, "tolerations": [TOLERATION],
                          "gpu": {"resource": "nvidia.com/gpu", "count": 2},
                          "resources": {"requests": {"cpu": "8", "memory": "48Gi"}, "limits": {"memory": "64Gi"}}}},
    store="s3", s3_bucket="easel-images", s3_secret_access_key="never-in-a-pod-spec", s3_access_key_id="AKIAEXAMPLE",
    nats_url="tls://easel-nats.easel.svc:4222", trainer_nats_tls_secret="easel-nats-tls",
    trainer_s3_credentials_secret="easel-s3", trainer_active_deadline_s=86400, trainer_backoff_limit=4,
    trainer_ttl_after_finished_s=600, trainer_seed_secret="easel-nats-identities")


def run(training_id: str = "5f0c7e3a-1b2c-4d5e-8f90-123456789abc") -> TrainingRun:
    spec = TrainingSpec(method="lora", model={"path": "base", "base": "sd15"}, dataset={"path": "dataset"},
                        max_steps=1000)
    base = ModelInfo(id="m1", name="sd15", kind="checkpoint", base="sd15", source="store://t/models/m1",
                     format="diffusers")
    return TrainingRun(training_id=training_id, lease="the-runs-lease-not-a-credential",
                       owner={"user_id": "u1", "tenant_id": "t", "username": "alice"}, spec=spec, base=base,
                       dataset=TrainingDatasetFiles(id="d1", name="dogs", files=[]),
                       prefix=f"t/trainings/{training_id}/")


@pytest.fixture
async def cluster(monkeypatch):
    # the official client asks for a watch with `watch=True` (Kubernetes parses it as a bool); kmock 0.8 takes only
    # `watch=true` for a watch and would answer a plain list
    guess = parsing.guess_k8s
    monkeypatch.setattr(parsing, "guess_k8s", lambda k8s, method, query: guess(
        k8s, method, {**query, "watch": query["watch"].lower()} if "watch" in query else query))
    async with kmock.KubernetesEmulator() as emulator, kmock.Server(emulator) as server:
        emulator.resources["v1/pods"] = {}  # no pod is ever made here (no Job controller): an empty list
        emulator.resources["batch/v1/jobs"] = {}  # listed (and watched) before the first Job is made
        yield emulator, str(server.url).rstrip("/")


def launcher(url: str) -> KubernetesJobLauncher:
    config = kubernetes.client.Configuration()
    config.host = url
    settings = JobsSettings(**SETTINGS)
    return KubernetesJobLauncher(kubernetes.client.ApiClient(config), NAMESPACE, settings, trainer_settings(settings))


async def call(fn, *args, **kwargs):
    """The client blocks; the emulator answers on this event loop."""
    return await asyncio.to_thread(fn, *args, **kwargs)


async def test_the_job_is_valid_asks_for_the_pools_gpus_and_holds_no_secret(cluster):
    _emulator, url = cluster
    k8s = launcher(url)
    the_run = run()
    await k8s.launch(the_run, pool="xl")
    job = k8s.api.sanitize_for_serialization(
        await call(k8s.batch.read_namespaced_job, job_name(the_run.training_id), NAMESPACE))
    manifest = k8s.job_manifest(the_run, "xl")
    for obj in (manifest, k8s.config_map(the_run, None)):
        kubernetes_validate.validate(obj, KUBE_VERSION, strict=True)
    assert job["spec"]["template"] == json.loads(json.dumps(manifest["spec"]["template"]))
    spec, pod = job["spec"], job["spec"]["template"]["spec"]
    assert (spec["backoffLimit"], spec["activeDeadlineSeconds"], spec["ttlSecondsAfterFinished"]) == (4, 86400, 600)
    assert pod["nodeSelector"] == {"karpenter.sh/nodepool": "gpu-l40s"} and pod["tolerations"] == [TOLERATION]
    container = pod["containers"][0]
    assert container["resources"]["limits"] == {"memory": "64Gi", "nvidia.com/gpu": "2"}
    assert container["image"] == "registry.example/easel-trainer:1.0" and pod["restartPolicy"] == "Never"
    assert pod["automountServiceAccountToken"] is False
    # no secret in the spec: the seed and the S3 keys are references, the run (with its lease) a ConfigMap
    text = json.dumps(job)
    assert "never-in-a-pod-spec" not in text and "AKIAEXAMPLE" not in text and the_run.lease not in text
    env = {e["name"]: e for e in container["env"]}
    assert env["EASEL_S3_SECRET_ACCESS_KEY"] == {
        "name": "EASEL_S3_SECRET_ACCESS_KEY", "valueFrom": {"secretKeyRef": {"name": "easel-s3",
                                                                             "key": "secret-access-key"}}}
    assert env["EASEL_NATS_SEED_FILE"]["value"] == "/var/run/secrets/easel/nats/trainer.nk"
    assert env["EASEL_STORE"]["value"] == "s3" and "EASEL_DATABASE_URL" not in env
    seed = next(v for v in pod["volumes"] if v["name"] == "nats-identity")["secret"]
    assert seed == {"secretName": "easel-nats-identities", "defaultMode": 0o440,
                    "items": [{"key": "trainer.nk", "path": "trainer.nk"}]}
    config_map = k8s.api.sanitize_for_serialization(
        await call(k8s.core.read_namespaced_config_map, job_name(the_run.training_id), NAMESPACE))
    assert TrainingRun.model_validate_json(config_map["data"]["run.json"]) == the_run


async def test_status_is_read_back_by_any_launcher_and_cancel_deletes_the_job(cluster):
    _emulator, url = cluster
    first, second = run(), run("0a0b0c0d-0000-4000-8000-000000000001")
    k8s = launcher(url)
    await k8s.launch(first, pool="xl")
    assert (await k8s.state(first.training_id)).running
    assert await k8s.capacity() == 1
    await k8s.launch(second, pool="xl")
    assert await k8s.capacity() == 0
    await k8s.launch(first, pool="xl")  # again (another replica, a retry): the same Job, no error

    # the Job controller gives up on the first (the emulator has no /status subresource: the object is patched
    # with the status the controller would write); any launcher, a jobs service started later too,
    # reads it so
    failed = {"status": {"conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                                         "message": "Job has reached the specified backoff limit"}]}}
    await call(k8s.batch.patch_namespaced_job, job_name(first.training_id), NAMESPACE, failed)
    again = launcher(url)
    state = await again.state(first.training_id)
    assert not state.running and not state.succeeded and "BackoffLimitExceeded" in state.reason
    assert await again.capacity() == 1  # a finished Job takes no slot

    await again.cancel(second.training_id)
    names = [j.metadata.name for j in (await call(k8s.batch.list_namespaced_job, NAMESPACE)).items]
    assert job_name(second.training_id) not in names and job_name(first.training_id) in names
    config_maps = await call(k8s.core.list_namespaced_config_map, NAMESPACE)
    assert job_name(second.training_id) not in [c.metadata.name for c in config_maps.items]
    assert (await again.state(second.training_id)).reason == "the training's Job is gone"
    await again.cancel(second.training_id)  # idempotent


FAILED = {"status": {"conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]}}
COMPLETE = {"status": {"conditions": [{"type": "Complete", "status": "True"}]}}


async def watching(url: str) -> tuple[KubernetesJobLauncher, asyncio.Event]:
    k8s, changed = launcher(url), asyncio.Event()
    await k8s.start(on_change=changed.set)
    async with asyncio.timeout(10):
        while not k8s.synced:
            await asyncio.sleep(0.02)
    return k8s, changed


async def noticed(changed: asyncio.Event) -> None:
    async with asyncio.timeout(10):
        await changed.wait()
    changed.clear()


async def test_a_watched_job_that_ends_or_disappears_is_noticed_at_once(cluster):
    emulator, url = cluster
    k8s, changed = await watching(url)
    first, second = run(), run("0a0b0c0d-0000-4000-8000-000000000002")
    try:
        await k8s.launch(first, pool="xl")
        await k8s.launch(second, pool="xl")
        assert await k8s.capacity() == 0
        reads = len(emulator[kmock.action.FETCH]) + len(emulator[kmock.action.LIST])

        # the Job controller marks the first complete: the watch says so, nobody polled
        await call(k8s.batch.patch_namespaced_job, job_name(first.training_id), NAMESPACE, COMPLETE)
        await noticed(changed)
        assert (await k8s.state(first.training_id)).succeeded
        await call(k8s.batch.patch_namespaced_job, job_name(second.training_id), NAMESPACE, FAILED)
        await noticed(changed)
        state = await k8s.state(second.training_id)
        assert not state.running and "BackoffLimitExceeded" in state.reason
        assert await k8s.capacity() == 2
        assert len(emulator[kmock.action.FETCH]) + len(emulator[kmock.action.LIST]) == reads  # from the watch

        # a Job removed behind the launcher's back (ttlSecondsAfterFinished, kubectl): noticed, and gone
        await call(k8s.batch.delete_namespaced_job, job_name(first.training_id), NAMESPACE)
        await noticed(changed)
        assert (await k8s.state(first.training_id)).reason == "the training's Job is gone"
    finally:
        await asyncio.wait_for(k8s.close(), 10)


async def test_an_expired_watch_lists_again_and_a_new_launcher_finds_ended_jobs_at_start(cluster):
    emulator, url = cluster
    ended, later = run(), run("0a0b0c0d-0000-4000-8000-000000000003")
    first = launcher(url)
    await first.launch(ended, pool="xl")
    await call(first.batch.patch_namespaced_job, job_name(ended.training_id), NAMESPACE, FAILED)
    await first.close()
    # the first watch is refused as too old (410 Gone, as after an API server's compaction)
    gone = {"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 410,
                                        "reason": "Expired", "message": "too old resource version"}}
    emulator[kmock.action.WATCH][:1] << (gone,)

    k8s, changed = await watching(url)  # a restarted jobs service: its Jobs' ends are known at once
    try:
        await noticed(changed)
        assert "BackoffLimitExceeded" in (await k8s.state(ended.training_id)).reason
        await k8s.launch(later, pool="xl")
        async with asyncio.timeout(10):
            while len(emulator[kmock.action.WATCH]) < 2:
                await asyncio.sleep(0.02)
        lists = [r for r in emulator[kmock.action.LIST]]
        assert len(lists) >= 2  # listed again after the 410, then watched from there
        await call(k8s.batch.patch_namespaced_job, job_name(later.training_id), NAMESPACE, COMPLETE)
        await noticed(changed)
        assert (await k8s.state(later.training_id)).succeeded
    finally:
        await asyncio.wait_for(k8s.close(), 10)


async def test_a_failed_job_fails_its_training_without_waiting_for_the_sweep(cluster, nats_url, tmp_path):
    """The jobs service's flows with the Kubernetes launcher, the sweep an hour apart: the Job's failure, seen by
    the watch, fails the training at once."""
    _emulator, url = cluster
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'jobs.db'}"
    engine = db.make_engine(database_url)
    await db.migrate(engine, MIGRATIONS, "alembic_version_jobs")
    nc = await nats.connect(nats_url)
    k8s = launcher(url)
    k8s.settings = k8s.settings.model_copy(update={"trainer_sweep_s": 3600.0})
    flows = TrainingFlows(nc, db.sessions(engine), k8s.settings, k8s, LocalStore(tmp_path / "objects"))
    the_run = run(str(uuid.uuid4()))
    row = Training(id=the_run.training_id, user_id="u1", tenant_id="t", username="alice", pool="xl", status="queued",
                   method="lora", name="dogs", base_model_id="m1", dataset_id="d1",
                   request={"method": "lora", "base_model": "m1", "dataset": "d1"},
                   spec=the_run.spec.model_dump(mode="json"),
                   inputs={"base": the_run.base.model_dump(mode="json"),
                           "dataset": the_run.dataset.model_dump(mode="json"), "class_dataset": None},
                   attempts=0, cancel_requested=False, step=0, samples=[], gpu_s=0.0, created_at=now())
    async with flows.sessions.begin() as session:
        await service.create(session, row=row)
    await k8s.start(on_change=flows.wake.set)
    stopping = asyncio.Event()
    sweeps = asyncio.create_task(flows.run_sweeps(stopping))

    async def status(*wanted: str) -> Training:
        async with asyncio.timeout(15):
            while True:
                async with flows.sessions() as session:
                    current = await session.get(Training, row.id)
                if current.status in wanted:
                    return current
                await asyncio.sleep(0.05)

    try:
        await status("starting")  # the first sweep launched it; the next is an hour away
        async with asyncio.timeout(15):  # the row says `starting` just before the Job is made
            while job_name(row.id) not in [
                    j.metadata.name for j in (await call(k8s.batch.list_namespaced_job, NAMESPACE)).items]:
                await asyncio.sleep(0.05)
        await call(k8s.batch.patch_namespaced_job, job_name(row.id), NAMESPACE, FAILED)
        failed = await status("failed", "succeeded", "canceled")
        assert failed.status == "failed" and "BackoffLimitExceeded" in failed.error["message"], failed.error
    finally:
        stopping.set()
        sweeps.cancel()
        await asyncio.gather(sweeps, return_exceptions=True)
        await asyncio.wait_for(flows.stop(), 30)
        await asyncio.wait_for(k8s.close(), 10)
        await nc.close()
        await engine.dispose()
