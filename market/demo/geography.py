"""Yantai (烟台), the demo city: its districts, their centres, and where its gig work is.

The one table of the city's districts. The location picker offers them (a district's
centre stands in for a position nobody shared), the demo market places its people and jobs
around them, and the benchmarks' simulated markets do the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class District:
    name: str  # as stored on jobs and profiles (the local, Chinese name)
    en: str
    lat: float  # the centre of the district's built-up area
    lon: float
    spread_km: float  # how far from the centre its people live and its work lies, typically
    workers: int  # the demo market's relative share of workers (0: none live there)
    jobs: int  # and of jobs
    streets: tuple[str, ...]  # for the demo's addresses


# in the order the location picker lists them
DISTRICTS: tuple[District, ...] = (
    District("芝罘区", "Zhifu", 37.5407, 121.4006, 3.0, 22, 24,
             ("南大街", "北马路", "环山路", "胜利路", "只楚路", "西南河路")),
    District("莱山区", "Laishan", 37.5117, 121.4452, 3.5, 16, 18,
             ("港城东大街", "观海路", "迎春大街", "山海路", "盛泉路")),
    District("福山区", "Fushan", 37.4986, 121.2675, 3.5, 14, 12,
             ("福海路", "河滨路", "永达街", "福新路")),
    District("牟平区", "Muping", 37.3869, 121.6003, 3.5, 8, 7,
             ("正阳路", "北关大街", "通海路", "文化街")),
    District("黄渤海新区", "Huangbohai New Area", 37.5630, 121.2510, 4.0, 34, 32,
             ("长江路", "黄河路", "珠江路", "天山路", "衡山路", "金沙江路", "嵩山路")),
    District("高新区", "High-tech Zone", 37.4880, 121.5060, 3.0, 0, 0, ()),
    District("蓬莱区", "Penglai", 37.8108, 120.7589, 4.0, 6, 7,
             ("钟楼北路", "登州路", "海滨路", "南关路")),
    District("莱阳市", "Laiyang", 36.9780, 120.7110, 4.0, 0, 0, ()),
    District("海阳市", "Haiyang", 36.7760, 121.1590, 4.0, 0, 0, ()),
)  # fmt: skip
BY_NAME = MappingProxyType({d.name: d for d in DISTRICTS})
# the districts the demo market has people and work in
MARKET_DISTRICTS: tuple[District, ...] = tuple(d for d in DISTRICTS if d.workers or d.jobs)

GIG_MARKET = (37.5585, 121.2565)  # 黄渤海新区零工市场, 长江路: the roadside market gone online
