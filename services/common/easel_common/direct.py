"""Statements built once, run straight on the asyncpg connection beneath an autocommit SQLAlchemy connection.

For the few statements a service runs for every job (jobs: an insert, a claim, an end; auth: a batch of audit
rows), SQLAlchemy's work per execution (execution context, parameter dictionaries, events, result set-up) cost more
CPU than asyncpg's own (bench/load.py). Here SQLAlchemy compiles such a statement once, and each execution sends that
SQL text with the values bound by SQLAlchemy's own bind processors (JSON, timestamps) and reads the RETURNING row
back through the columns' result processors: the same statement, the same values and the same row as `execute`.

Only on PostgreSQL and on a connection in autocommit (db.autocommit, db.Lanes), where the statement stands alone;
anywhere else (SQLite, a session's transaction) `run` and `run_many` go through `execute` as before.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Executable, Insert
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession


class Direct:
    """A statement compiled once for a dialect. `columns`: the value names an INSERT is compiled for."""

    def __init__(self, stmt: Executable, dialect: Dialect, columns: tuple[str, ...] | None = None) -> None:
        compiled = stmt.compile(dialect=dialect, column_keys=list(columns) if columns is not None else None)
        if compiled.post_compile_params or compiled.insert_prefetch or compiled.update_prefetch:
            raise ValueError("a direct statement binds every value itself: no expanding lists or Python defaults")
        self.sql = compiled.string
        self.defaults = compiled.construct_params(_check=False)  # the values built into the statement
        self.binds: tuple[tuple[str, Callable[[Any], Any] | None], ...] = tuple(
            (key, compiled.binds[key].type.dialect_impl(dialect).bind_processor(dialect))
            for key in compiled.positiontup)
        returned = list(stmt.exported_columns) if getattr(stmt, "_returning", None) else []
        self.row = namedtuple("Returned", [c.key for c in returned]) if returned else None  # noqa: PYI024
        self.results = tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in returned)

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        values = []
        for key, process in self.binds:
            value = params[key] if key in params else self.defaults[key]
            values.append(process(value) if process is not None else value)
        return values

    def returned(self, record: Any) -> tuple | None:
        if record is None or self.row is None:
            return None
        return self.row(*(value if process is None else process(value)
                          for value, process in zip(record, self.results, strict=True)))


_COMPILED: dict[tuple[int, str, tuple[str, ...] | None], tuple[Executable, Direct]] = {}


def _direct(conn: AsyncConnection, stmt: Executable, columns: tuple[str, ...] | None) -> Direct:
    key = (id(stmt), conn.dialect.name, columns)
    found = _COMPILED.get(key)
    if found is None or found[0] is not stmt:  # (the statement is kept with it, so its id is never reused)
        found = _COMPILED[key] = (stmt, Direct(stmt, conn.dialect, columns))
    return found[1]


def _applies(db: AsyncConnection | AsyncSession) -> bool:
    return (isinstance(db, AsyncConnection) and db.dialect.name == "postgresql"
            and db.sync_connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT")


async def run(db: AsyncConnection | AsyncSession, stmt: Executable, params: Mapping[str, Any]) -> tuple | None:
    """Execute a statement built once (a module-level one, or one cached) with `params`: its first returned row
    (attributes by column name), None when it returned none or returns nothing."""
    if not _applies(db):
        result = await db.execute(stmt, dict(params))
        return result.first() if result.returns_rows else None
    direct = _direct(db, stmt, tuple(params) if isinstance(stmt, Insert) else None)
    args = direct.arguments(params)
    if direct.row is None:
        await _on_driver(db, lambda driver: driver.execute(direct.sql, *args))
        return None
    return direct.returned(await _on_driver(db, lambda driver: driver.fetchrow(direct.sql, *args)))


async def run_many(db: AsyncConnection | AsyncSession, stmt: Executable, rows: Sequence[Mapping[str, Any]]) -> None:
    """Execute a statement that returns nothing once per row, in one round trip; every row names the same values."""
    if not rows:
        return
    if not _applies(db):
        await db.execute(stmt, [dict(r) for r in rows])
        return
    direct = _direct(db, stmt, tuple(rows[0]) if isinstance(stmt, Insert) else None)
    await _on_driver(db, lambda driver: driver.executemany(direct.sql, [direct.arguments(r) for r in rows]))


async def _on_driver(db: AsyncConnection, call: Callable[[Any], Any]) -> Any:
    proxied = db.sync_connection.connection
    driver = proxied.driver_connection  # the asyncpg connection this one holds
    try:
        return await call(driver)
    except Exception as exc:
        if driver.is_closed():
            # the database dropped it: as SQLAlchemy does on a disconnect, this connection is never lent again and
            # the pool's others, older than now, are replaced when next lent (a restart dropped them too)
            db.sync_engine.pool._invalidate(proxied, exc, _checkin=False)
            await db.invalidate(exc)
        raise
