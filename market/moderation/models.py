"""The log of staff moderation actions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    String,
)
from sqlmodel import Field, SQLModel

from market.types import UTCDateTime, utcnow


class ModerationAction(SQLModel, table=True):
    """Who on the staff hid, suspended or verified what, when, and why."""

    __tablename__ = "moderation_action"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="user.id")
    action: str = Field(sa_type=String(32))
    job_id: int | None = Field(default=None, foreign_key="job.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    reason: str = Field(default="", sa_type=String(200))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
