"""The outbox: every state change's event, written in the change's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Integer,
    String,
)
from sqlmodel import Field, SQLModel

from market.types import UTCDateTime, utcnow


class Event(SQLModel, table=True):
    """The transactional outbox: written in the same transaction as the change it reports.

    `seq` is left empty by the writer and assigned, gap-free and in order, by the relay
    that publishes events; clients resume from the last `seq` they saw.
    """

    id: int | None = Field(default=None, primary_key=True)
    seq: int | None = Field(
        default=None, sa_column=Column("seq", Integer, nullable=True, unique=True)
    )
    kind: str = Field(sa_type=String(40), index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    job_id: int | None = Field(default=None, index=True)
    worker_id: int | None = Field(default=None, index=True)
    employer_id: int | None = Field(default=None, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
