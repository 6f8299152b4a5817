"""Input shapes of service stations."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from market.errors import N_
from market.fields import Latitude, Longitude, Strict

STATION_SERVICES = (
    "rest",  # 歇脚
    "water",  # 饮水
    "charging",  # 充电
    "toilet",  # 如厕
    "heating",  # 取暖/纳凉
    "meals",  # 热饭
    "first_aid",  # 急救药箱
    "legal_aid",  # 法律咨询
    "training",  # 技能培训
    "job_info",  # 招工信息
)


def _services(values: list[str]) -> list[str]:
    unknown = [v for v in values if v not in STATION_SERVICES]
    if unknown:
        raise ValueError(N_("Unknown service; choose from the service list"))
    return sorted(set(values))


class StationCreate(Strict):
    name: str = Field(min_length=2, max_length=80)
    address: str = Field(min_length=2, max_length=200)
    district: str = Field(default="", max_length=40)
    lat: Latitude
    lon: Longitude
    hours: str = Field(default="", max_length=80, description="e.g. 每天 6:00-20:00")
    phone: str = Field(default="", max_length=20)
    services: list[str] = Field(default_factory=list, max_length=len(STATION_SERVICES))

    _services = field_validator("services")(_services)


class StationUpdate(Strict):
    """Fields left out stay as they are."""

    name: str | None = Field(default=None, min_length=2, max_length=80)
    address: str | None = Field(default=None, min_length=2, max_length=200)
    district: str | None = Field(default=None, max_length=40)
    lat: Latitude | None = None
    lon: Longitude | None = None
    hours: str | None = Field(default=None, max_length=80)
    phone: str | None = Field(default=None, max_length=20)
    services: list[str] | None = Field(default=None, max_length=len(STATION_SERVICES))
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
