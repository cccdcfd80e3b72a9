"""Database engines and Alembic migrations for PostgreSQL (asyncpg) and SQLite (aiosqlite)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import DateTime, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.types import TypeDecorator


def make_engine(url: str) -> AsyncEngine:
    """An async engine; SQLite gets WAL and a busy timeout so services can share the file."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    engine = create_async_engine(url, pool_size=10, max_overflow=10)
    _ping_when_idle(engine)
    return engine


PING_IDLE_S = 5.0


def _ping_when_idle(engine: AsyncEngine, idle_s: float = PING_IDLE_S) -> None:
    """Check a pooled connection before lending it only when it has been idle `idle_s`, and replace it if it is
    dead (a database restart or failover)."""
    # pool_pre_ping pings before every use: on asyncpg that is BEGIN, ";" and ROLLBACK, three round trips, which
    # cost the jobs service a tenth of its CPU per job (bench/load.py). A connection that answered a moment ago is
    # as likely to be alive as one that answered a ping; either can still fail, and the caller's retry handles it.
    @event.listens_for(engine.sync_engine, "connect")
    def _connected(_dbapi_conn: Any, record: Any) -> None:
        record.info["used_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info["used_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _lent(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("used_at", 0.0) < idle_s:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # the pool discards it and lends a new connection
            raise DisconnectionError(str(exc)) from exc
        record.info["used_at"] = time.monotonic()


async def reachable(engine: AsyncEngine) -> bool:
    """Whether the database answers a trivial query (a readiness check)."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
    return True


def sessions(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


def autocommit(engine: AsyncEngine) -> AsyncEngine:
    """The same pool without transactions: each statement commits on its own, with no BEGIN or COMMIT round
    trip. For single statements (a guarded UPDATE ... RETURNING, an INSERT ... ON CONFLICT), which are atomic."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


class Lanes:
    """A few autocommit connections kept checked out between statements, for the single statements a service runs
    for every job (an insert, a claim, an end): `connect()` as on an engine.

    Lending a connection from SQLAlchemy's pool and taking it back costs more CPU than running such a statement
    (0.2 ms against 0.09 ms for the statement on a held connection, asyncpg), so a connection stays held while
    statements keep coming. One idle for `idle_s` goes back to the pool, which checks it (`_ping_when_idle`) before
    lending it again, and one whose statement failed goes back at once: a dead connection is never kept. At most
    `keep` are held (so a busy process may have that many connections open beyond those its pool keeps idle); more
    at once borrow from the pool as usual. SQLite (one writer, a file lock) always uses the pool.
    """

    def __init__(self, engine: AsyncEngine, keep: int = 2, idle_s: float = 1.0) -> None:
        self.engine, self.keep, self.idle_s = engine, keep, idle_s
        self._held = engine.dialect.name == "postgresql"
        self._idle: list[tuple[AsyncConnection, float]] = []  # (connection, when its last statement ended)
        self._trim: asyncio.TimerHandle | None = None

    @property
    def dialect(self) -> Any:
        return self.engine.dialect

    @contextlib.asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        if not self._held:
            async with self.engine.connect() as conn:
                yield conn
            return
        conn = None
        while self._idle and conn is None:
            candidate, used = self._idle.pop()
            if time.monotonic() - used < self.idle_s:
                conn = candidate
            else:
                await candidate.close()
        if conn is None:
            conn = await self.engine.connect()
        try:
            yield conn
        except BaseException:
            await asyncio.shield(conn.close())  # back to the pool, which resets (or discards) it
            raise
        if len(self._idle) >= self.keep:
            await conn.close()
            return
        self._idle.append((conn, time.monotonic()))
        if self._trim is None:
            self._trim = asyncio.get_running_loop().call_later(self.idle_s, self._release_idle)

    def _release_idle(self) -> None:
        """Give back the connections idle for `idle_s`; look again later while any is held."""
        self._trim = None
        now = time.monotonic()
        stale = [entry for entry in self._idle if now - entry[1] >= self.idle_s]
        self._idle = [entry for entry in self._idle if now - entry[1] < self.idle_s]
        for conn, _ in stale:
            task = asyncio.ensure_future(conn.close())
            task.add_done_callback(lambda t: t.cancelled() or t.exception())  # a dead one: nothing to tell
        if self._idle:
            self._trim = asyncio.get_running_loop().call_later(self.idle_s, self._release_idle)

    async def aclose(self) -> None:
        """Give back every held connection (before the engine is disposed)."""
        if self._trim is not None:
            self._trim.cancel()
            self._trim = None
        idle, self._idle = self._idle, []
        for conn, _ in idle:
            with contextlib.suppress(Exception):
                await conn.close()


def _upgrade(conn: Connection, script_location: Path, version_table: str, attributes: dict[str, Any]) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.attributes.update(attributes)
    cfg.attributes["connection"] = conn
    cfg.attributes["version_table"] = version_table
    if conn.dialect.name == "postgresql":
        # replicas starting together must not run the same migration twice
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:t))"), {"t": version_table})
    command.upgrade(cfg, "head")


async def migrate(engine: AsyncEngine, script_location: Path, version_table: str, **attributes: Any) -> None:
    """Bring a service's tables to the newest Alembic revision; `attributes` reach the migrations
    (`context.config.attributes`), e.g. the key a migration seals secrets with."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade, script_location, version_table, attributes)


def run_migrations_online(context: Any, target_metadata: Any = None) -> None:
    """The body of every service's migrations/env.py."""
    conn = context.config.attributes["connection"]
    context.configure(
        connection=conn, target_metadata=target_metadata,
        version_table=context.config.attributes["version_table"],
        render_as_batch=conn.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


class UTCDateTime(TypeDecorator):
    """A timezone-aware timestamp on every backend (SQLite returns naive values otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value
