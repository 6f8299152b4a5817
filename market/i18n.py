"""Local time for the market: shifts are entered and shown in the city's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from market.settings import get_settings


def market_tz() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def local(moment: datetime) -> datetime:
    """`moment` in the market's time zone."""
    return moment.astimezone(market_tz())
