"""Union service stations (驿站)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Column,
    Index,
    String,
)
from sqlmodel import Field, SQLModel

from market.types import UTCDateTime, utcnow


class Station(SQLModel, table=True):
    """A union service station (驿站): rest, water, charging, legal advice, training."""

    __table_args__ = (Index("ix_station_area", "active", "lat", "lon"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(80))
    address: str = Field(sa_type=String(200))
    district: str = Field(default="", sa_type=String(40))
    lat: float
    lon: float
    hours: str = Field(default="", sa_type=String(80))
    phone: str = Field(default="", sa_type=String(20))
    services: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
