"""Union service stations (驿站) as the API shows them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from market.models import Station


class StationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    address: str
    district: str
    lat: float
    lon: float
    hours: str
    phone: str
    services: list[str]
    active: bool


class NearStationOut(StationOut):
    distance_km: float


def near_station_out(station: Station, km: float) -> NearStationOut:
    return NearStationOut(**StationOut.model_validate(station).model_dump(), distance_km=km)
