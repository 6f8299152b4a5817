"""Districts for the manual location picker, for people who refuse (or lack) geolocation.

The centre of a district stands in for an exact position: good enough to rank a feed,
never more precise than the person chose to share. The list is the demo city's (Yantai).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Place:
    name: str  # as stored on jobs and profiles (the local, Chinese name)
    en: str
    lat: float
    lon: float


PLACES: tuple[Place, ...] = (
    Place("芝罘区", "Zhifu", 37.5407, 121.4006),
    Place("莱山区", "Laishan", 37.5117, 121.4452),
    Place("福山区", "Fushan", 37.4986, 121.2675),
    Place("牟平区", "Muping", 37.3869, 121.6003),
    Place("黄渤海新区", "Huangbohai New Area", 37.5630, 121.2510),
    Place("高新区", "High-tech Zone", 37.4880, 121.5060),
    Place("蓬莱区", "Penglai", 37.8108, 120.7589),
    Place("莱阳市", "Laiyang", 36.9780, 120.7110),
    Place("海阳市", "Haiyang", 36.7760, 121.1590),
)
BY_NAME = MappingProxyType({p.name: p for p in PLACES})
DEFAULT = PLACES[0]
