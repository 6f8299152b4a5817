"""Input shapes of service stations."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from market.accounts.schemas import normalise_phone
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


class StationStaffCreate(Strict):
    """A station-staff account, made by union staff for one station."""

    phone: str = Field(max_length=20)
    name: str = Field(min_length=1, max_length=50)
    password: str = Field(min_length=8, max_length=128)

    _phone = field_validator("phone")(normalise_phone)


class AssistedRegistration(Strict):
    """A worker without a smartphone, registered at the station: they must have agreed."""

    phone: str = Field(max_length=20)
    name: str = Field(min_length=1, max_length=50)
    consent: bool = False

    _phone = field_validator("phone")(normalise_phone)

    @field_validator("consent")
    @classmethod
    def _agreed(cls, value: bool) -> bool:
        if not value:
            raise ValueError(N_("The worker must agree before the station registers them"))
        return value


class StationPasswordReset(Strict):
    """A new password for a worker the station registered, their ID card seen in person."""

    password: str = Field(min_length=8, max_length=128)
    id_checked: bool = False

    @field_validator("id_checked")
    @classmethod
    def _checked(cls, value: bool) -> bool:
        if not value:
            raise ValueError(N_("Check the worker's ID card in person first"))
        return value
