"""The job table, owned by the jobs service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from easel_common.db import UTCDateTime

TERMINAL = ("succeeded", "failed", "canceled")
ACTIVE = ("queued", "starting", "processing")
ENDED_EARLY = ("failed", "canceled")  # a call's key derived by the gateway does not name such a job (service.py)


class Base(DeclarativeBase):
    pass


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("user_id", "idempotency_key", name="uq_jobs_user_idempotency"),
        Index("ix_jobs_user_created", "user_id", "created_at"),
        Index("ix_jobs_user_status", "user_id", "status"),
        Index("ix_jobs_tenant_finished", "tenant_id", "finished_at"),
        Index("ix_jobs_tenant_created", "tenant_id", "created_at"),  # usage.py
        Index("ix_jobs_pool_status_created", "pool", "status", "created_at"),  # service.queue_position
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36))
    tenant_id: Mapped[str] = mapped_column(String(64))
    pool: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    image_keys: Mapped[list[str]] = mapped_column(JSON)
    images: Mapped[int] = mapped_column(Integer, default=0)  # len(spec.seeds), summed by the daily image quota
    idempotency_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    request_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    worker_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    lease: Mapped[str | None] = mapped_column(String(64), nullable=True)  # SHA-256 of the current run's lease
    # the stream sequence of the queue message whose claim started the current run: only that message's
    # redelivery may restart it, and a handover deletes it from the stream
    queue_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    load_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    generation_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    steps_per_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    # canceled: the job's first images its run made before it stopped (the web UI's interrupt keeps them)
    images_kept: Mapped[int | None] = mapped_column(Integer, nullable=True)
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # images deleted (retention)
    model_id: Mapped[str | None] = mapped_column(String(64), nullable=True)  # a merge job's registered model
    callback_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)  # told when the job ends
