"""A known worker as of a moment (`KnownWorker.at`): the kept answer is exactly a fresh one.

`at` keeps its last answer until the next moment it may change (local midnight, the end of a
specific day or of a busy shift, the start of one); these tests walk the clock over all of
those moments, in random steps, and compare with a worker that keeps nothing.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from market.feed.workers import KnownWorker
from matching import model as m

START = datetime(2030, 3, 3, 15, 30, tzinfo=UTC)  # 23:30 in the market's time zone


def _known(rng: random.Random, available_now: bool) -> KnownWorker:
    hour = timedelta(hours=1)
    busy = []
    for _ in range(rng.randint(0, 3)):
        start = START + rng.randint(-30, 90) * hour
        busy.append((start, start + rng.choice((4, 8)) * hour))
    days = []
    for _ in range(rng.randint(0, 3)):
        start = START + rng.randint(-20, 100) * hour
        days.append((start, start + rng.randint(2, 12) * hour))
    return KnownWorker(
        model=m.Worker(
            id="7", lat=37.5, lon=121.3, radius_km=10.0, trades=(m.TradeSkill("painter", 2),)
        ),
        weekly=tuple(
            (weekday, 60 * rng.randint(5, 9), 60 * rng.randint(12, 20))
            for weekday in rng.sample(range(7), rng.randint(0, 5))
        ),
        days=tuple(sorted(days)),
        now_until=START + rng.randint(1, 30) * hour if available_now else None,
        busy=tuple(sorted(busy)),
        since=START - rng.randint(0, 200) * hour,
    )


@pytest.mark.parametrize("seed", range(40))
def test_a_kept_answer_is_the_answer_at_every_moment(seed: int) -> None:
    rng = random.Random(seed)
    known = _known(rng, available_now=seed % 4 == 0)
    now, kept = START - timedelta(hours=2), 0
    while now < START + timedelta(days=5):
        fresh = replace(known)  # same worker, nothing kept
        first = known.at(now)
        again = known.at(now)
        assert first == fresh.at(now) and again == first
        kept += again is first
        now += timedelta(minutes=rng.choice((1, 7, 59, 60, 61, 180, 600)))
    if known.now_until is None:
        assert kept > 0  # answers were kept (and each equal to a fresh one)


def test_an_answer_is_not_given_for_an_earlier_moment() -> None:
    known = _known(random.Random(3), available_now=False)
    late = known.at(START + timedelta(days=2))
    early = known.at(START)
    assert early == replace(known).at(START) and late == replace(known).at(
        START + timedelta(days=2)
    )
