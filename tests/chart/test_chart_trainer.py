"""Trainings on the cluster: the jobs service the chart deploys, with the settings the chart gives it, makes trainer
Jobs that are valid for Kubernetes, run as the chart's trainer ServiceAccount on each pool's GPUs and nodes, mount
only the `trainer` identity's seed from the Secret `easel nats-config` writes, and are let through to NATS."""

from __future__ import annotations

import kubernetes
import kubernetes_validate
import pytest

from chart_helpers import CHART
from easel_jobs.settings import JobsSettings
from easel_jobs.trainings.launchers import trainer_settings
from easel_jobs.trainings.launchers.kubernetes import KubernetesJobLauncher
from easel_proto.v1.registry import ModelInfo
from easel_proto.v1.trainings import TrainingDatasetFiles, TrainingRun, TrainingSpec

VALUES = CHART / "ci" / "two-pools-values.yaml"
KUBE_VERSIONS = ("1.29.0", "1.35.0")


def by_component(objects: list[dict], kind: str, component: str) -> list[dict]:
    return [o for o in objects if o["kind"] == kind
            and o["metadata"]["labels"].get("app.kubernetes.io/component") == component]


@pytest.fixture(scope="module")
def objects(render) -> list[dict]:
    return render(VALUES)


@pytest.fixture(scope="module")
def launcher(objects) -> KubernetesJobLauncher:
    """The jobs service's launcher as the chart configures it (its plain settings; secrets are references)."""
    (jobs,) = by_component(objects, "Deployment", "jobs")
    env = {e["name"]: e["value"] for e in jobs["spec"]["template"]["spec"]["containers"][0]["env"] if "value" in e}
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        mp.setenv("EASEL_ENV", "dev")  # prod also wants the seed file and TLS on this (test) process
        settings = JobsSettings()
    assert settings.trainer_launcher == "kubernetes"
    return KubernetesJobLauncher(kubernetes.client.ApiClient(), "easel", settings, trainer_settings(settings))


def a_run() -> TrainingRun:
    spec = TrainingSpec(method="lora", model={"path": "base", "base": "sdxl"}, dataset={"path": "dataset"},
                        max_steps=500)
    base = ModelInfo(id="m", name="sdxl-base", kind="checkpoint", base="sdxl", source="store://t/models/m",
                     format="diffusers")
    training_id = "8c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"
    return TrainingRun(training_id=training_id, lease="lease", owner={"user_id": "u", "tenant_id": "t",
                                                                      "username": "alice"},
                       spec=spec, base=base, dataset=TrainingDatasetFiles(id="d", name="set", files=[]),
                       prefix=f"t/trainings/{training_id}/")


@pytest.mark.parametrize(("pool", "gpus", "node_selector"), [
    ("sdxl", "2", {"karpenter.sh/nodepool": "gpu-l40s"}),
    ("sd15", "1", None),
])
def test_each_pools_training_job_is_valid_and_asks_for_its_gpus(objects, launcher, pool, gpus, node_selector):
    job = launcher.job_manifest(a_run(), pool)
    for version in KUBE_VERSIONS:
        kubernetes_validate.validate(job, version, strict=True)
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == gpus
    assert pod.get("nodeSelector") == node_selector
    assert pod["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    assert container["image"] == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/easel-trainer:0.1.0"
    assert (job["spec"]["backoffLimit"], job["spec"]["activeDeadlineSeconds"]) == (3, 604800)
    (account,) = by_component(objects, "ServiceAccount", "trainer")
    assert pod["serviceAccountName"] == account["metadata"]["name"] and pod["automountServiceAccountToken"] is False
    assert account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(":role/easel-store")


def test_a_training_job_mounts_only_the_trainer_seed_and_reaches_nats(objects, launcher):
    job = launcher.job_manifest(a_run(), "sd15")
    pod = job["spec"]["template"]["spec"]
    (seed,) = [v["secret"] for v in pod["volumes"] if "secret" in v and v["name"] == "nats-identity"]
    (worker,) = [d for d in objects if d["kind"] == "Deployment"
                 and d["metadata"]["name"].endswith("worker-sd15")]
    worker_seed = next(v["secret"] for v in worker["spec"]["template"]["spec"]["volumes"]
                       if v["name"] == "nats-identity")
    assert seed["secretName"] == worker_seed["secretName"]  # the Secret `easel nats-config` writes
    assert seed["items"] == [{"key": "trainer.nk", "path": "trainer.nk"}]
    env = {e["name"]: e for e in pod["containers"][0]["env"]}
    assert env["EASEL_NATS_TLS_CA_FILE"]["value"] == "/etc/easel/nats-tls/ca.crt"
    assert env["EASEL_STORE"]["value"] == "s3" and env["EASEL_S3_BUCKET"]["value"] == "easel-images"
    assert not any(name in env for name in ("EASEL_DATABASE_URL", "EASEL_CALLER_PUBLIC_KEY", "EASEL_CALLER_KEY"))
    # the NATS NetworkPolicy admits the release's pods: the Job's pods carry those labels
    (policy,) = [o for o in objects if o["kind"] == "NetworkPolicy" and o["metadata"]["name"].endswith("nats")]
    admitted = policy["spec"]["ingress"][0]["from"][0]["podSelector"]["matchLabels"]
    labels = job["spec"]["template"]["metadata"]["labels"]
    assert admitted.items() <= labels.items()
