"""Districts for the manual location picker, for people who refuse (or lack) geolocation.

The centre of a district stands in for an exact position: good enough to rank a feed,
never more precise than the person chose to share. The list is the demo city's (Yantai),
from its one geography table (`market.demo.geography`).
"""

from __future__ import annotations

from market.demo.geography import BY_NAME, DISTRICTS, District

PLACES: tuple[District, ...] = DISTRICTS  # name (as stored on jobs and profiles), en, lat, lon
DEFAULT = BY_NAME["芝罘区"]

__all__ = ["BY_NAME", "DEFAULT", "PLACES"]
