"""A worker's profile: trades, certificates, home, radius and when they can work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Index,
    String,
)
from sqlmodel import Field, SQLModel

from market.fields import MAX_WAGE, Latitude, Longitude, Radius
from market.types import UTCDateTime, utcnow


class WorkerProfileBase(SQLModel):
    """Where a worker lives and what they accept: for the table, the profile form and the API."""

    home_lat: Latitude | None = None
    home_lon: Longitude | None = None
    district: str = Field(default="", max_length=40, sa_type=String(40))
    radius_km: Radius = 10.0
    min_wage: int = Field(default=0, ge=0, le=MAX_WAGE)


class WorkerProfile(WorkerProfileBase, table=True):
    __tablename__ = "worker"
    __table_args__ = (
        CheckConstraint("radius_km > 0 AND radius_km <= 100", name="radius"),
        CheckConstraint("min_wage >= 0", name="min_wage"),
        # supply per district for the staff statistics, read from the index alone
        Index("ix_worker_stats", "user_id", "district"),
        Index("ix_worker_updated", "updated_at"),
    )

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    available_now: bool = Field(default=False, index=True)
    now_lat: float | None = None
    now_lon: float | None = None
    now_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    confirmed_total: int = 0
    completed_total: int = 0
    no_show_total: int = 0
    rating_sum: int = 0
    rating_count: int = 0
    # bumped by every hire of this worker: the row lock that serialises their bookings
    lock_version: int = 0
    # stamped when the district or the trades change (not by hires, which the rollup sees
    # through applications): the statistics rollup re-reads these workers' supply. On the
    # worker, not on worker_trade, because a trade taken away leaves no row to stamp.
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkerTrade(SQLModel, table=True):
    __tablename__ = "worker_trade"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 3", name="level"),)

    worker_id: int = Field(foreign_key="worker.user_id", primary_key=True, ondelete="CASCADE")
    trade: str = Field(sa_type=String(24), primary_key=True, index=True)
    level: int = 1


class WorkerCertificate(SQLModel, table=True):
    __tablename__ = "worker_certificate"

    worker_id: int = Field(foreign_key="worker.user_id", primary_key=True, ondelete="CASCADE")
    code: str = Field(sa_type=String(24), primary_key=True)


class WeeklyAvailability(SQLModel, table=True):
    """A recurring window in local time: weekday 0 = Monday, minutes since midnight."""

    __tablename__ = "weekly_availability"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute",
            name="minutes",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="worker.user_id", index=True, ondelete="CASCADE")
    weekday: int
    start_minute: int
    end_minute: int


class AvailableDay(SQLModel, table=True):
    """A specific window the worker offers, on top of the weekly pattern."""

    __tablename__ = "available_day"
    __table_args__ = (CheckConstraint("start_at < end_at", name="order"),)

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="worker.user_id", index=True, ondelete="CASCADE")
    start_at: datetime = Field(sa_type=UTCDateTime)
    end_at: datetime = Field(sa_type=UTCDateTime)


class WorkerIdentity(SQLModel, table=True):
    """A worker's legal name and 身份证 number, given by choice for evidence and legal aid.

    Apart from the profile so that nothing that shows a worker to an employer can read it by
    accident; the number is stored only encrypted (market/workers/identity.py).
    """

    __tablename__ = "worker_identity"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    legal_name: str = Field(sa_type=String(50))
    id_number_encrypted: str = Field(sa_type=String(255))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
