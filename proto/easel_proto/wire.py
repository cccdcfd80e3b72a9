"""Encoding of messages on NATS: compact JSON of the generated pydantic types."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def encode(message: BaseModel) -> bytes:
    return message.model_dump_json(exclude_none=False).encode()


def decode(kind: type[M], data: bytes) -> M:
    return kind.model_validate_json(data)


def now() -> datetime:
    """The current time, timezone-aware, as every message timestamp is."""
    return datetime.now(UTC)
