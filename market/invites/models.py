"""Both sides choose: an employer's invites to a job, the rehire list (常用工友), blocks."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from market.types import UTCDateTime, utcnow


class InviteStatus(StrEnum):
    invited = "invited"  # waiting for the worker's answer
    accepted = "accepted"  # the worker took it: hired through the claim and confirm path
    declined = "declined"  # the worker said no
    expired = "expired"  # the job filled, closed or started first, or one side blocked


class Invite(SQLModel, table=True):
    """An employer's invitation of one worker to one open job (one per worker and job)."""

    __tablename__ = "job_invite"
    __table_args__ = (
        UniqueConstraint("job_id", "worker_id"),
        Index("ix_job_invite_worker_status", "worker_id", "status"),
        Index("ix_job_invite_job_status", "job_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id")
    worker_id: int = Field(foreign_key="user.id")
    employer_id: int = Field(foreign_key="user.id")
    status: str = Field(default=InviteStatus.invited, sa_type=String(16))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    application_id: int | None = Field(default=None, foreign_key="application.id")


class Block(SQLModel, table=True):
    """`blocker_id` wants nothing more to do with `blocked_id` (a worker and an employer)."""

    __tablename__ = "user_block"
    __table_args__ = (Index("ix_user_block_blocked", "blocked_id"),)

    blocker_id: int = Field(foreign_key="user.id", primary_key=True)
    blocked_id: int = Field(foreign_key="user.id", primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Rehire(SQLModel, table=True):
    """A worker on an employer's rehire list (常用工友), added after a completed shift."""

    __table_args__ = (Index("ix_rehire_worker", "worker_id"),)

    employer_id: int = Field(foreign_key="user.id", primary_key=True)
    worker_id: int = Field(foreign_key="user.id", primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
