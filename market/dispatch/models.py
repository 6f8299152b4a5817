"""Morning dispatch proposals sent to workers."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Index,
    String,
)
from sqlmodel import Field, SQLModel

from market.types import UTCDateTime, utcnow


class ProposalStatus(StrEnum):
    proposed = "proposed"  # sent to the worker's phone
    accepted = "accepted"  # the worker took it: hired through the normal claim/confirm path
    declined = "declined"


class DispatchProposal(SQLModel, table=True):
    """One assignment of a morning dispatch plan, offered to the worker."""

    __tablename__ = "dispatch_proposal"
    __table_args__ = (
        Index("ix_dispatch_proposal_worker_status", "worker_id", "status"),
        Index("ix_dispatch_proposal_day", "day", "district"),
    )

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id", index=True)
    worker_id: int = Field(foreign_key="user.id")
    day: date = Field(sa_type=Date)
    district: str = Field(default="", sa_type=String(40))
    score: float
    reason: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=ProposalStatus.proposed, sa_type=String(16))
    sent_by: int = Field(foreign_key="user.id")
    application_id: int | None = Field(default=None, foreign_key="application.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
