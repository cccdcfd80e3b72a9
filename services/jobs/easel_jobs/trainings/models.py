"""The trainings table, owned by the jobs service beside its jobs (one service for GPU work records and quotas)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from easel_common.db import UTCDateTime
from easel_jobs.models import Base

ACTIVE = ("queued", "preparing", "starting", "running")
LAUNCHED = ("starting", "running")
TERMINAL = ("succeeded", "failed", "canceled")


class Training(Base):
    __tablename__ = "trainings"
    __table_args__ = (
        UniqueConstraint("user_id", "idempotency_key", name="uq_trainings_user_idempotency"),
        Index("ix_trainings_user_created", "user_id", "created_at"),
        Index("ix_trainings_tenant_created", "tenant_id", "created_at"),
        Index("ix_trainings_status_created", "status", "created_at"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36))
    tenant_id: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(200))
    pool: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))  # the model it registers
    base_model_id: Mapped[str] = mapped_column(String(64))
    dataset_id: Mapped[str] = mapped_column(String(64))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)  # the user's TrainingRequest
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)  # the TrainingSpec the run gets
    # base ModelInfo, dataset files, class images (a class dataset's, and the state of those it generates)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    lease: Mapped[str | None] = mapped_column(String(64), nullable=True)  # SHA-256 of the launched run's lease
    launcher: Mapped[str | None] = mapped_column(String(16), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # processes or pods started for the launched run
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    step: Mapped[int] = mapped_column(Integer, default=0)
    total_steps: Mapped[int | None] = mapped_column(Integer, nullable=True)
    samples: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    artefact: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # the run's result, to register
    # the models kept at checkpoint steps: [{step, artefact, model_id}], registrable on request
    checkpoints: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    model_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    gpu_s: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # launched
    running_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # the trainer started
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
