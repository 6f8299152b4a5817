"""Input and output shapes of the services. Field limits here are the market's rules."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, get_args

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from market.errors import N_
from matching import trades as catalogue

Latitude = Annotated[
    float, Field(ge=-90, le=90, allow_inf_nan=False, description="WGS-84 latitude")
]
Longitude = Annotated[
    float, Field(ge=-180, le=180, allow_inf_nan=False, description="WGS-84 longitude")
]
Stars = Annotated[int, Field(ge=1, le=5)]
Reason = Annotated[str, Field(min_length=1, max_length=200)]

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
# C0 controls but tab, newline and carriage return; PostgreSQL refuses NUL in text outright
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_HEADCOUNT = 500
MIN_WAGE, MAX_WAGE = 50, 5000
MAX_SHIFT_HOURS = 16
MAX_DAYS_AHEAD = 60


def normalise_phone(raw: str) -> str:
    """A mainland mobile number without spaces, dashes or the +86 prefix."""
    phone = re.sub(r"[\s\-()]", "", raw)
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix) :]
    if not PHONE_RE.match(phone):
        raise ValueError(N_("Enter an 11-digit mainland mobile number, e.g. 13800138000"))
    return phone


def _trade_code(value: str) -> str:
    code = catalogue.resolve_trade(value)
    if code is None:
        raise ValueError(N_("Unknown trade; choose one from the trade list"))
    return code


def _certificate_codes(values: list[str]) -> list[str]:
    unknown = [v for v in values if not catalogue.is_certificate(v)]
    if unknown:
        raise ValueError(N_("Unknown certificate; choose one from the certificate list"))
    return sorted(set(values))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _plain_values(cls, value: Any, info: ValidationInfo) -> Any:
        """No control characters in text, and no true/false where a number belongs."""
        if isinstance(value, str) and CONTROL_RE.search(value):
            raise ValueError(N_("Text may not contain control characters"))
        name = info.field_name
        if isinstance(value, bool) and name and _is_number(cls.model_fields[name].annotation):
            raise ValueError(N_("Must be a number"))
        return value


def _is_number(annotation: Any) -> bool:
    """True for int and float fields, optional or constrained ones too (not for bool)."""
    if annotation in (int, float):
        return True
    return any(_is_number(a) for a in get_args(annotation))


# ---------------------------------------------------------------- accounts


class Registration(Strict):
    phone: str = Field(max_length=20)
    password: str = Field(min_length=8, max_length=128)
    name: str = Field(min_length=1, max_length=50)
    role: str = Field(pattern="^(worker|employer)$")
    org_name: str = Field(default="", max_length=100)

    _phone = field_validator("phone")(normalise_phone)


class Credentials(Strict):
    phone: str = Field(max_length=20)
    password: str = Field(max_length=128)

    _phone = field_validator("phone")(normalise_phone)


# ---------------------------------------------------------------- worker profile


class TradeLevel(Strict):
    code: str = Field(max_length=24)
    level: int = Field(default=1, ge=1, le=3)

    _code = field_validator("code")(_trade_code)


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


class WorkerProfileUpdate(Strict):
    """Fields left out stay as they are; lists given replace the old ones."""

    name: str | None = Field(default=None, min_length=1, max_length=50)
    home_lat: Latitude | None = None
    home_lon: Longitude | None = None
    district: str | None = Field(default=None, max_length=40)
    radius_km: float | None = Field(default=None, gt=0, le=100, allow_inf_nan=False)
    min_wage: int | None = Field(default=None, ge=0, le=MAX_WAGE)
    trades: list[TradeLevel] | None = Field(default=None, max_length=10)
    certificates: list[str] | None = Field(default=None, max_length=10)
    weekly: list[WeeklyWindow] | None = Field(default=None, max_length=50)
    days: list[DayWindow] | None = Field(default=None, max_length=60)

    @field_validator("certificates")
    @classmethod
    def _certs(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _certificate_codes(value)

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


# ---------------------------------------------------------------- jobs


class JobFields(Strict):
    title: str = Field(min_length=2, max_length=80)
    description: str = Field(default="", max_length=2000)
    lat: Latitude
    lon: Longitude
    address: str = Field(min_length=2, max_length=200)
    district: str = Field(default="", max_length=40)
    start_at: AwareDatetime
    end_at: AwareDatetime
    headcount: int = Field(ge=1, le=MAX_HEADCOUNT)
    wage: int = Field(ge=MIN_WAGE, le=MAX_WAGE, description="CNY per worker per shift")


class JobCreate(JobFields):
    trade: str = Field(max_length=24)
    certificates: list[str] = Field(default_factory=list, max_length=7)
    instant: bool = False

    _trade = field_validator("trade")(_trade_code)
    _certs = field_validator("certificates")(_certificate_codes)


class JobUpdate(Strict):
    """Fields left out stay as they are."""

    title: str | None = Field(default=None, min_length=2, max_length=80)
    description: str | None = Field(default=None, max_length=2000)
    lat: Latitude | None = None
    lon: Longitude | None = None
    address: str | None = Field(default=None, min_length=2, max_length=200)
    district: str | None = Field(default=None, max_length=40)
    start_at: AwareDatetime | None = None
    end_at: AwareDatetime | None = None
    headcount: int | None = Field(default=None, ge=1, le=MAX_HEADCOUNT)
    wage: int | None = Field(default=None, ge=MIN_WAGE, le=MAX_WAGE)
    instant: bool | None = None


class CancelRequest(Strict):
    reason: Reason


class RatingCreate(Strict):
    stars: Stars
    comment: str = Field(default="", max_length=200)


class FeedFilter(Strict):
    day: str | None = Field(default=None, pattern="^(today|tomorrow)$")
    trade: str | None = Field(default=None, max_length=24)
    max_km: float | None = Field(default=None, gt=0, le=100, allow_inf_nan=False)
    limit: int = Field(default=20, ge=1, le=100)

    @field_validator("trade")
    @classmethod
    def _trade(cls, value: str | None) -> str | None:
        return None if value is None else _trade_code(value)


class Window(BaseModel):
    start: datetime
    end: datetime
