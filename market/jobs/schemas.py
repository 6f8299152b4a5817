"""Input shapes of a job post and its changes."""

from __future__ import annotations

from pydantic import (
    AwareDatetime,
    Field,
    field_validator,
)

from market.fields import (
    MAX_HEADCOUNT,
    MAX_WAGE,
    MIN_WAGE,
    Latitude,
    Longitude,
    Strict,
    certificate_codes,
    trade_code,
)


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

    _trade = field_validator("trade")(trade_code)
    _certs = field_validator("certificates")(certificate_codes)


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
