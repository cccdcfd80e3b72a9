"""KubernetesJobLauncher: each training as a batch/v1 Job running the trainer image (`python -m easel_trainer job`).

The Job (`easel-training-{id}`) asks for the pool's GPUs (`trainer.pools.<pool>.gpu`, limits) on the pool's nodes
(`nodeSelector`, `tolerations`, `affinity`), and carries `activeDeadlineSeconds`, `backoffLimit` (a crashed pod is
started again and resumes from the checkpoints the run stored; a preempted one, whose pod gets the DisruptionTarget
condition, does not count against it) and `ttlSecondsAfterFinished`. Its spec holds no secret: the TrainingRun (spec,
inputs, the run's lease, which is not a credential) is a ConfigMap owned by the Job, the `trainer` identity's NATS
seed is mounted from the Secret `easel nats-config` writes (only that key), and the object store is reached with the
trainer ServiceAccount's role (IRSA) or a Secret referenced by name. The pod's ServiceAccount token is not mounted:
the trainer never talks to Kubernetes.

Re-attaching: nothing is kept in memory. The flows ask `state` about every training the database says is launched
here, which reads its Job; `capacity` lists the Jobs with this launcher's labels. Cancel deletes the Job in the
foreground (its pods go with it) and the ConfigMap, and waits until the pods are gone, so nothing writes after the
flows clean the training's objects.

The official `kubernetes` client is blocking: every call runs on a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from easel_jobs.settings import JobsSettings
from easel_jobs.trainings.launchers.base import RunState
from easel_proto.v1.trainings import TrainingRun

log = logging.getLogger(__name__)
PART_OF = "easel"
COMPONENT = "trainer"
TRAINING_LABEL = "easel.io/training"
POOL_LABEL = "easel.io/pool"
RUN_DIR = "/etc/easel/training"
WORK_DIR = "/var/lib/easel/training"
SEED_DIR = "/var/run/secrets/easel/nats"
TLS_DIR = "/etc/easel/nats-tls"
GONE_WAIT_S = 60.0
NAMESPACE_FILE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")


def job_name(training_id: str) -> str:
    return f"easel-training-{training_id}"[:63].rstrip("-").lower()


class KubernetesJobLauncher:
    kind = "kubernetes"
    relaunches = False  # the Job restarts its own pods (backoffLimit)

    def __init__(self, api_client: Any, namespace: str, settings: JobsSettings, env: dict[str, str]) -> None:
        from kubernetes import client

        self.api, self.namespace, self.settings, self.env = api_client, namespace, settings, env
        self.batch, self.core = client.BatchV1Api(api_client), client.CoreV1Api(api_client)

    @classmethod
    def from_settings(cls, settings: JobsSettings) -> KubernetesJobLauncher:
        """In a pod: the service account's credentials; elsewhere the kubeconfig (KUBECONFIG)."""
        from kubernetes import client, config

        from easel_jobs.trainings.launchers import trainer_settings

        try:
            config.load_incluster_config()
        except config.ConfigException:
            config.load_kube_config()
        namespace = settings.trainer_k8s_namespace or (
            NAMESPACE_FILE.read_text().strip() if NAMESPACE_FILE.is_file() else "default")
        return cls(client.ApiClient(), namespace, settings, trainer_settings(settings))

    def _labels(self, training_id: str | None = None, pool: str | None = None) -> dict[str, str]:
        labels = {"app.kubernetes.io/part-of": PART_OF, "app.kubernetes.io/component": COMPONENT,
                  "app.kubernetes.io/managed-by": "easel-jobs", **self.settings.trainer_labels}
        if training_id:
            labels[TRAINING_LABEL] = training_id
        if pool:
            labels[POOL_LABEL] = pool
        return labels

    def _selector(self, training_id: str | None = None) -> str:
        wanted = {"app.kubernetes.io/component": COMPONENT, "app.kubernetes.io/managed-by": "easel-jobs"}
        if training_id:
            wanted[TRAINING_LABEL] = training_id
        return ",".join(f"{k}={v}" for k, v in wanted.items())

    def job_manifest(self, run: TrainingRun, pool: str) -> dict[str, Any]:
        """The Job of one run (a plain dict: what is created, validated and tested)."""
        s = self.settings
        shape = s.trainer_pools.get(pool) or s.trainer_pools.get("*") or {}
        gpu = {"resource": "nvidia.com/gpu", "count": 1, **(shape.get("gpu") or {})}
        resources = {k: dict(v) for k, v in (shape.get("resources") or {}).items()}
        if gpu["count"]:
            resources.setdefault("limits", {})[gpu["resource"]] = str(gpu["count"])  # a quantity
        name = job_name(run.training_id)
        env = [{"name": k, "value": v} for k, v in sorted(self.env.items())]
        env.append({"name": "EASEL_NATS_SEED_FILE", "value": f"{SEED_DIR}/trainer.nk"})
        if s.trainer_nats_tls_secret:
            env.append({"name": "EASEL_NATS_TLS_CA_FILE", "value": f"{TLS_DIR}/ca.crt"})
        if s.trainer_s3_credentials_secret:
            env += [{"name": name, "valueFrom": {"secretKeyRef": {"name": s.trainer_s3_credentials_secret,
                                                                  "key": key}}}
                    for name, key in (("EASEL_S3_ACCESS_KEY_ID", s.trainer_s3_access_key_id_key),
                                      ("EASEL_S3_SECRET_ACCESS_KEY", s.trainer_s3_secret_access_key_key))]
        mounts = [{"name": "run", "mountPath": RUN_DIR, "readOnly": True},
                  {"name": "nats-identity", "mountPath": SEED_DIR, "readOnly": True},
                  {"name": "work", "mountPath": "/var/lib/easel"}, {"name": "tmp", "mountPath": "/tmp"}]
        volumes = [{"name": "run", "configMap": {"name": name, "defaultMode": 0o440}},
                   {"name": "nats-identity", "secret": {"secretName": s.trainer_seed_secret, "defaultMode": 0o440,
                                                         "items": [{"key": "trainer.nk", "path": "trainer.nk"}]}},
                   {"name": "work", "emptyDir": {"sizeLimit": shape.get("scratchSize", "200Gi")}},
                   {"name": "tmp", "emptyDir": {"sizeLimit": "4Gi"}}]
        if s.trainer_nats_tls_secret:
            mounts.append({"name": "nats-tls", "mountPath": TLS_DIR, "readOnly": True})
            volumes.append({"name": "nats-tls", "secret": {"secretName": s.trainer_nats_tls_secret,
                                                           "defaultMode": 0o444,
                                                           "items": [{"key": s.trainer_nats_tls_key,
                                                                      "path": "ca.crt"}]}})
        container = {
            "name": "trainer", "image": s.trainer_image, "imagePullPolicy": s.trainer_image_pull_policy,
            "command": ["python", "-m", "easel_trainer", "job", "--run", f"{RUN_DIR}/run.json", "--work", WORK_DIR],
            "env": env, "resources": resources, "volumeMounts": mounts,
            "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                "capabilities": {"drop": ["ALL"]}},
        }
        pod_spec: dict[str, Any] = {
            "serviceAccountName": s.trainer_service_account, "automountServiceAccountToken": False,
            "enableServiceLinks": False, "restartPolicy": "Never",
            # SIGTERM (preemption, cancel) writes a checkpoint at the next step and uploads it
            "terminationGracePeriodSeconds": int(shape.get("terminationGracePeriodSeconds", 120)),
            "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001,
                                "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [container], "volumes": volumes,
        }
        for key in ("nodeSelector", "tolerations", "affinity", "priorityClassName"):
            if shape.get(key):
                pod_spec[key] = shape[key]
        labels = self._labels(run.training_id, pool)
        return {
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": name, "namespace": self.namespace, "labels": labels},
            "spec": {
                "backoffLimit": s.trainer_backoff_limit,
                "activeDeadlineSeconds": s.trainer_active_deadline_s,
                "ttlSecondsAfterFinished": s.trainer_ttl_after_finished_s,
                "podFailurePolicy": {"rules": [
                    {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}]},
                "template": {"metadata": {"labels": labels}, "spec": pod_spec},
            },
        }

    def config_map(self, run: TrainingRun, owner: dict[str, Any] | None) -> dict[str, Any]:
        name = job_name(run.training_id)
        metadata: dict[str, Any] = {"name": name, "namespace": self.namespace,
                                    "labels": self._labels(run.training_id)}
        uid = ((owner or {}).get("metadata") or {}).get("uid")
        if uid:  # deleted with its Job (ttlSecondsAfterFinished, cancel)
            metadata["ownerReferences"] = [{"apiVersion": "batch/v1", "kind": "Job", "name": name, "uid": uid}]
        return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata,
                "data": {"run.json": run.model_dump_json()}}

    async def start(self) -> None:
        return None

    async def capacity(self) -> int:
        jobs = await asyncio.to_thread(self.batch.list_namespaced_job, self.namespace,
                                       label_selector=self._selector())
        active = sum(1 for job in jobs.items if not _finished(job))
        return max(0, self.settings.trainer_slots - active)

    async def launch(self, run: TrainingRun, *, pool: str) -> None:
        from kubernetes.client.exceptions import ApiException

        manifest = self.job_manifest(run, pool)
        try:
            created = await asyncio.to_thread(self.batch.create_namespaced_job, self.namespace, manifest)
            owner = self.api.sanitize_for_serialization(created)
        except ApiException as exc:
            if exc.status != 409:  # 409: this run's Job exists (another replica, or a retry): carry on
                raise
            owner = None
        try:
            await asyncio.to_thread(self.core.create_namespaced_config_map, self.namespace,
                                    self.config_map(run, owner))
        except ApiException as exc:
            if exc.status != 409:
                raise

    async def relaunch(self, training_id: str) -> None:
        raise RuntimeError("a Kubernetes Job restarts its own pods")

    async def state(self, training_id: str) -> RunState:
        from kubernetes.client.exceptions import ApiException

        try:
            job = await asyncio.to_thread(self.batch.read_namespaced_job, job_name(training_id), self.namespace)
        except ApiException as exc:
            if exc.status == 404:
                return RunState(running=False, reason="the training's Job is gone")
            raise
        for condition in (job.status.conditions or []) if job.status else []:
            if condition.status != "True":
                continue
            if condition.type in ("Complete", "SuccessCriteriaMet"):
                return RunState(running=False, succeeded=True, exit_code=0, reason="the Job completed")
            if condition.type in ("Failed", "FailureTarget"):
                why = condition.reason or "failed"
                message = f": {condition.message}" if condition.message else ""
                return RunState(running=False, reason=f"the Job failed ({why}{message})")
        return RunState(running=True)

    async def cancel(self, training_id: str) -> None:
        from kubernetes import client
        from kubernetes.client.exceptions import ApiException

        name = job_name(training_id)
        body = client.V1DeleteOptions(propagation_policy="Foreground")
        for delete in (self.batch.delete_namespaced_job, self.core.delete_namespaced_config_map):
            try:
                await asyncio.to_thread(delete, name, self.namespace, body=body)
            except ApiException as exc:
                if exc.status != 404:
                    raise
        loop = asyncio.get_running_loop()
        deadline = loop.time() + GONE_WAIT_S
        while loop.time() < deadline:  # its pods may still be uploading a checkpoint
            pods = await asyncio.to_thread(self.core.list_namespaced_pod, self.namespace,
                                           label_selector=self._selector(training_id))
            if not pods.items:
                return
            await asyncio.sleep(1.0)
        log.warning("training %s: its pods are still there after %.0fs", training_id, GONE_WAIT_S)

    async def logs(self, training_id: str, lines: int) -> list[str]:
        from kubernetes.client.exceptions import ApiException

        try:
            pods = await asyncio.to_thread(self.core.list_namespaced_pod, self.namespace,
                                           label_selector=self._selector(training_id))
            if not pods.items:
                return []
            newest = max(pods.items, key=lambda p: p.metadata.creation_timestamp or 0)
            text = await asyncio.to_thread(self.core.read_namespaced_pod_log, newest.metadata.name, self.namespace,
                                           container="trainer", tail_lines=lines)
        except ApiException:
            return []
        return str(text or "").splitlines()[-lines:]

    async def forget(self, training_id: str) -> None:
        await self.cancel(training_id)

    async def close(self) -> None:
        await asyncio.to_thread(self.api.close)


def _finished(job: Any) -> bool:
    conditions = (job.status.conditions or []) if job.status else []
    return any(c.status == "True" and c.type in ("Complete", "Failed", "SuccessCriteriaMet", "FailureTarget")
               for c in conditions)
