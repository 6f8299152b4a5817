"""Where things are: the bounding box an indexed pre-selection of nearby rows uses."""

from __future__ import annotations

import math

KM_PER_DEGREE_LAT = 111.0


def bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(lat_min, lat_max, lon_min, lon_max) of a square reaching `km` from a point.

    Within 3 degrees of a pole the square is narrower than `km` (no market lies there).
    """
    dlat = km / KM_PER_DEGREE_LAT
    dlon = km / (KM_PER_DEGREE_LAT * max(0.05, math.cos(math.radians(lat))))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
