"""Settings every Easel process shares; each service subclasses `CommonSettings`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from easel_proto import Names

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
