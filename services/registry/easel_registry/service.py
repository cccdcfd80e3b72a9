"""Data functions over the model table: keyword-only, verb-named, one session each."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from easel_proto.errors import Conflict
from easel_proto.v1.common import Error
from easel_proto.v1.registry import ModelFile, ModelInfo
from easel_registry.models import FAILED, IMPORTING, READY, Model

TITLE = re.compile(r"^(?P<name>.+) \[(?P<short>[0-9a-f]{8})\]$")
_SHORT = re.compile(r"^[0-9a-f]{8}$")


def now() -> datetime:
    return datetime.now(UTC)


def title(model: Model) -> str | None:
    return f"{model.name} [{model.short_hash}]" if model.short_hash else None


def to_info(model: Model) -> ModelInfo:
    source = model.source
    if model.status == READY and model.files:
        # where the weights live: the folder of the model's files in Easel's store (workers read only there)
        first = model.files[0]
        source = "store://" + first["key"][: -len(first["path"])].rstrip("/")
    return ModelInfo(
        id=model.id, name=model.name, kind=model.kind, base=model.base, source=source, sha256=model.sha256,
        format=model.format, files=[ModelFile(**f) for f in model.files or []], size=model.size,
        title=title(model), owner_id=model.owner_id, tenant_id=model.tenant_id, visibility=model.visibility,
        shared_roles=model.shared_roles or [], status=model.status,
        error=Error(**model.error) if model.error else None, bytes_done=model.bytes_done,
        bytes_total=model.bytes_total, metadata={**(model.meta or {}), "imported_from": model.source},
        created_at=model.created_at,
        default_width=1024 if model.base == "sdxl" else 768 if model.base == "sd21" else 512,
        default_height=1024 if model.base == "sdxl" else 768 if model.base == "sd21" else 512,
    )


async def get(session: AsyncSession, *, model_id: str) -> Model | None:
    return await session.get(Model, model_id)


async def find(session: AsyncSession, *, ref: str, tenant_id: str) -> list[Model]:
    """Models in the tenant whose id, name, title or short hash is `ref` (one indexed query)."""
    clauses = [Model.id == ref, Model.name == ref]
    if _SHORT.match(ref):
        clauses.append(Model.short_hash == ref)
    if match := TITLE.match(ref):
        clauses.append((Model.name == match["name"]) & (Model.short_hash == match["short"]))
    rows = await session.scalars(select(Model).where(Model.tenant_id == tenant_id, or_(*clauses))
                                 .order_by(Model.created_at.desc()).limit(50))
    return list(rows)


async def list_in_tenant(session: AsyncSession, *, tenant_id: str, kind: str | None, base: str | None,
                         limit: int = 1000) -> list[Model]:
    query = select(Model).where(Model.tenant_id == tenant_id)
    if kind:
        query = query.where(Model.kind == kind)
    if base:
        query = query.where(Model.base == base)
    return list(await session.scalars(query.order_by(Model.created_at.desc()).limit(limit)))


async def find_ready_by_sha(session: AsyncSession, *, tenant_id: str, sha256: str,
                            exclude_id: str) -> Model | None:
    return await session.scalar(select(Model).where(
        Model.tenant_id == tenant_id, Model.sha256 == sha256, Model.status == READY, Model.id != exclude_id,
    ).limit(1))


async def keys_in_use(session: AsyncSession, *, tenant_id: str, sha256: str | None, exclude_id: str) -> set[str]:
    """Object keys other ready models of the tenant still point at (deduplicated imports share files)."""
    if not sha256:
        return set()
    rows = await session.scalars(select(Model).where(
        Model.tenant_id == tenant_id, Model.sha256 == sha256, Model.id != exclude_id))
    return {f["key"] for m in rows for f in m.files or []}


async def create(session: AsyncSession, *, model: Model) -> Model:
    """Record the model; Conflict naming `name` when its owner already has a model of that kind and name."""
    session.add(model)
    await commit_named(session, model)
    return model


async def commit_named(session: AsyncSession, model: Model) -> None:
    """Commit, turning the unique (owner, kind, name) index's refusal into a 409 naming `name` (the index, not a
    read before the write, decides: two requests at once cannot both win)."""
    tenant_id, owner_id, kind, name, model_id = model.tenant_id, model.owner_id, model.kind, model.name, model.id
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        other = await named(session, tenant_id=tenant_id, owner_id=owner_id, kind=kind, name=name)
        if other is None or other == model_id:
            raise
        raise Conflict(f"name: you already have a {kind} model named {name!r}", field="name",
                       model_id=other) from None


async def named(session: AsyncSession, *, tenant_id: str, owner_id: str, kind: str, name: str) -> str | None:
    """The id of the owner's model of this kind and name (a failed import does not hold its name)."""
    return await session.scalar(select(Model.id).where(
        Model.tenant_id == tenant_id, Model.owner_id == owner_id, Model.kind == kind, Model.name == name,
        Model.status != FAILED))


async def set_progress(session: AsyncSession, *, model_id: str, done: int, total: int | None) -> None:
    await session.execute(update(Model).where(Model.id == model_id, Model.status == IMPORTING)
                          .values(bytes_done=done, bytes_total=total, updated_at=now()))
    await session.commit()


async def finish(session: AsyncSession, *, model_id: str, values: dict[str, Any]) -> bool:
    """importing -> ready with the files; False when the row changed meanwhile (deleted)."""
    result = await session.execute(update(Model).where(Model.id == model_id, Model.status == IMPORTING)
                                   .values(status=READY, updated_at=now(), announce=True, **values))
    await session.commit()
    return result.rowcount == 1


async def fail(session: AsyncSession, *, model_id: str, error: Error) -> None:
    await session.execute(update(Model).where(Model.id == model_id, Model.status == IMPORTING)
                          .values(status=FAILED, error=error.model_dump(), updated_at=now(), announce=True))
    await session.commit()


async def fail_stale(session: AsyncSession, *, older_than_s: float) -> list[str]:
    """Imports whose progress stopped (their registry died) become failed; nothing vanishes."""
    cutoff = now() - timedelta(seconds=older_than_s)
    ids = list(await session.scalars(select(Model.id).where(Model.status == IMPORTING, Model.updated_at < cutoff)))
    if ids:
        error = Error(code="interrupted", message="interrupted; import again").model_dump()
        await session.execute(update(Model).where(Model.id.in_(ids), Model.status == IMPORTING)
                              .values(status=FAILED, error=error, updated_at=now(), announce=True))
        await session.commit()
    return ids


async def delete(session: AsyncSession, *, model: Model) -> None:
    await session.delete(model)
    await session.commit()
