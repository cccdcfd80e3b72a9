"""Auth service settings."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, SecretStr, ValidationError, model_validator

from easel_common.settings import CommonSettings
from easel_proto.v1.common import Quotas


def _unlimited(value: object) -> object:
    """`EASEL_DEFAULT_...=unlimited` (or empty) turns a default quota off."""
    return None if isinstance(value, str) and value.strip().lower() in ("", "unlimited", "none") else value


class AuthSettings(CommonSettings):
    """EASEL_ADMIN_KEY bootstraps the admin; unset, a key is generated once into the data dir."""

    admin_key: SecretStr | None = None
    admin_username: str = "admin"
    jwt_secret: SecretStr | None = None  # unset in dev: generated once into the data dir
    # Signs the caller statements services accept (callers.py): `easel-auth new-caller-key`. Unset in dev:
    # generated once into the data dir, its public half beside it for the services on this machine.
    caller_key: SecretStr | None = None
    caller_statement_ttl_s: float = Field(default=300.0, ge=30.0, le=3600.0)
    access_token_ttl_s: int = 900
    refresh_token_ttl_s: int = 14 * 24 * 3600
    password_min_length: int = 12
    login_max_failures: int = 5  # per username and per source address, within login_window_s
    login_window_s: int = 900
    login_lock_s: int = 900
    max_settings_bytes: int = Field(default=64 * 1024, ge=4096)  # a user's saved settings and styles, as JSON
    revoke_keys_on_password_change: bool = True  # a new password also ends every API key of the user
    # Quotas of a user whose own override and roles set none: a fresh install is not unlimited.
    default_max_concurrent_jobs: Annotated[int | None, BeforeValidator(_unlimited)] = 16
    # a training holds a GPU for minutes to hours: a few at once per user unless a role grants more
    default_max_concurrent_trainings: Annotated[int | None, BeforeValidator(_unlimited)] = 2
    default_requests_per_second: Annotated[float | None, BeforeValidator(_unlimited)] = 50.0
    default_burst: Annotated[int | None, BeforeValidator(_unlimited)] = None  # None: twice the rate

    @model_validator(mode="after")
    def _jwt_secret_outside_dev(self) -> AuthSettings:
        if self.env != "dev" and (self.jwt_secret is None or len(self.jwt_secret.get_secret_value()) < 32):
            raise ValueError("EASEL_JWT_SECRET must be set to 32+ random characters when EASEL_ENV=prod")
        if self.env != "dev" and self.caller_key is None:
            raise ValueError("EASEL_CALLER_KEY must be set when EASEL_ENV=prod (easel-auth new-caller-key)")
        return self

    @model_validator(mode="after")
    def _default_quotas_in_range(self) -> AuthSettings:
        try:  # out of range fails at start, not at the first request
            _ = self.default_quotas
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ValueError(f"EASEL_DEFAULT_{str(first['loc'][0]).upper()}: {first['msg']}") from None
        return self

    @property
    def default_quotas(self) -> Quotas:
        return Quotas(max_concurrent_jobs=self.default_max_concurrent_jobs,
                      max_concurrent_trainings=self.default_max_concurrent_trainings,
                      requests_per_second=self.default_requests_per_second, burst=self.default_burst)
