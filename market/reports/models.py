"""Wage-arrears and scam reports, their photos and staff notes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    Index,
    LargeBinary,
    String,
)
from sqlmodel import Field, SQLModel

from market.types import UTCDateTime, utcnow


class ReportKind(StrEnum):
    unpaid = "unpaid"  # wage arrears: worked, not paid
    fake_job = "fake_job"  # the job did not exist or was not as posted


class ReportStatus(StrEnum):
    open = "open"  # waiting for staff
    in_progress = "in_progress"  # staff are contacting both sides
    resolved = "resolved"


class ReportOutcome(StrEnum):
    paid = "paid"  # the employer paid after the union stepped in
    mediated = "mediated"  # a settlement both sides accepted
    legal_aid = "legal_aid"  # referred to legal aid
    unfounded = "unfounded"  # the report did not hold up


# outcomes that count against the employer in the reliability shown to workers
UPHELD_OUTCOMES = (ReportOutcome.paid, ReportOutcome.mediated, ReportOutcome.legal_aid)


class Report(SQLModel, table=True):
    """A worker's wage-arrears or scam report on a job they were hired for."""

    __table_args__ = (
        CheckConstraint("agreed_wage > 0", name="agreed_wage"),
        CheckConstraint("work_from <= work_to", name="dates"),
        Index("ix_report_status_created", "status", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="user.id", index=True)
    employer_id: int = Field(foreign_key="user.id", index=True)
    job_id: int = Field(foreign_key="job.id", index=True)
    application_id: int = Field(foreign_key="application.id")
    kind: str = Field(sa_type=String(16))
    agreed_wage: int
    work_from: date = Field(sa_type=Date)
    work_to: date = Field(sa_type=Date)
    description: str = Field(default="", sa_type=String(2000))
    has_photo: bool = False
    # the job record as it stood when the report was made: posting, hire, times, wage
    job_record: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=ReportStatus.open, sa_type=String(16))
    outcome: str | None = Field(default=None, sa_type=String(16))
    outcome_note: str = Field(default="", sa_type=String(2000))
    handled_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # set on an arrears case the work record opened by itself (market/work/arrears.py): the
    # hire whose attendance and payments are the evidence; unique, so one case per hire
    work_record_id: int | None = Field(default=None, foreign_key="application.id", unique=True)


class ReportPhoto(SQLModel, table=True):
    """The photo of a report, in the database so every app replica can serve it."""

    __tablename__ = "report_photo"

    report_id: int = Field(foreign_key="report.id", primary_key=True, ondelete="CASCADE")
    content_type: str = Field(sa_type=String(32))
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class ReportNote(SQLModel, table=True):
    """Staff's log of contacting the two sides of a report."""

    __tablename__ = "report_note"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True, ondelete="CASCADE")
    staff_id: int = Field(foreign_key="user.id")
    text: str = Field(sa_type=String(2000))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
