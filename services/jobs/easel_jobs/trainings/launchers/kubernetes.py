"""KubernetesJobLauncher: each training as a batch/v1 Job running the trainer image (`python -m easel_trainer job`).

The Job (`easel-training-{id}`) asks for the pool's GPUs (`trainer.pools.<pool>.gpu`, limits) on the pool's nodes
(`nodeSelector`, `tolerations`, `affinity`), and carries `activeDeadlineSeconds`, `backoffLimit` (a crashed pod is
started again and resumes from the checkpoints the run stored; a preempted one, whose pod gets the DisruptionTarget
condition, does not count against it) and `ttlSecondsAfterFinished`. Its spec holds no secret: the TrainingRun (spec,
inputs, the run's lease, which is not a credential) is a ConfigMap owned by the Job, the `trainer` identity's NATS
seed is mounted from the Secret `easel nats-config` writes (only that key), and the object store is reached with the
trainer ServiceAccount's role (IRSA) or a Secret referenced by name. The pod's ServiceAccount token is not mounted:
the trainer never talks to Kubernetes.

Following: the launcher lists its Jobs (label selector) and then watches them (`watch.Watch` on the namespace's
batch/v1 Jobs, resuming from the last resourceVersion; a 410 Gone, or any broken watch, lists them again), keeping
each Job's state in memory. A Job that completes, fails or disappears calls `on_change` (the flows' wake-up), so its
training ends at once instead of at a later sweep; `state` and `capacity` answer from what the watch saw, and read
the Job itself only for one the watch has not seen (just created, or gone). Every `EASEL_TRAINER_K8S_RESYNC_S` the
Jobs are listed again from scratch: the slow safety net for an event a watch may have missed. Re-attaching needs
nothing kept across restarts: a new launcher lists the Jobs first. Cancel deletes the Job in the foreground (its pods
go with it) and the ConfigMap, and waits until the pods are gone, so nothing writes after the flows clean the
training's objects.

The official `kubernetes` client is blocking: every call (and each step of a watch) runs on a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
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
WATCH_TIMEOUT_S = 300  # the API server ends a watch after this; it is resumed from the last resourceVersion
WATCH_RETRY_S = 5.0  # after a watch that broke (the API server away), before listing again
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
        self.jobs: dict[str, RunState] = {}  # training id -> its Job's state, as the watch last saw it
        self.synced = False  # the watch's view is whole (listed, then followed without a break)
        self._on_change: Callable[[], None] | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._watch: Any = None
        self._closing = False

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

    async def start(self, on_change: Callable[[], None] | None = None) -> None:
        """Follow this launcher's Jobs; `on_change` is called (on this loop) when one ends or disappears."""
        self._on_change = on_change
        if self._watcher is None:
            self._watcher = asyncio.create_task(self._follow())

    async def _follow(self) -> None:
        """List, then watch from the list's resourceVersion; list again on 410 Gone, a broken watch, or every
        EASEL_TRAINER_K8S_RESYNC_S."""
        from kubernetes import watch
        from kubernetes.client.exceptions import ApiException

        loop = asyncio.get_running_loop()
        version: str | None = None
        resync_at = 0.0
        while not self._closing:
            try:
                if version is None or loop.time() >= resync_at:
                    version = await self._relist()
                    resync_at = loop.time() + self.settings.trainer_k8s_resync_s
                self._watch = watcher = watch.Watch()
                stream = watcher.stream(self.batch.list_namespaced_job, self.namespace,
                                        label_selector=self._selector(), resource_version=version,
                                        timeout_seconds=WATCH_TIMEOUT_S, allow_watch_bookmarks=True,
                                        _request_timeout=(30, WATCH_TIMEOUT_S + 30))
                opened = loop.time()
                while not self._closing and loop.time() < resync_at:
                    event = await asyncio.to_thread(next, stream, None)
                    if event is None:  # the server ended this watch: resume from where it was
                        if loop.time() - opened < 1.0:  # (not in a tight loop when something ends them at once)
                            await asyncio.sleep(1.0)
                        break
                    raw = event.get("raw_object") or {}
                    version = (raw.get("metadata") or {}).get("resourceVersion") or version
                    if event["type"] in ("ADDED", "MODIFIED", "DELETED"):
                        self._seen(event["type"], raw)
            except ApiException as exc:
                self.synced, version = False, None
                if exc.status != 410:  # 410 Gone: the version is too old; list again at once
                    log.warning("watching the training Jobs failed (%s); listing them again", exc.status)
                    await asyncio.sleep(WATCH_RETRY_S)
            except Exception as exc:
                if self._closing:
                    break
                self.synced, version = False, None
                log.warning("watching the training Jobs failed (%s: %s); listing them again", type(exc).__name__,
                            exc)
                await asyncio.sleep(WATCH_RETRY_S)

    async def _relist(self) -> str | None:
        """Every Job of this launcher, as the watch's new view; the resourceVersion to watch from."""
        listed = await asyncio.to_thread(self.batch.list_namespaced_job, self.namespace,
                                         label_selector=self._selector())
        before, self.jobs = self.jobs, {}
        for job in listed.items:
            raw = self.api.sanitize_for_serialization(job)
            if (training_id := _training(raw)) is not None:
                self.jobs[training_id] = job_state(raw)
        self.synced = True
        ended = [t for t, was in before.items() if was.running and not self.jobs.get(t, RunState(False)).running]
        if ended or any(not s.running for t, s in self.jobs.items() if t not in before):
            self._changed()
        return (listed.metadata.resource_version if listed.metadata else None) or None

    def _seen(self, kind: str, raw: dict[str, Any]) -> None:
        """One watch event: the Job's new state; a Job that ended or disappeared wakes the flows."""
        training_id = _training(raw)
        if training_id is None or not _ours(raw):
            return
        was = self.jobs.get(training_id)
        if kind == "DELETED":
            self.jobs.pop(training_id, None)
            self._changed()
            return
        now = self.jobs[training_id] = job_state(raw)
        if not now.running and (was is None or was.running):
            self._changed()

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()

    async def capacity(self) -> int:
        if self.synced:
            active = sum(1 for state in self.jobs.values() if state.running)
        else:
            jobs = await asyncio.to_thread(self.batch.list_namespaced_job, self.namespace,
                                           label_selector=self._selector())
            active = sum(1 for job in jobs.items if job_state(self.api.sanitize_for_serialization(job)).running)
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
        self.jobs.setdefault(run.training_id, RunState(running=True))  # takes a slot before the watch sees it
        try:
            await asyncio.to_thread(self.core.create_namespaced_config_map, self.namespace,
                                    self.config_map(run, owner))
        except ApiException as exc:
            if exc.status != 409:
                raise

    async def relaunch(self, training_id: str) -> None:
        raise RuntimeError("a Kubernetes Job restarts its own pods")

    async def state(self, training_id: str) -> RunState:
        """What the watch saw; a Job it has not seen (or a broken watch) is read."""
        from kubernetes.client.exceptions import ApiException

        if self.synced and (seen := self.jobs.get(training_id)) is not None:
            return seen
        try:
            job = await asyncio.to_thread(self.batch.read_namespaced_job, job_name(training_id), self.namespace)
        except ApiException as exc:
            if exc.status == 404:
                return RunState(running=False, reason="the training's Job is gone")
            raise
        return job_state(self.api.sanitize_for_serialization(job))

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
        self._closing = True
        if self._watch is not None:
            self._watch.stop()  # unblocks the thread reading the watch
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._watcher
        await asyncio.to_thread(self.api.close)


def job_state(job: dict[str, Any]) -> RunState:
    """A Job's state from its status conditions (the API's JSON shape)."""
    for condition in (job.get("status") or {}).get("conditions") or []:
        if condition.get("status") != "True":
            continue
        if condition.get("type") in ("Complete", "SuccessCriteriaMet"):
            return RunState(running=False, succeeded=True, exit_code=0, reason="the Job completed")
        if condition.get("type") in ("Failed", "FailureTarget"):
            why = condition.get("reason") or "failed"
            message = f": {condition['message']}" if condition.get("message") else ""
            return RunState(running=False, reason=f"the Job failed ({why}{message})")
    return RunState(running=True)


def _labels_of(job: dict[str, Any]) -> dict[str, str]:
    return (job.get("metadata") or {}).get("labels") or {}


def _training(job: dict[str, Any]) -> str | None:
    return _labels_of(job).get(TRAINING_LABEL)


def _ours(job: dict[str, Any]) -> bool:
    """The launcher's selector, checked again (a watch is filtered by the server; this is cheap)."""
    labels = _labels_of(job)
    return (labels.get("app.kubernetes.io/component") == COMPONENT
            and labels.get("app.kubernetes.io/managed-by") == "easel-jobs")
