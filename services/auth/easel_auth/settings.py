"""Auth service settings."""

from __future__ import annotations

from pydantic import SecretStr, model_validator

from easel_common.settings import CommonSettings


class AuthSettings(CommonSettings):
    """EASEL_ADMIN_KEY bootstraps the admin; unset, a key is generated once into the data dir."""

    admin_key: SecretStr | None = None
    admin_username: str = "admin"
    jwt_secret: SecretStr | None = None  # unset in dev: generated once into the data dir
    access_token_ttl_s: int = 900
    refresh_token_ttl_s: int = 14 * 24 * 3600
    password_min_length: int = 12
    login_max_failures: int = 5  # per username and per source address, within login_window_s
    login_window_s: int = 900
    login_lock_s: int = 900

    @model_validator(mode="after")
    def _jwt_secret_outside_dev(self) -> AuthSettings:
        if self.env != "dev" and (self.jwt_secret is None or len(self.jwt_secret.get_secret_value()) < 32):
            raise ValueError("EASEL_JWT_SECRET must be set to 32+ random characters when EASEL_ENV=prod")
        return self
