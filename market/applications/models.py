"""Applications (claims and hires) and the ratings both sides leave."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Index,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from market.errors import N_
from market.types import UTCDateTime, utcnow


class ApplicationStatus(StrEnum):
    applied = "applied"  # waiting for the employer
    confirmed = "confirmed"  # hired: contact details are shared
    declined = "declined"  # employer said no
    withdrawn = "withdrawn"  # worker took back an application before confirmation
    cancelled = "cancelled"  # a confirmed hire called off by either side
    completed = "completed"
    no_show = "no_show"


# how a status reads inside a sentence shown to a person
STATUS_LABELS = {
    "open": N_("open"),
    "filled": N_("full"),
    "cancelled": N_("cancelled"),
    "completed": N_("completed"),
    "applied": N_("waiting for the employer"),
    "confirmed": N_("confirmed"),
    "declined": N_("declined"),
    "withdrawn": N_("withdrawn"),
    "no_show": N_("marked as no-show"),
}


class AgreedTerms(SQLModel):
    """What the worker accepted: copied from the job when they apply, claim or accept new terms.

    Before a hire the employer's worse terms send the application back to its worker; after
    it the pay only goes up (the raise is copied here) and the place never moves. So this,
    not the job's current text, is what the worker is owed and where they go.
    """

    agreed_wage: int = Field(description="CNY per shift the worker accepted")
    agreed_start_at: datetime = Field(sa_type=UTCDateTime)
    agreed_end_at: datetime = Field(sa_type=UTCDateTime)
    agreed_address: str = Field(max_length=200, sa_type=String(200))
    agreed_lat: float
    agreed_lon: float
    agreed_trade: str = Field(max_length=24, sa_type=String(24))
    # the job's terms version the worker accepted, and when (`Job.terms_version`)
    terms_version: int
    terms_accepted_at: datetime = Field(sa_type=UTCDateTime)
    # at the hire: the pay and the job's terms version (the pay never goes below it)
    confirmed_wage: int | None = None
    confirmed_terms_version: int | None = None


class Application(AgreedTerms, table=True):
    __table_args__ = (
        UniqueConstraint("job_id", "worker_id"),
        Index("ix_application_worker_shift", "worker_id", "status", "shift_start"),
        # covers the staff statistics' reads of a period's applications (index-only scans)
        Index(
            "ix_application_job_stats",
            "job_id",
            "status",
            "worker_id",
            "decided_at",
            "cancelled_by",
            "distance_km",
        ),
        Index("ix_application_updated", "updated_at"),
        # the few called-off and no-show rows the summary counts, without the rest
        Index("ix_application_status_stats", "status", "job_id", "cancelled_by", "decided_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id", index=True)
    worker_id: int = Field(foreign_key="worker.user_id")
    status: str = Field(sa_type=String(16))
    # the job's shift, copied so a worker's clashes are one indexed query
    shift_start: datetime = Field(sa_type=UTCDateTime)
    shift_end: datetime = Field(sa_type=UTCDateTime)
    distance_km: float | None = None
    cancel_reason: str | None = Field(default=None, sa_type=String(200))
    cancelled_by: str | None = Field(default=None, sa_type=String(16))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Rating(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("application_id", "from_user_id"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars"),
    )

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    from_user_id: int = Field(foreign_key="user.id")
    to_user_id: int = Field(foreign_key="user.id", index=True)
    stars: int
    comment: str = Field(default="", sa_type=String(200))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# applications that hold one of the job's slots: hired, whatever came of the shift
HIRED = (ApplicationStatus.confirmed, ApplicationStatus.completed, ApplicationStatus.no_show)
