"""Union service stations (驿站) as the API shows them: derived from the station field set."""

from __future__ import annotations

from market.models import Station
from market.stations.schemas import StationPublic


class NearStationOut(StationPublic):
    distance_km: float


def station_out(station: Station) -> StationPublic:
    return StationPublic.model_validate(station.model_dump())


def near_station_out(station: Station, km: float) -> NearStationOut:
    return NearStationOut.model_validate({**station.model_dump(), "distance_km": km})
