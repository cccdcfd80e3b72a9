"""The auth service: answers 'who is this key' and manages users over NATS."""

from __future__ import annotations

import sys
from pathlib import Path

from nats.aio.client import Client

from easel_auth import audit, handlers, keys, tenants
from easel_auth.flows import bootstrap_admin
from easel_auth.handlers import tenants as tenant_handlers
from easel_auth.settings import AuthSettings
from easel_common import callers, db
from easel_common.health import Check
from easel_common.logs import configure_logging
from easel_common.natsio import EndpointServer, ensure_streams
from easel_common.runner import run, serve, service_checks
from easel_common.tenants import open_bucket

MIGRATIONS = Path(__file__).parent / "migrations"


class AuthService:
    """Lifecycle: start() migrates, bootstraps the admin, records audit events and serves; stop() drains."""

    def __init__(self, settings: AuthSettings, nc: Client) -> None:
        self.settings = settings
        self.nc = nc
        self.engine = db.make_engine(settings.database_url)
        self.sessions = db.sessions(self.engine)
        secret = settings.caller_key.get_secret_value() if settings.caller_key else None
        self.issuer = callers.load_issuer(secret, settings.data_dir, settings.caller_statement_ttl_s)
        self.server = EndpointServer(nc, settings.names.service("auth"), "0.1.0", "users, roles and API keys",
                                     verifier=callers.Verifier(callers.public_key(self.issuer.public_key)))
        self.generated_admin_key: str | None = None
        self.audit = audit.AuditRecorder(nc, settings.names, self.sessions)

    async def start(self) -> None:
        await db.migrate(self.engine, MIGRATIONS, "alembic_version_auth")
        self.generated_admin_key = await bootstrap_admin(self.sessions, self.settings)
        # the audit stream, before its consumer
        await ensure_streams(self.nc, self.settings.names, ("audit",), replicas=self.settings.stream_replicas)
        await self.audit.start()
        # tenant states for the jobs service, written again at each start so the bucket never lags the table
        tenant_kv = await open_bucket(self.nc, self.settings.names)
        await tenants.publish_all(self.sessions, tenant_kv)
        await self.server.start(handlers.endpoints(self.settings, self.sessions, self.nc, self.issuer)
                                + audit.endpoints(self.settings.names, self.sessions)
                                + tenant_handlers.endpoints(self.settings, self.sessions, self.nc, tenant_kv))

    def checks(self) -> list[Check]:
        return service_checks(self.engine, self.server)

    async def stop(self) -> None:
        await self.server.stop()
        await self.audit.stop()
        await self.engine.dispose()


def main() -> None:
    if sys.argv[1:] == ["new-key"]:
        print(keys.new_key()[0])
        return
    if sys.argv[1:] == ["new-caller-key"]:  # EASEL_CALLER_KEY for auth, EASEL_CALLER_PUBLIC_KEY for the others
        secret = callers.new_private_key()
        print(f"EASEL_CALLER_KEY={secret}\nEASEL_CALLER_PUBLIC_KEY={callers.public_key_text(callers.private_key(secret))}")
        return
    settings = AuthSettings()
    configure_logging(settings.log_level)
    run(serve(settings, "easel-auth", lambda nc: AuthService(settings, nc), identity="auth"))
