"""KubernetesJobLauncher against an in-memory Kubernetes API (kmock's KubernetesEmulator), with the official client:
the Job it creates is valid for Kubernetes (kubernetes-validate, strict), asks for the pool's GPUs on the pool's
nodes, holds no secret; its status is read back (also by a launcher that starts later); cancel deletes it."""

from __future__ import annotations

import asyncio
import json

import kmock
import kubernetes
import kubernetes_validate
import pytest

from easel_jobs.settings import JobsSettings
from easel_jobs.trainings.launchers import trainer_settings
from easel_jobs.trainings.launchers.kubernetes import KubernetesJobLauncher, job_name
from easel_proto.v1.registry import ModelInfo
from easel_proto.v1.trainings import TrainingDatasetFiles, TrainingRun, TrainingSpec

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
async def cluster():
    async with kmock.KubernetesEmulator() as emulator, kmock.Server(emulator) as server:
        emulator.resources["v1/pods"] = {}  # no pod is ever made here (no Job controller): an empty list
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
