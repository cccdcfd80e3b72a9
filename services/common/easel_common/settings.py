"""Settings every Easel process shares; each service subclasses `CommonSettings`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from easel_common.natsio import Identity, tls_context
from easel_proto import Names

POOL_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")  # a subject token and part of a consumer name
PLACEHOLDERS = {"", "changeme", "change-me", "secret", "password", "minioadmin", "placeholder", "test"}


class CommonSettings(BaseSettings):
    """Read from EASEL_* environment variables (and a .env file when present)."""

    model_config = SettingsConfigDict(env_prefix="EASEL_", env_file=".env", extra="ignore")

    env: Literal["dev", "prod"] = "dev"
    namespace: str = "easel"
    nats_url: str = "nats://127.0.0.1:4222"
    data_dir: Path = Path(".easel")
    database_url: str = ""
    log_level: str = "INFO"
    request_timeout_s: float = 5.0

    store: Literal["local", "s3"] = "local"
    store_dir: Path | None = None
    s3_bucket: str = "easel"
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_create_bucket: bool = False

    metrics_port: int | None = 9464  # standalone services; the embedded stack serves them at /metrics

    # How many servers of a NATS cluster keep each of Easel's streams (and so their consumers): 3 on a 3-node
    # cluster survives losing one; 1 on a single server. Jobs, auth and the registry create streams.
    stream_replicas: int = Field(default=1, ge=1, le=5)
    # A tenant's stored bytes (its storage_bytes quota, easel_common.storage_quota) are measured in the object store
    # again once the last figure is this old.
    storage_usage_ttl_s: float = Field(default=60.0, ge=1.0)

    # Every worker pool of the deployment: the gateway accepts jobs for these, the jobs service keeps their
    # consumers, a worker refuses to start for another, and NATS permissions hold each pool's workers to their own.
    pools: list[str] = ["default"]
    # Webhooks and job callbacks (the gateway checks callback URLs, the jobs service sends): only public https hosts,
    # or the hosts on this list (plain http too), e.g. a receiver inside the cluster.
    webhook_allow_hosts: list[str] = []
    # The gateway's address as clients reach it (https://easel.example.com), for the links in webhook payloads and
    # image links; unset: paths only.
    public_url: str | None = None

    # How this process signs in to NATS (nats_access.py): its identity's nkey seed, and TLS. Both are required when
    # EASEL_ENV=prod; the embedded stack makes seeds for its own nats-server.
    nats_seed_file: Path | None = None
    nats_tls_ca_file: Path | None = None
    nats_tls_cert_file: Path | None = None  # a client certificate, when the server asks for one
    nats_tls_key_file: Path | None = None
    # auth's public caller key: verifies the statements the gateway forwards (callers.py). Unset in dev: the file
    # auth writes into the data dir.
    caller_public_key: str | None = None

    @field_validator("pools")
    @classmethod
    def _pool_names(cls, pools: list[str]) -> list[str]:
        if not pools:
            raise ValueError("EASEL_POOLS must name at least one pool")
        if bad := [p for p in pools if not POOL_NAME.match(p)]:
            raise ValueError(f"EASEL_POOLS: {bad} must match {POOL_NAME.pattern}")
        if len(set(pools)) != len(pools):
            raise ValueError("EASEL_POOLS names a pool twice")
        return pools

    @model_validator(mode="after")
    def _nats_secured_in_prod(self) -> CommonSettings:
        if self.env != "dev":
            if self.nats_seed_file is None:
                raise ValueError("EASEL_NATS_SEED_FILE must be set when EASEL_ENV=prod: each process signs in to NATS")
            if not (self.nats_url.startswith("tls://") or self.nats_tls_ca_file):
                raise ValueError("NATS must use TLS when EASEL_ENV=prod: a tls:// EASEL_NATS_URL or "
                                 "EASEL_NATS_TLS_CA_FILE")
        return self

    def nats_identity(self, name: str) -> Identity:
        """How this process signs in to NATS as `name` (gateway, auth, registry, jobs, worker-<pool>)."""
        tls = None
        if self.nats_tls_ca_file or self.nats_tls_cert_file or self.nats_url.startswith("tls://"):
            tls = tls_context(self.nats_tls_ca_file, self.nats_tls_cert_file, self.nats_tls_key_file)
        return Identity(name, self.nats_seed_file, tls)

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> CommonSettings:
        """Outside dev, a secret left at a well-known placeholder is a misconfiguration: fail fast."""
        if self.env != "dev":
            for name, value in self:
                if isinstance(value, SecretStr) and value.get_secret_value().strip().lower() in PLACEHOLDERS:
                    raise ValueError(f"EASEL_{name.upper()} is a placeholder; set a real secret when EASEL_ENV=prod")
        return self

    @model_validator(mode="after")
    def _fill_paths(self) -> CommonSettings:
        if self.store_dir is None:
            self.store_dir = self.data_dir / "objects"
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{(self.data_dir / 'easel.db').resolve()}"
        return self

    @property
    def names(self) -> Names:
        return Names(self.namespace)
