"""The standby list (候补) of a filled job, and the offers of a freed place made from it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from market.types import UTCDateTime, utcnow


class StandbyStatus(StrEnum):
    waiting = "waiting"  # on the list, in the order joined
    offered = "offered"  # a freed place is held for this worker until `offer_deadline`
    accepted = "accepted"  # took the place: hired through the claim path
    declined = "declined"  # turned the offer down
    expired = "expired"  # let the offer's deadline pass
    left = "left"  # took themselves off the list
    closed = "closed"  # the job started, finished or was called off first


class Standby(SQLModel, table=True):
    """One worker's place on one job's standby list."""

    __table_args__ = (
        UniqueConstraint("job_id", "worker_id"),
        Index("ix_standby_job_status", "job_id", "status", "created_at"),
        Index("ix_standby_status_deadline", "status", "offer_deadline"),
        Index("ix_standby_worker", "worker_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id")
    worker_id: int = Field(foreign_key="user.id")
    status: str = Field(default=StandbyStatus.waiting, sa_type=String(16))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    offered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    offer_deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    application_id: int | None = Field(default=None, foreign_key="application.id")
