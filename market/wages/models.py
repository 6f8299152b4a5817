"""The union's wage floor per trade (and district), and every job refused for going below it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from market.fields import MAX_WAGE, MIN_WAGE
from market.types import UTCDateTime, utcnow


class WageFloorBase(SQLModel):
    """A floor as staff set it: for a trade, in one district or ("" ) everywhere."""

    trade: str = Field(max_length=24, sa_type=String(24))
    district: str = Field(
        default="",
        max_length=40,
        sa_type=String(40),
        description="a district's own floor overrides the trade's; \"\" is the trade-wide one",
    )
    daily_wage: int = Field(ge=MIN_WAGE, le=MAX_WAGE, description="CNY per worker per day")


class WageFloor(WageFloorBase, table=True):
    __tablename__ = "wage_floor"
    __table_args__ = (UniqueConstraint("trade", "district"),)

    id: int | None = Field(default=None, primary_key=True)
    set_by: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WageFloorRefusal(SQLModel, table=True):
    """One attempt to post (or edit) a job below the floor: written after the refusal."""

    __tablename__ = "wage_floor_refusal"
    __table_args__ = (Index("ix_wage_floor_refusal_when", "created_at", "trade", "district"),)

    id: int | None = Field(default=None, primary_key=True)
    trade: str = Field(sa_type=String(24))
    district: str = Field(default="", sa_type=String(40))
    wage: int  # what the employer offered
    floor: int  # the floor in force then
    employer_id: int = Field(foreign_key="user.id", index=True)
    job_id: int | None = Field(default=None, foreign_key="job.id")  # an edit of a posted job
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
