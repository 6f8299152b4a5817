"""Stored answers to requests sent with an Idempotency-Key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    String,
)
from sqlmodel import Field, SQLModel

from market.types import UTCDateTime, utcnow


class IdempotencyRecord(SQLModel, table=True):
    """The answer to a write sent with an Idempotency-Key, replayed when it is retried (24 h)."""

    __tablename__ = "idempotency_key"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    route: str = Field(sa_type=String(80), primary_key=True)  # "POST /api/v1/jobs"
    key: str = Field(sa_type=String(100), primary_key=True)
    request_hash: str = Field(sa_type=String(64))
    status_code: int
    body: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
