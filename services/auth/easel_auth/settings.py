"""Auth service settings."""

from __future__ import annotations

from pydantic import SecretStr

from easel_common.settings import CommonSettings


class AuthSettings(CommonSettings):
    """EASEL_ADMIN_KEY bootstraps the admin; unset, a key is generated once into the data dir."""

    admin_key: SecretStr | None = None
    admin_username: str = "admin"
