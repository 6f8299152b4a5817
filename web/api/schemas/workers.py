"""A worker's own profile as the API shows it: only they see their exact home location."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from market.workers.identity import Identity
from market.workers.models import WorkerProfileBase
from market.workers.service import WorkerView


class TradeOut(BaseModel):
    code: str
    level: int


class WeeklyOut(BaseModel):
    weekday: int
    start: str
    end: str


class DayOut(BaseModel):
    start: datetime
    end: datetime


class WorkerProfileOut(WorkerProfileBase):
    """The worker's own profile (the profile field set and the rest): only they see it."""

    id: int
    name: str
    phone: str
    trades: list[TradeOut]
    certificates: list[str]
    weekly: list[WeeklyOut]
    days: list[DayOut]
    available_now: bool
    now_until: datetime | None
    reliability: float | None
    rating: float | None


def _minutes(value: int) -> str:
    return f"{value // 60:02d}:{value % 60:02d}"


def trades_out(view: WorkerView) -> list[TradeOut]:
    return [TradeOut(code=t.trade, level=t.level) for t in view.trades]


def worker_profile_out(view: WorkerView) -> WorkerProfileOut:
    p = view.profile
    return WorkerProfileOut(
        id=p.user_id,
        name=view.user.name,
        phone=view.user.phone,
        home_lat=p.home_lat,
        home_lon=p.home_lon,
        district=p.district,
        radius_km=p.radius_km,
        min_wage=p.min_wage,
        trades=trades_out(view),
        certificates=view.certificates,
        weekly=[
            WeeklyOut(weekday=w.weekday, start=_minutes(w.start_minute), end=_minutes(w.end_minute))
            for w in view.weekly
        ],
        days=[DayOut(start=d.start_at, end=d.end_at) for d in view.days],
        available_now=p.available_now,
        now_until=p.now_until,
        reliability=view.reliability,
        rating=view.rating,
    )


class IdentityIn(BaseModel):
    """My legal name and 身份证 number (18 characters, the last may be X)."""

    legal_name: str = Field(max_length=50)
    id_number: str = Field(max_length=30)


class IdentityOut(BaseModel):
    """My legal name and ID number, masked (the full number is in my data export)."""

    legal_name: str
    id_number_masked: str


def identity_out(identity: Identity) -> IdentityOut:
    return IdentityOut(legal_name=identity.legal_name, id_number_masked=identity.masked)
