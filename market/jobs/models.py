"""Jobs employers post, and the certificates each requires."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime
from sqlalchemy import (
    CheckConstraint,
    Index,
    String,
)
from sqlmodel import Field, SQLModel

from market.fields import MAX_HEADCOUNT, MAX_WAGE, MIN_WAGE, Latitude, Longitude
from market.types import UTCDateTime, utcnow


class JobStatus(StrEnum):
    open = "open"  # taking applications, slots left
    filled = "filled"  # every slot confirmed; reopens when a hire is cancelled
    cancelled = "cancelled"
    completed = "completed"


class JobBase(SQLModel):
    """What an employer says about a job: written once for the table, the inputs and the API."""

    trade: str = Field(max_length=24, sa_type=String(24), index=True)
    title: str = Field(min_length=2, max_length=80, sa_type=String(80))
    description: str = Field(default="", max_length=2000, sa_type=String(2000))
    lat: Latitude
    lon: Longitude
    address: str = Field(min_length=2, max_length=200, sa_type=String(200))
    district: str = Field(default="", max_length=40, sa_type=String(40), index=True)
    start_at: AwareDatetime = Field(sa_type=UTCDateTime)
    end_at: AwareDatetime = Field(sa_type=UTCDateTime)
    headcount: int = Field(ge=1, le=MAX_HEADCOUNT)
    wage: int = Field(ge=MIN_WAGE, le=MAX_WAGE, description="CNY per worker per shift")
    instant: bool = False  # 抢单: a claim is a hire, no employer confirmation


class Job(JobBase, table=True):
    __table_args__ = (
        CheckConstraint("confirmed_count >= 0 AND confirmed_count <= headcount", name="slots"),
        CheckConstraint("headcount BETWEEN 1 AND 500", name="headcount"),
        CheckConstraint("start_at < end_at", name="shift"),
        CheckConstraint("wage > 0", name="wage"),
        Index("ix_job_open_area", "status", "lat", "lon"),
        Index("ix_job_status_start", "status", "start_at"),
        # staff statistics select jobs by posting time (see market/stats/)
        Index("ix_job_created_trade", "created_at", "trade", "district"),
        # the statistics rollup finds old jobs changed since its last refresh
        Index("ix_job_updated", "updated_at"),
        # the statistics' exact medians of hours to first hire / to full, index-only
        Index("ix_job_stats_times", "created_at", "first_hire_at", "filled_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    employer_id: int = Field(foreign_key="employer.user_id", index=True)
    status: str = Field(default=JobStatus.open, sa_type=String(16))
    confirmed_count: int = 0
    cancel_reason: str | None = Field(default=None, sa_type=String(200))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    first_hire_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    filled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # set by union staff: the job leaves every feed and takes no claims; the employer sees why
    hidden_reason: str | None = Field(default=None, sa_type=String(200))
    # goes up each time the pay is cut or the place or shift moves: pending applications
    # accepted an older version and go back to their workers (market/applications/terms.py)
    terms_version: int = 1


class JobCertificate(SQLModel, table=True):
    __tablename__ = "job_certificate"

    job_id: int = Field(foreign_key="job.id", primary_key=True, ondelete="CASCADE")
    code: str = Field(sa_type=String(24), primary_key=True)
