"""The one table of Yantai's districts: what the demo market and the picker need of it."""

from __future__ import annotations

from market.demo import geography


def test_every_district_is_named_once_and_lies_in_yantai() -> None:
    names = [d.name for d in geography.DISTRICTS]
    assert len(set(names)) == len(names) == len(geography.BY_NAME)
    assert len({d.en for d in geography.DISTRICTS}) == len(names)
    for d in geography.DISTRICTS:
        assert 36.5 < d.lat < 38.0 and 120.5 < d.lon < 122.0, d.name
        assert d.spread_km > 0


def test_the_market_districts_have_people_work_and_streets() -> None:
    market = geography.MARKET_DISTRICTS
    assert {d.name for d in market} >= {"黄渤海新区", "芝罘区", "莱山区", "福山区"}
    for d in market:
        assert d.workers > 0 and d.jobs > 0 and d.streets, d.name
    gig_market = geography.BY_NAME["黄渤海新区"]
    assert abs(geography.GIG_MARKET[0] - gig_market.lat) < 0.05
    assert abs(geography.GIG_MARKET[1] - gig_market.lon) < 0.05
