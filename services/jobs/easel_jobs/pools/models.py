"""The pools table, owned by the jobs service beside the jobs queued to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from easel_common.db import UTCDateTime
from easel_jobs.models import Base


class PoolRow(Base):
    __tablename__ = "pools"
    # the deployment's namespace (EASEL_NAMESPACE): deployments sharing a database keep their own pools
    namespace: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    gpu_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    instance_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    node_selector: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    gpus_per_worker: Mapped[int] = mapped_column(Integer, default=1)
    min_workers: Mapped[int] = mapped_column(Integer, default=0)
    max_workers: Mapped[int] = mapped_column(Integer, default=1)
    queue_depth_target: Mapped[int] = mapped_column(Integer, default=2)
    cooldown_seconds: Mapped[int] = mapped_column(Integer, default=300)
    preload_models: Mapped[list[str]] = mapped_column(JSON, default=list)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(16), default="api")  # api | config (EASEL_POOLS, read-only)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
