"""A deployment's NATS identities for Kubernetes: Helm values for charts/easel (the NATS server's `authorization`,
built from the same permission table as the embedded stack's) and the seeds as a Secret manifest.

The values carry public keys and permissions only; the seeds go to the Secret, and each pod mounts only its own
(charts/easel/templates/_helpers.tpl: `easel.natsSeedVolume`). Both files are JSON, which YAML reads as is.
"""

from __future__ import annotations

from easel_common import nats_access
from easel_proto import Names

SECRET_NAME = "easel-nats-identities"
# the cluster's processes (trainer: every fine-tuning Job's pod); `stack` runs only in the embedded stack
SERVICES = ("gateway", "auth", "registry", "jobs", "trainer")


def identities(pools: list[str]) -> list[str]:
    """The identities a cluster runs: one per service Deployment and one per worker pool."""
    return [*SERVICES, *(nats_access.worker_identity(p) for p in pools)]


def seed_key(identity: str) -> str:
    """The key of an identity's seed in the Secret (and the file name it is mounted as)."""
    return f"{identity}.nk"


def helm_values(names: Names, credentials: nats_access.Credentials, pools: list[str], secret_name: str) -> dict:
    """Values for charts/easel: the bundled NATS server's authorization, and which Secret holds whose seed."""
    return {
        "nats": {"config": {"merge": {"authorization": nats_access.authorization(names, credentials, pools)}}},
        # the public keys again, by identity: the pool controller rebuilds the authorization from them when pools
        # are made through /v1/pools (easel_jobs.pool_controller)
        "natsClient": {"identities": {"existingSecret": secret_name, "natsNamespace": names.ns, "pools": pools,
                                      "publicKeys": {i: credentials.public_key(i) for i in identities(pools)}}},
    }


def seeds_secret(credentials: nats_access.Credentials, pools: list[str], secret_name: str) -> dict:
    """A Secret manifest (no namespace: `kubectl apply -n`) with the seed of every identity the cluster runs."""
    return {
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": secret_name, "labels": {"app.kubernetes.io/part-of": "easel"}},
        "stringData": {seed_key(i): credentials.ensure(i).read_text().strip() for i in identities(pools)},
    }
