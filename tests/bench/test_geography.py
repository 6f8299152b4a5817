"""The benchmarks' markets, the picker and the station seed all place Yantai by one table."""

from __future__ import annotations

from bench import live, stats_market
from bench.match import simulate
from market.demo import geography
from market.stations import service as station_service
from web.pages import places


def test_the_picker_offers_the_tables_districts() -> None:
    assert places.PLACES == geography.DISTRICTS
    assert places.DEFAULT is geography.BY_NAME["芝罘区"]


def test_the_simulated_markets_use_the_tables_centres_and_names() -> None:
    for name, (lat, lon), share in simulate.DISTRICTS:
        district = geography.BY_NAME[name]
        assert (lat, lon) == (district.lat, district.lon) and share > 0
    assert {d.name for d in stats_market.DISTRICTS} == set(geography.BY_NAME)
    assert (live.DISTRICT.lat, live.DISTRICT.lon) == live.NEAR
    assert live.DISTRICT is geography.BY_NAME[live.DISTRICT.name]


def test_the_seeded_stations_lie_in_the_tables_districts() -> None:
    for _name, _address, district, lat, lon in station_service.YANTAI_STATIONS:
        centre = geography.BY_NAME[district]
        assert abs(lat - centre.lat) < 0.1 and abs(lon - centre.lon) < 0.15, district
