"""The stations near a worker: the nearest open ones, none for an unknown position."""

from __future__ import annotations

from sqlmodel import Session

from market.stations import service as station_service
from market.stations.schemas import StationCreate, StationUpdate


def _station(session: Session, name: str, lat: float, lon: float) -> int:
    data = StationCreate(name=name, address=f"{name} 1 号", lat=lat, lon=lon)
    return station_service.station_create(session=session, data=data).id or 0


def test_stations_near_a_position_are_the_nearest_open_ones_first(session: Session) -> None:
    near = _station(session, "近站", 37.541, 121.401)
    far = _station(session, "远站", 37.60, 121.45)
    closed = _station(session, "关站", 37.5405, 121.4005)
    station_service.station_update(
        session=session,
        station=station_service.get_station(session=session, station_id=closed),
        data=StationUpdate(active=False),
    )
    found = station_service.list_stations_near(session=session, position=(37.54, 121.40), k=5)
    ids = [s.id for s, _km in found]
    assert ids[:2] == [near, far] and closed not in ids
    assert found[0][1] <= found[1][1]
    assert len(station_service.list_stations_near(session=session, position=(37.54, 121.40))) <= 3


def test_no_stations_near_an_unknown_position(session: Session) -> None:
    _station(session, "近站", 37.541, 121.401)
    assert station_service.list_stations_near(session=session, position=None) == []
