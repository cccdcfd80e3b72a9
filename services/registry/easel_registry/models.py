"""The model table, owned by the registry service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, String, false, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from easel_common.db import UTCDateTime

IMPORTING, READY, FAILED = "importing", "ready", "failed"


class Base(DeclarativeBase):
    pass


class Model(Base):
    __tablename__ = "models"
    __table_args__ = (
        # the lookup on every job submission matches one of these, then checks access on the few rows found
        Index("ix_models_name", "name"),
        Index("ix_models_short_hash", "short_hash"),
        Index("ix_models_tenant_sha", "tenant_id", "sha256"),
        Index("ix_models_tenant_created", "tenant_id", "created_at"),
        Index("ix_models_status_updated", "status", "updated_at"),
        # one owner's models of a kind have distinct names (`<lora:name>` picks one); a failed import holds none
        Index("ux_models_owner_kind_name", "tenant_id", "owner_id", "kind", "name", unique=True,
              postgresql_where=text("status <> 'failed'"), sqlite_where=text("status <> 'failed'")),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    base: Mapped[str] = mapped_column(String(16))
    format: Mapped[str | None] = mapped_column(String(16), nullable=True)
    source: Mapped[str] = mapped_column(String(2048))  # never holds a token or a URL's query string
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    short_hash: Mapped[str | None] = mapped_column(String(8), nullable=True)
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    visibility: Mapped[str] = mapped_column(String(8))
    shared_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    bytes_done: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes_total: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the import ended and its end is not published yet (set with the status, cleared once JetStream stored the event)
    announce: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), index=True)


class Dataset(Base):
    """A set of training images (re-encoded PNGs, with captions) under `{tenant}/datasets/{id}/`; the same access
    rules as a model (access.py)."""

    __tablename__ = "datasets"
    __table_args__ = (Index("ix_datasets_tenant_created", "tenant_id", "created_at"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(200))
    visibility: Mapped[str] = mapped_column(String(8))
    shared_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    images: Mapped[int] = mapped_column(BigInteger)
    min_side: Mapped[int] = mapped_column(BigInteger)
    size: Mapped[int] = mapped_column(BigInteger)
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Upload(Base):
    """A model upload started (POST /v1/models/uploads) whose file is at `{tenant}/uploads/{user}/{id}` once PUT; the
    row goes when an import of it succeeds, when its import is refused for a taken name, or when it is swept
    (`touched_at`, its start or its last import, older than EASEL_UPLOAD_ABANDON_S: uploads.py)."""

    __tablename__ = "uploads"
    __table_args__ = (Index("ix_uploads_touched", "touched_at"), Index("ix_uploads_tenant", "tenant_id"))
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    touched_at: Mapped[datetime] = mapped_column(UTCDateTime)
