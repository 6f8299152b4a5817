"""The period staff ask for: one day, a range, or a clear refusal."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from market.errors import Invalid
from market.stats import service as stats_service

DAY = date(2026, 11, 20)


def test_period_defaults_to_today_and_a_single_date_is_one_day() -> None:
    today = stats_service.period_for()
    assert today.first == today.last == stats_service.today()
    assert stats_service.period_for(first=DAY) == stats_service.period_of(first=DAY, last=DAY)
    assert stats_service.period_for(last=DAY) == stats_service.period_of(first=DAY, last=DAY)


def test_period_of_a_range_spans_its_local_days() -> None:
    period = stats_service.period_for(first=DAY, last=DAY + timedelta(days=6))
    assert period.end - period.start == timedelta(days=7)


def test_a_reversed_period_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        stats_service.period_for(first=DAY, last=DAY - timedelta(days=1))
    assert refused.value.field == "last"
    assert refused.value.message == "The last day cannot be before the first"


def test_a_period_longer_than_allowed_is_refused() -> None:
    longest = DAY + timedelta(days=stats_service.MAX_PERIOD_DAYS - 1)
    assert stats_service.period_for(first=DAY, last=longest).last == longest
    with pytest.raises(Invalid) as refused:
        stats_service.period_for(first=DAY, last=longest + timedelta(days=1))
    assert refused.value.params == {"days": stats_service.MAX_PERIOD_DAYS}
