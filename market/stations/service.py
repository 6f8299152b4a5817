"""Union service stations (驿站): staff keep the list; workers find the nearest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from market.errors import N_, NotFound
from market.events.service import event_record
from market.geo import bounding_box
from market.models import Station
from market.stations.schemas import StationCreate, StationUpdate
from market.types import utcnow
from matching.geo import haversine_km

NEAREST_MAX_KM = 50.0
NEAR_WORKER = 3  # stations a worker's pages list


def station_create(
    *, session: Session, data: StationCreate, now: datetime | None = None
) -> Station:
    """Add a station."""
    now = now or utcnow()
    station = Station(**data.model_dump(), created_at=now, updated_at=now)
    session.add(station)
    session.flush()
    event_record(session=session, kind="station.created", payload={"station": station.id})
    session.flush()
    return station


def get_station(*, session: Session, station_id: int) -> Station:
    """The station, or NotFound."""
    station = session.get(Station, station_id)
    if station is None:
        raise NotFound(N_("Station not found"))
    return station


def station_update(
    *, session: Session, station: Station, data: StationUpdate, now: datetime | None = None
) -> Station:
    """Change the fields given (or close a station with active=false)."""
    for key, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(station, key, value)
    station.updated_at = now or utcnow()
    session.add(station)
    event_record(session=session, kind="station.updated", payload={"station": station.id})
    session.flush()
    return station


def list_stations(*, session: Session, active_only: bool = False) -> Sequence[Station]:
    """Every station, by district and name."""
    query = select(Station)
    if active_only:
        query = query.where(col(Station.active))
    return session.exec(query.order_by(col(Station.district), col(Station.name))).all()


def list_nearest_stations(
    *, session: Session, lat: float, lon: float, k: int = 5
) -> list[tuple[Station, float]]:
    """The open stations nearest to a point, with their distance in km (within 50 km)."""
    lat0, lat1, lon0, lon1 = bounding_box(lat, lon, NEAREST_MAX_KM)
    rows = session.exec(
        select(Station).where(
            col(Station.active),
            col(Station.lat).between(lat0, lat1),
            col(Station.lon).between(lon0, lon1),
        )
    ).all()
    ranked = sorted(((s, haversine_km(lat, lon, s.lat, s.lon)) for s in rows), key=lambda p: p[1])
    return [(s, round(km, 1)) for s, km in ranked[:k] if km <= NEAREST_MAX_KM]


def list_stations_near(
    *, session: Session, position: tuple[float, float] | None, k: int = NEAR_WORKER
) -> list[tuple[Station, float]]:
    """The open stations nearest to a position with their distance; none when it is unknown."""
    if position is None:
        return []
    return list_nearest_stations(session=session, lat=position[0], lon=position[1], k=k)


YANTAI_STATIONS = (
    ("芝罘区南大街户外劳动者驿站", "烟台市芝罘区南大街 166 号", "芝罘区", 37.5380, 121.3860),
    ("芝罘区只楚零工市场工会驿站", "烟台市芝罘区只楚路 12 号", "芝罘区", 37.5530, 121.2990),
    ("莱山区迎春大街职工驿站", "烟台市莱山区迎春大街 133 号", "莱山区", 37.4880, 121.4410),
    ("福山区河滨路零工驿站", "烟台市福山区河滨路 58 号", "福山区", 37.4970, 121.2670),
    ("开发区长江路工会服务站", "烟台市经济技术开发区长江路 228 号", "黄渤海新区",
     37.5640, 121.2420),
    ("牟平区正阳路户外劳动者驿站", "烟台市牟平区正阳路 101 号", "牟平区", 37.3880, 121.6000),
)  # fmt: skip


def stations_seed(*, session: Session) -> list[Station]:
    """A handful of Yantai stations for the demo market (added once)."""
    if session.exec(select(Station.id)).first() is not None:
        return []
    return [
        station_create(
            session=session,
            data=StationCreate(
                name=name,
                address=address,
                district=district,
                lat=lat,
                lon=lon,
                hours="每天 6:00-20:00",
                phone="0535-6688123",
                services=["rest", "water", "charging", "toilet", "meals", "legal_aid", "job_info"],
            ),
        )
        for name, address, district, lat, lon in YANTAI_STATIONS
    ]
