"""Jobs service settings."""

from __future__ import annotations

from easel_common.settings import CommonSettings


class JobsSettings(CommonSettings):
    pass
