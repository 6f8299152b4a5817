"""Small keyword factories for workers and jobs around Yantai's 芝罘区."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from market.demo.geography import BY_NAME
from matching.model import Job, TradeSkill, Worker

CST = timezone(timedelta(hours=8))
DAY = datetime(2026, 12, 7, tzinfo=CST)
# the centre of 黄渤海新区, where the gig market is (the one table of the city's districts)
CENTRE = (BY_NAME["黄渤海新区"].lat, BY_NAME["黄渤海新区"].lon)


def at(hour: float) -> datetime:
    return DAY + timedelta(hours=hour)


def north_of_centre(km: float) -> tuple[float, float]:
    """A point `km` north of CENTRE (one degree of latitude is about 111.2 km)."""
    return CENTRE[0] + km / 111.195, CENTRE[1]


def make_worker(
    *,
    id: str = "w",
    km_north: float = 0.0,
    radius_km: float = 10.0,
    trades: tuple[tuple[str, int], ...] = (("painter", 2),),
    certificates: frozenset[str] = frozenset(),
    available: tuple[tuple[float, float], ...] = ((7, 18),),
    min_wage: float = 200.0,
    reliability: float | None = 0.9,
    busy: tuple[tuple[float, float], ...] = (),
    idle_days: int = 0,
) -> Worker:
    lat, lon = north_of_centre(km_north)
    return Worker(
        id=id,
        lat=lat,
        lon=lon,
        radius_km=radius_km,
        trades=tuple(TradeSkill(code, level) for code, level in trades),
        certificates=certificates,
        available=tuple((at(a), at(b)) for a, b in available),
        min_wage=min_wage,
        reliability=reliability,
        busy=tuple((at(a), at(b)) for a, b in busy),
        idle_days=idle_days,
    )


def make_job(
    *,
    id: str = "j",
    km_north: float = 1.0,
    trade: str = "painter",
    certificates: frozenset[str] = frozenset(),
    shift: tuple[float, float] = (8, 17),
    headcount: int = 1,
    wage: float = 300.0,
    booked: tuple[str, ...] = (),
) -> Job:
    lat, lon = north_of_centre(km_north)
    return Job(
        id=id,
        lat=lat,
        lon=lon,
        trade=trade,
        start=at(shift[0]),
        end=at(shift[1]),
        headcount=headcount,
        wage=wage,
        certificates=certificates,
        booked=booked,
    )
