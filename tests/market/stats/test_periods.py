"""The period staff ask for: one day, a range, or a clear refusal."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from market.errors import Invalid
from market.stats import periods as period_service

DAY = date(2026, 11, 20)


def test_period_defaults_to_today_and_a_single_date_is_one_day() -> None:
    today = period_service.period_for()
    assert today.first == today.last == period_service.today()
    assert period_service.period_for(first=DAY) == period_service.period_of(first=DAY, last=DAY)
    assert period_service.period_for(last=DAY) == period_service.period_of(first=DAY, last=DAY)


def test_period_of_a_range_spans_its_local_days() -> None:
    period = period_service.period_for(first=DAY, last=DAY + timedelta(days=6))
    assert period.end - period.start == timedelta(days=7)


def test_a_reversed_period_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        period_service.period_for(first=DAY, last=DAY - timedelta(days=1))
    assert refused.value.field == "last"
    assert refused.value.message == "The last day cannot be before the first"


def test_a_period_longer_than_allowed_is_refused() -> None:
    longest = DAY + timedelta(days=period_service.MAX_PERIOD_DAYS - 1)
    assert period_service.period_for(first=DAY, last=longest).last == longest
    with pytest.raises(Invalid) as refused:
        period_service.period_for(first=DAY, last=longest + timedelta(days=1))
    assert refused.value.params == {"days": period_service.MAX_PERIOD_DAYS}
