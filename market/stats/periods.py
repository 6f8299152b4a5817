"""A statistics period: a range of the market's local dates, read as a UTC half-open range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from market.errors import N_, Invalid
from market.i18n import market_tz
from market.types import utcnow

MAX_PERIOD_DAYS = 400


@dataclass(frozen=True)
class Period:
    """Local dates `first`..`last` inclusive, as a UTC half-open range."""

    first: date
    last: date
    start: datetime
    end: datetime


def period_of(*, first: date, last: date) -> Period:
    """The period from `first` to `last` (local dates, both included)."""
    tz = market_tz()
    start = datetime(first.year, first.month, first.day, tzinfo=tz)
    end_day = last + timedelta(days=1)
    end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=tz)
    return Period(first=first, last=last, start=start.astimezone(UTC), end=end.astimezone(UTC))


def today(now: datetime | None = None) -> date:
    """The market's local date."""
    return (now or utcnow()).astimezone(market_tz()).date()


def period_for(*, first: date | None = None, last: date | None = None) -> Period:
    """The period asked for: one day when one date is given, today when none; else Invalid."""
    first = first or last or today()
    last = last or first
    if last < first:
        raise Invalid(N_("The last day cannot be before the first"), field="last")
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise Invalid(
            N_("A period may span at most {days} days"), field="last", days=MAX_PERIOD_DAYS
        )
    return period_of(first=first, last=last)
