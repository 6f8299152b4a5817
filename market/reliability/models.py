"""Strikes against a worker's reliability, the worker's appeals against them, and the
employer's late call-offs, which count against the employer the same way."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from market.types import UTCDateTime, utcnow


class StrikeKind(StrEnum):
    late_cancel = "late_cancel"  # the worker called a confirmed hire off at short notice
    no_show = "no_show"  # the employer marked the worker absent


class Strike(SQLModel, table=True):
    """One strike, written with the call-off or the no-show that caused it."""

    __table_args__ = (Index("ix_strike_worker", "worker_id", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="user.id")
    application_id: int = Field(foreign_key="application.id", unique=True)
    job_id: int = Field(foreign_key="job.id")
    kind: str = Field(sa_type=String(16))
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    # a late call-off: how many hours before the shift's start it came
    hours_before: float | None = None
    # an upheld appeal voids the strike: it no longer counts, whatever the clean shifts
    voided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AppealStatus(StrEnum):
    open = "open"
    upheld = "upheld"  # the strike is voided
    rejected = "rejected"  # the strike stands


class StrikeAppeal(SQLModel, table=True):
    """A worker's appeal against one strike (one each), and the staff's decision on it."""

    __tablename__ = "strike_appeal"
    __table_args__ = (Index("ix_strike_appeal_status", "status", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    strike_id: int = Field(foreign_key="strike.id", unique=True)
    worker_id: int = Field(foreign_key="user.id", index=True)
    text: str = Field(sa_type=String(300))
    status: str = Field(default=AppealStatus.open, sa_type=String(16))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_reason: str = Field(default="", sa_type=String(300))


class EmployerStrike(SQLModel, table=True):
    """An employer called off confirmed work at short notice: one hire, or a whole job."""

    __tablename__ = "employer_strike"
    __table_args__ = (Index("ix_employer_strike_employer", "employer_id", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    employer_id: int = Field(foreign_key="user.id")
    job_id: int = Field(foreign_key="job.id")
    # the hire called off; None when the employer cancelled the whole job
    application_id: int | None = Field(default=None, foreign_key="application.id")
    hired: int = 1  # how many confirmed workers lost the shift by it
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    hours_before: float
