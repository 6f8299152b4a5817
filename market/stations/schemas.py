"""Input shapes of service stations."""

from __future__ import annotations

from pydantic import field_validator, model_validator

from market.errors import N_
from market.fields import Strict, optional_fields
from market.stations.models import STATION_SERVICES, StationBase


def _services(values: list[str]) -> list[str]:
    unknown = [v for v in values if v not in STATION_SERVICES]
    if unknown:
        raise ValueError(N_("Unknown service; choose from the service list"))
    return sorted(set(values))


class StationCreate(StationBase, Strict):  # type: ignore[misc]  # both bases configure the model
    _services = field_validator("services")(_services)


class StationUpdate(optional_fields(StationBase, name="StationUpdateFields")):  # type: ignore[misc]
    """Fields left out stay as they are."""

    active: bool | None = None

    @field_validator("services")
    @classmethod
    def _check(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _services(value)

    @model_validator(mode="after")
    def _both(self) -> StationUpdate:
        if (self.lat is None) != (self.lon is None):
            raise ValueError(N_("Give both lat and lon"))
        return self


class StationPublic(StationBase):
    """A station as the API shows it: the field set, its id and whether it is open."""

    id: int
    active: bool
