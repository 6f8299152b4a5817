"""Union service stations (驿站): anyone logged in finds the nearest; staff keep the list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from market.fields import Latitude, Longitude
from market.stations import service as station_service
from market.stations.schemas import StationCreate, StationPublic, StationUpdate
from web.api import console_router
from web.api.schemas.stations import NearStationOut, near_station_out, station_out
from web.deps import CurrentUser, SessionDep, StationDep

router = APIRouter()
protection = APIRouter(tags=["protection"])
console = console_router()


@protection.get("/stations/nearest")
def stations_nearest(
    user: CurrentUser,
    session: SessionDep,
    lat: Annotated[Latitude, Query()],
    lon: Annotated[Longitude, Query()],
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> list[NearStationOut]:
    """The open union service stations nearest to a point."""
    found = station_service.list_nearest_stations(session=session, lat=lat, lon=lon, k=limit)
    return [near_station_out(s, km) for s, km in found]


@console.get("/stations")
def stations(session: SessionDep) -> list[StationPublic]:
    """Every station, closed ones included."""
    return [station_out(s) for s in station_service.list_stations(session=session)]


@console.post("/stations", status_code=status.HTTP_201_CREATED)
def station_create(data: StationCreate, session: SessionDep) -> StationPublic:
    """Add a service station."""
    return station_out(station_service.station_create(session=session, data=data))


@console.patch("/stations/{station_id}")
def station_update(data: StationUpdate, station: StationDep, session: SessionDep) -> StationPublic:
    """Edit a station (active=false closes it)."""
    updated = station_service.station_update(session=session, station=station, data=data)
    return station_out(updated)


router.include_router(protection)
router.include_router(console)
