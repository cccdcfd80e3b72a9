"""NATS request/reply endpoints of the auth service."""

from __future__ import annotations

from nats.aio.client import Client
from sqlalchemy.ext.asyncio import async_sessionmaker

from easel_auth.handlers import accounts, owners, signin
from easel_auth.settings import AuthSettings
from easel_common.callers import Issuer
from easel_common.natsio import Endpoint


def endpoints(settings: AuthSettings, sessions: async_sessionmaker, nc: Client, issuer: Issuer) -> list[Endpoint]:
    return (accounts.endpoints(settings, sessions, nc, issuer) + signin.endpoints(settings, sessions, nc)
            + owners.endpoints(settings, sessions))
