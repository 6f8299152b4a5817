"""Union service stations (驿站): anyone logged in finds the nearest; staff keep the list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from market.fields import Latitude, Longitude
from market.stations import assisted as assisted_service
from market.stations import service as station_service
from market.stations.schemas import (
    StationCreate,
    StationPublic,
    StationStaffCreate,
    StationUpdate,
)
from market.stats import assisted as assisted_stats
from web.api import console_router
from web.api.schemas.stations import (
    AssistedPlacementsOut,
    NearStationOut,
    StationStaffOut,
    near_station_out,
    station_out,
)
from web.deps import CurrentStaff, CurrentUser, PeriodDep, SessionDep, StationDep

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


@console.post("/stations/{station_id}/staff", status_code=status.HTTP_201_CREATED)
def station_staff_create(
    data: StationStaffCreate, station: StationDep, staff: CurrentStaff, session: SessionDep
) -> StationStaffOut:
    """Make a station-staff account for this station (role `station`)."""
    user = assisted_service.station_staff_create(
        session=session, station=station, data=data, by=staff
    )
    return StationStaffOut(
        id=user.id or 0, name=user.name, phone=user.phone, station_id=station.id or 0
    )


@console.get("/stations/placements")
def assisted_placements(session: SessionDep, period: PeriodDep) -> list[AssistedPlacementsOut]:
    """Per station, hires in the period of the workers it registered (assisted placements)."""
    counts = assisted_stats.assisted_placements(session=session, period=period)
    return [
        AssistedPlacementsOut(
            station_id=s.id or 0, name=s.name, placements=counts.get(s.id or 0, 0)
        )
        for s in station_service.list_stations(session=session)
    ]


router.include_router(protection)
router.include_router(console)
