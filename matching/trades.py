"""The trade and certificate catalogue: data, not code paths.

Codes, names and compatibility follow ``shared/MATCHING_SCENARIO.md``. Everything
else in the system (validation, matching, statistics, page tiles) reads it from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True, slots=True)
class Certificate:
    code: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Trade:
    code: str
    zh: str
    en: str
    icon: str
    aliases: tuple[str, ...] = ()
    # certificates the law requires for this trade, whether or not a job lists them
    legal_certificates: frozenset[str] = field(default_factory=frozenset)


CERTIFICATES: Final[tuple[Certificate, ...]] = (
    Certificate("electrician", "电工特种作业操作证", "Electrician operations certificate"),
    Certificate("welder", "焊工特种作业操作证", "Welding operations certificate"),
    Certificate("forklift", "叉车司机证", "Forklift operator certificate"),
    Certificate("work_at_height", "高处作业证", "Work-at-height certificate"),
    Certificate("boiler", "锅炉操作证", "Boiler operator certificate"),
    Certificate("crane", "起重机械操作证", "Crane operator certificate"),
    Certificate("health", "健康证", "Health certificate"),
)

TRADES: Final[tuple[Trade, ...]] = (
    Trade("painter", "油漆工", "Painter", "🖌️", ("刷漆", "油工", "漆工", "涂料工")),
    Trade("bricklayer", "瓦工", "Bricklayer", "🧱", ("泥瓦工", "砌筑工", "瓦匠", "mason")),
    Trade("plasterer", "抹灰工", "Plasterer", "🪣", ("抹灰", "粉刷工")),
    Trade("tiler", "贴砖工", "Tiler", "🔲", ("贴砖", "瓷砖工", "镶贴工")),
    Trade("carpenter", "木工", "Carpenter", "🪚", ("木匠", "木作")),
    Trade("rebar", "钢筋工", "Rebar worker", "🔩", ("扎钢筋", "绑筋工")),
    Trade("concrete", "混凝土工", "Concrete worker", "🏗️", ("打灰", "浇筑工")),
    Trade(
        "scaffolder",
        "架子工",
        "Scaffolder",
        "🪜",
        ("搭架子", "脚手架工"),
        frozenset({"work_at_height"}),
    ),
    Trade(
        "electrician",
        "电工",
        "Electrician",
        "⚡",
        ("电工师傅", "电气工"),
        frozenset({"electrician"}),
    ),
    Trade("plumber", "水电工", "Plumber", "🚰", ("水工", "管道工", "水暖工")),
    Trade("welder", "焊工", "Welder", "🔥", ("电焊工", "电焊", "气焊工"), frozenset({"welder"})),
    Trade("decorator", "装修工", "Decorator", "🏠", ("装修", "装饰工")),
    Trade("waterproofer", "防水工", "Waterproofer", "💧", ("防水",)),
    Trade("mover", "搬运工", "Mover", "📦", ("搬家", "搬运", "力工")),
    Trade("loader", "装卸工", "Loader", "🚛", ("装卸", "装车工", "卸货工")),
    Trade("cleaner", "保洁", "Cleaner", "🧹", ("保洁员", "清洁工", "开荒保洁")),
    Trade("housekeeper", "家政服务员", "Housekeeper", "🧺", ("家政", "钟点工", "保姆")),
    Trade("caregiver", "护工", "Caregiver", "🩺", ("护理员", "陪护"), frozenset({"health"})),
    Trade("nanny", "育婴员", "Nanny", "🍼", ("育儿嫂", "月嫂"), frozenset({"health"})),
    Trade("cook", "厨工", "Cook", "🍳", ("厨师", "炒锅"), frozenset({"health"})),
    Trade(
        "kitchen_helper",
        "帮厨",
        "Kitchen helper",
        "🥬",
        ("切配", "洗碗工", "厨房帮工"),
        frozenset({"health"}),
    ),
    Trade("courier", "快递员", "Courier", "🛵", ("快递", "配送员", "送货员")),
    Trade("sorter", "分拣员", "Sorter", "🗃️", ("分拣", "理货员")),
    Trade("driver", "货运司机", "Freight driver", "🚚", ("司机", "货车司机")),
    Trade(
        "forklift", "叉车司机", "Forklift driver", "🏭", ("叉车工", "叉车"), frozenset({"forklift"})
    ),
    Trade("gardener", "绿化工", "Gardener", "🌳", ("绿化", "园林工")),
    Trade("security", "保安", "Security guard", "🛡️", ("保安员", "门卫", "安保")),
    Trade("general", "普工", "General labourer", "👷", ("小工", "杂工", "零工")),
    Trade("farmhand", "农工", "Farmhand", "🌾", ("农活", "采摘工")),
    Trade("warehouse", "仓管员", "Warehouse keeper", "🏬", ("仓管", "库管")),
)

# (from, to) -> how good a worker of trade `from` is at a job of trade `to`, 0..1.
# The scenario format fixes which pairs exist; the similarity is the ranker's business.
_RELATED: Final[dict[tuple[str, str], float]] = {
    ("plumber", "electrician"): 0.7,
    ("decorator", "painter"): 0.8,
    ("plasterer", "tiler"): 0.75,
    ("tiler", "plasterer"): 0.75,
    ("loader", "mover"): 0.9,
    ("mover", "loader"): 0.9,
    ("cleaner", "housekeeper"): 0.8,
    ("housekeeper", "cleaner"): 0.85,
    ("sorter", "warehouse"): 0.75,
    ("warehouse", "sorter"): 0.85,
    ("kitchen_helper", "cook"): 0.6,
    ("nanny", "housekeeper"): 0.7,
    ("caregiver", "housekeeper"): 0.7,
    ("general", "loader"): 0.7,
    ("general", "mover"): 0.7,
    ("general", "sorter"): 0.65,
}

TRADE_BY_CODE: Final = MappingProxyType({t.code: t for t in TRADES})
CERTIFICATE_BY_CODE: Final = MappingProxyType({c.code: c for c in CERTIFICATES})
RELATED_TRADES: Final = MappingProxyType(_RELATED)


def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for t in TRADES:
        for name in (t.code, t.zh, t.en.lower(), *t.aliases):
            index[name] = t.code
    return index


_ALIASES: Final = MappingProxyType(_alias_index())


def is_trade(code: str) -> bool:
    """True when `code` is a trade code of the catalogue."""
    return code in TRADE_BY_CODE


def is_certificate(code: str) -> bool:
    """True when `code` is a certificate code of the catalogue."""
    return code in CERTIFICATE_BY_CODE


def resolve_trade(name: str) -> str | None:
    """The trade code for a code, a zh/en name or an alias (油漆工 = 刷漆 = painter)."""
    key = name.strip()
    return _ALIASES.get(key) or _ALIASES.get(key.lower())


def trade_similarity(worker_trade: str, job_trade: str) -> float:
    """1.0 for the same trade, the related-trade similarity, or 0.0 when incompatible."""
    if worker_trade == job_trade:
        return 1.0
    return RELATED_TRADES.get((worker_trade, job_trade), 0.0)


def trades_that_can_do(job_trade: str) -> frozenset[str]:
    """Every worker trade that can take a job of `job_trade` (itself included)."""
    return frozenset({job_trade} | {a for (a, b) in RELATED_TRADES if b == job_trade})


def required_certificates(
    job_trade: str, listed: frozenset[str] | set[str] = frozenset()
) -> frozenset[str]:
    """What a job of `job_trade` needs: what it lists plus what the law requires."""
    return frozenset(listed) | TRADE_BY_CODE[job_trade].legal_certificates
