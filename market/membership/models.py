"""Union membership applications."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    String,
)
from sqlmodel import Field, SQLModel

from market.types import UTCDateTime, utcnow


class MembershipStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class Membership(SQLModel, table=True):
    """A worker's application to join the union, and staff's decision."""

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    status: str = Field(default=MembershipStatus.pending, sa_type=String(16), index=True)
    # indexed: the statistics rollup looks for memberships changed since its last refresh
    applied_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    note: str = Field(default="", sa_type=String(200))
