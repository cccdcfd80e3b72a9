"""The Kubernetes pool controller (EASEL_POOL_CONTROLLER=kubernetes), a task of the jobs service: each pool made
through /v1/pools gets the worker Deployment, KEDA ScaledObject and NATS identity a pool of the Helm values gets."""

from __future__ import annotations

import os
from pathlib import Path

from easel_jobs.pool_controller.controller import PoolController
from easel_jobs.settings import JobsSettings

__all__ = ["PoolController", "make_pool_controller"]
NAMESPACE_FILE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")


def make_pool_controller(settings: JobsSettings) -> PoolController | None:
    """The controller EASEL_POOL_CONTROLLER asks for, or None. In a pod it uses the service account's credentials,
    elsewhere the kubeconfig (KUBECONFIG), as the trainings' Kubernetes launcher does."""
    if settings.pool_controller != "kubernetes":
        return None
    from kubernetes import client, config

    try:
        config.load_incluster_config()
    except config.ConfigException:  # KUBECONFIG as it is now (the client reads it once, when imported)
        config.load_kube_config(config_file=os.environ.get("KUBECONFIG"))
    namespace = settings.pool_controller_namespace or (
        NAMESPACE_FILE.read_text().strip() if NAMESPACE_FILE.is_file() else "default")
    return PoolController(client.ApiClient(), namespace, settings.names, settings.pool_controller_template,
                          resync_s=settings.pool_controller_resync_s)
