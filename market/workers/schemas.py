"""Input shapes of a worker's profile and availability."""

from __future__ import annotations

from pydantic import (
    AwareDatetime,
    Field,
    field_validator,
    model_validator,
)

from market.errors import N_
from market.fields import (
    Latitude,
    Longitude,
    Strict,
    certificate_codes,
    optional_fields,
    trade_code,
)
from market.workers.models import WorkerProfileBase


class TradeLevel(Strict):
    code: str = Field(max_length=24)
    level: int = Field(default=1, ge=1, le=3)

    _code = field_validator("code")(trade_code)


class WeeklyWindow(Strict):
    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    start: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM local time")
    end: str = Field(pattern=r"^([01]\d|2[0-4]):[0-5]\d$", description="HH:MM local time")

    @property
    def start_minute(self) -> int:
        return _minutes(self.start)

    @property
    def end_minute(self) -> int:
        return _minutes(self.end)

    @model_validator(mode="after")
    def _ordered(self) -> WeeklyWindow:
        if self.end_minute > 1440 or self.start_minute >= self.end_minute:
            raise ValueError(N_("The window must end after it starts, on the same day"))
        return self


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


class DayWindow(Strict):
    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _ordered(self) -> DayWindow:
        if self.end <= self.start:
            raise ValueError(N_("The window must end after it starts"))
        return self


_ProfileFields = optional_fields(WorkerProfileBase, name="WorkerProfileFields")


class WorkerProfileUpdate(_ProfileFields):  # type: ignore[misc,valid-type]
    """Fields left out stay as they are; lists given replace the old ones."""

    name: str | None = Field(default=None, min_length=1, max_length=50)
    trades: list[TradeLevel] | None = Field(default=None, max_length=10)
    certificates: list[str] | None = Field(default=None, max_length=10)
    weekly: list[WeeklyWindow] | None = Field(default=None, max_length=50)
    days: list[DayWindow] | None = Field(default=None, max_length=60)

    @field_validator("certificates")
    @classmethod
    def _certs(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else certificate_codes(value)

    @field_validator("trades")
    @classmethod
    def _unique_trades(cls, value: list[TradeLevel] | None) -> list[TradeLevel] | None:
        if value is not None and len({t.code for t in value}) != len(value):
            raise ValueError(N_("Each trade may be listed once"))
        return value

    @model_validator(mode="after")
    def _both_coordinates(self) -> WorkerProfileUpdate:
        if (self.home_lat is None) != (self.home_lon is None):
            raise ValueError(N_("Give both home_lat and home_lon"))
        return self


class AvailableNow(Strict):
    on: bool
    lat: Latitude | None = None
    lon: Longitude | None = None
    hours: int = Field(default=10, ge=1, le=16)

    @model_validator(mode="after")
    def _location(self) -> AvailableNow:
        if (self.lat is None) != (self.lon is None):
            raise ValueError(N_("Give both lat and lon"))
        return self
