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

from market.fields import Latitude, Longitude
from market.types import UTCDateTime, utcnow

STATION_SERVICES = (
    "rest",  # 歇脚
    "water",  # 饮水
    "charging",  # 充电
    "toilet",  # 如厕
    "heating",  # 取暖/纳凉
    "meals",  # 热饭
    "first_aid",  # 急救药箱
    "legal_aid",  # 法律咨询
    "training",  # 技能培训
    "job_info",  # 招工信息
)


class StationBase(SQLModel):
    """What staff say about a station: written once for the table, the inputs and the API."""

    name: str = Field(min_length=2, max_length=80, sa_type=String(80))
    address: str = Field(min_length=2, max_length=200, sa_type=String(200))
    district: str = Field(default="", max_length=40, sa_type=String(40))
    lat: Latitude
    lon: Longitude
    hours: str = Field(
        default="", max_length=80, sa_type=String(80), description="e.g. 每天 6:00-20:00"
    )
    phone: str = Field(default="", max_length=20, sa_type=String(20))
    services: list[str] = Field(
        default_factory=list,
        max_length=len(STATION_SERVICES),
        sa_column=Column(JSON, nullable=False),
    )


class Station(StationBase, table=True):
    """A union service station (驿站): rest, water, charging, legal advice, training."""

    __table_args__ = (Index("ix_station_area", "active", "lat", "lon"),)

    id: int | None = Field(default=None, primary_key=True)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StationStaff(SQLModel, table=True):
    """A station-staff account (role `station`) and the one station it works at."""

    __tablename__ = "station_staff"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    station_id: int = Field(foreign_key="station.id", index=True)
    created_by: int = Field(foreign_key="user.id")  # the union staff member who made it
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AssistedWorker(SQLModel, table=True):
    """A worker without a smartphone, registered at a station with their consent.

    Who registered them, where and when the worker agreed are kept: the station acts for the
    worker (profile, claims, password) only on that consent.
    """

    __tablename__ = "assisted_worker"

    worker_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    station_id: int = Field(foreign_key="station.id", index=True)
    registered_by: int = Field(foreign_key="user.id")
    consent_at: datetime = Field(sa_type=UTCDateTime)
