"""Launchers of training runs behind one interface (base.Launcher): local processes, Kubernetes Jobs, or none."""

from __future__ import annotations

from easel_common.environment import system_env
from easel_jobs.settings import JobsSettings
from easel_jobs.trainings.launchers.base import Launcher, NoLauncher, RunState
from easel_jobs.trainings.launchers.local import LocalLauncher

__all__ = ["Launcher", "LocalLauncher", "NoLauncher", "RunState", "make_launcher", "trainer_settings"]


def trainer_settings(settings: JobsSettings) -> dict[str, str]:
    """The EASEL_* settings a trainer reads (easel_trainer.job): NATS and the object store, as this service has
    them, and nothing of its own secrets (its seed, the database, the caller key)."""
    env = {"EASEL_ENV": settings.env, "EASEL_NAMESPACE": settings.namespace, "EASEL_NATS_URL": settings.nats_url,
           "EASEL_LOG_LEVEL": settings.log_level, "EASEL_STORE": settings.store,
           "EASEL_S3_BUCKET": settings.s3_bucket, "EASEL_S3_REGION": settings.s3_region}
    if settings.store == "local":
        env["EASEL_STORE_DIR"] = str(settings.store_dir.resolve())
    optional = {"EASEL_S3_ENDPOINT_URL": settings.s3_endpoint_url, "EASEL_NATS_TLS_CA_FILE": settings.nats_tls_ca_file,
                "EASEL_NATS_TLS_CERT_FILE": settings.nats_tls_cert_file,
                "EASEL_NATS_TLS_KEY_FILE": settings.nats_tls_key_file}
    env.update({k: str(v) for k, v in optional.items() if v})
    return {**env, **settings.trainer_env}


def make_launcher(settings: JobsSettings) -> Launcher:
    """The launcher EASEL_TRAINER_LAUNCHER names."""
    if settings.trainer_launcher == "none":
        return NoLauncher()
    if settings.trainer_launcher == "kubernetes":
        from easel_jobs.trainings.launchers.kubernetes import KubernetesJobLauncher

        return KubernetesJobLauncher.from_settings(settings)
    env = {**system_env(), **trainer_settings(settings)}
    if settings.store == "s3":  # a local trainer uses the service's own S3 credentials (the chart's use IRSA)
        if settings.s3_access_key_id:
            env["EASEL_S3_ACCESS_KEY_ID"] = settings.s3_access_key_id
        if settings.s3_secret_access_key:
            env["EASEL_S3_SECRET_ACCESS_KEY"] = settings.s3_secret_access_key.get_secret_value()
    if settings.trainer_nats_seed_file:
        env["EASEL_NATS_SEED_FILE"] = str(settings.trainer_nats_seed_file)
    # the built-in tiny models (tests, demos) are built once for every local run, not once per run
    env.setdefault("EASEL_TRAINER_BUILTIN_DIR", str(settings.data_dir.resolve() / "trainer-cache"))
    return LocalLauncher(settings.data_dir.resolve() / "trainings", env, slots=settings.trainer_slots,
                         device=settings.trainer_device)
