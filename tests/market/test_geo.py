"""The bounding box: a cheap, indexed pre-selection that never drops a point within reach."""

from __future__ import annotations

import pytest

from market.geo import bounding_box
from matching.geo import haversine_km


@pytest.mark.parametrize("lat", [0.0, 37.54, 60.0, 80.0])
def test_bounding_box_holds_every_point_within_its_reach(lat: float) -> None:
    lat0, lat1, lon0, lon1 = bounding_box(lat, 121.4, 10)
    assert lat0 < lat < lat1 and lon0 < 121.4 < lon1
    # the points 10 km due north, south, east and west lie inside
    assert haversine_km(lat, 121.4, lat1, 121.4) >= 10 - 0.05
    assert haversine_km(lat, 121.4, lat0, 121.4) >= 10 - 0.05
    assert haversine_km(lat, 121.4, lat, lon1) >= 10 - 0.05
    assert haversine_km(lat, 121.4, lat, lon0) >= 10 - 0.05


def test_bounding_box_of_no_reach_is_the_point() -> None:
    assert bounding_box(37.5, 121.4, 0) == (37.5, 37.5, 121.4, 121.4)
