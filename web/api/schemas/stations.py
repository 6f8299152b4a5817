"""Union service stations (驿站) as the API shows them: derived from the station field set."""

from __future__ import annotations

from pydantic import BaseModel

from market.models import Station
from market.stations.schemas import StationPublic


class NearStationOut(StationPublic):
    distance_km: float


def station_out(station: Station) -> StationPublic:
    return StationPublic.model_validate(station.model_dump())


def near_station_out(station: Station, km: float) -> NearStationOut:
    return NearStationOut.model_validate({**station.model_dump(), "distance_km": km})


class StationStaffOut(BaseModel):
    """A station-staff account: who, their login phone, and their station."""

    id: int
    name: str
    phone: str
    station_id: int


class AssistedPlacementsOut(BaseModel):
    """Hires of workers a station registered, in the period."""

    station_id: int
    name: str
    placements: int
