"""The bench's family of simulated markets: different cities, trade mixes and worker tastes.

One simulated market is one simulator's idea of what workers want, and a ranker tuned on it
learns that idea. The family varies what the ranker cannot see, so defaults are chosen to
hold across all of it, and the worst member counts as much as the mean:

- cities: Yantai (its districts from `market.demo.geography`), a synthetic river valley
  (districts strung along 55 km, people in the west, work in the east and the centre), and,
  for the held-out member only, a synthetic harbour grid (3 x 3 districts 9 km apart, people
  on the rim, work in the middle);
- trade mixes: the bench's Yantai mix, construction-heavy, services-heavy and, held out,
  logistics-heavy with higher pay;
- tastes (`bench.match.simulate.Taste`): mixed (the original), distance-averse, short-trip
  (very distance-averse and picky), pay-driven, trade-indifferent and, held out, a
  per-worker mixture in which every worker draws their own split of pay, distance and trade.

The held-out member is never used to choose defaults: its city, trade mix, taste and seeds
(`HELD_OUT_SEEDS` onwards) appear nowhere else. Each member is replayed with workers arriving
in random order and shown k=10 lists (`bench.match.quality`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bench.match.quality import quality
from bench.match.simulate import (
    MIXED,
    TRADE_MARKET,
    YANTAI,
    City,
    Taste,
    TradeMix,
    make_market,
)
from matching.score import DEFAULT_STRENGTH, Weights

HELD_OUT_SEEDS = 90_001  # the held-out member's seed family: no tuning member comes near it
FAMILY_RANKERS = ("linggong", "nearest", "random", "linggong-once", "nearest-once")
METRICS = ("fill_vs_optimum", "satisfaction_vs_optimum")

CONSTRUCTION = frozenset(
    [
        "painter",
        "decorator",
        "bricklayer",
        "plasterer",
        "tiler",
        "carpenter",
        "rebar",
        "scaffolder",
        "electrician",
        "plumber",
        "welder",
    ]
)
SERVICES = frozenset(
    ["cleaner", "housekeeper", "caregiver", "nanny", "cook", "kitchen_helper", "security"]
)
LOGISTICS = frozenset(["general", "mover", "loader", "sorter", "warehouse", "forklift"])


def reweighted(group: frozenset[str], workers: float, jobs: float, pay: float = 1.0) -> TradeMix:
    """The Yantai mix with one group of trades `workers` / `jobs` times as common (and paid
    `pay` times as much)."""
    return tuple(
        (code, w * workers, j * jobs, wage * pay) if code in group else (code, w, j, wage)
        for code, w, j, wage in TRADE_MARKET
    )


def _line(name: str, lat: float, lon: float, shares: list[tuple[float, float]]) -> City:
    """Districts 11 km apart along a west-east line starting at (lat, lon)."""
    step = 11.0 / (111.195 * np.cos(np.radians(lat)))
    return City(
        name,
        tuple(
            (f"{name}-{i}", (lat, lon + i * step), workers, jobs)
            for i, (workers, jobs) in enumerate(shares)
        ),
        spread_km=2.5,
    )


def _grid(name: str, lat: float, lon: float) -> City:
    """3 x 3 districts 9 km apart: people mostly on the rim, work mostly in the middle."""
    dlat, dlon = 9.0 / 111.195, 9.0 / (111.195 * np.cos(np.radians(lat)))
    cells = []
    for row in range(3):
        for col in range(3):
            middle = row == 1 and col == 1
            cells.append(
                (
                    f"{name}-{row}{col}",
                    (lat + (row - 1) * dlat, lon + (col - 1) * dlon),
                    0.04 if middle else 0.12,
                    0.30 if middle else 0.0875,
                )
            )
    return City(name, tuple(cells), spread_km=3.0)


VALLEY = _line(
    "valley",
    36.06,
    103.50,
    [(0.25, 0.05), (0.25, 0.10), (0.2, 0.2), (0.15, 0.2), (0.1, 0.25), (0.05, 0.2)],
)
HARBOUR_GRID = _grid("harbour-grid", 30.87, 121.90)

DISTANCE_AVERSE = Taste(
    "distance-averse", pay=0.15, near=0.75, own_trade=0.1, near_km=2.0, noise=0.1, picky=(0.3, 0.6)
)
SHORT_TRIP = Taste(
    "short-trip, picky",
    pay=0.15,
    near=0.75,
    own_trade=0.1,
    near_km=1.5,
    noise=0.1,
    picky=(0.35, 0.65),
)
PAY_DRIVEN = Taste(
    "pay-driven", pay=0.7, near=0.1, own_trade=0.1, near_km=8.0, pay_full=0.4, picky=(0.25, 0.55)
)
TRADE_INDIFFERENT = Taste("trade-indifferent", pay=0.45, near=0.45, own_trade=0.0, noise=0.15)
PER_WORKER_MIXTURE = Taste(
    "per-worker mixture",
    pay=0.35,
    near=0.4,
    own_trade=0.15,
    near_km=3.0,
    pay_full=0.6,
    noise=0.15,
    picky=(0.15, 0.55),
    per_worker=3.0,
)


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    city: City
    mix_name: str
    mix: TradeMix
    taste: Taste
    jobs_per_worker: float  # jobs per worker (a job has 2.5 slots on average)
    seed_base: int


TUNING: tuple[Member, ...] = (
    Member("yantai-mixed", YANTAI, "yantai", TRADE_MARKET, MIXED, 0.35, 0),
    Member("yantai-distance-averse", YANTAI, "yantai", TRADE_MARKET, DISTANCE_AVERSE, 0.30, 100),
    Member(
        "yantai-pay-driven-services",
        YANTAI,
        "services-heavy",
        reweighted(SERVICES, 2.0, 2.5),
        PAY_DRIVEN,
        0.40,
        200,
    ),
    Member(
        "valley-pay-driven-construction",
        VALLEY,
        "construction-heavy",
        reweighted(CONSTRUCTION, 1.8, 2.5),
        PAY_DRIVEN,
        0.35,
        300,
    ),
    Member(
        "valley-trade-indifferent",
        VALLEY,
        "services-heavy",
        reweighted(SERVICES, 2.0, 2.5),
        TRADE_INDIFFERENT,
        0.45,
        400,
    ),
    Member("valley-distance-averse", VALLEY, "yantai", TRADE_MARKET, DISTANCE_AVERSE, 0.30, 500),
    Member("valley-short-trip", VALLEY, "yantai", TRADE_MARKET, SHORT_TRIP, 0.35, 600),
)
HELD_OUT = Member(
    "held-out-harbour-grid",
    HARBOUR_GRID,
    "logistics-heavy",
    reweighted(LOGISTICS, 2.0, 2.0, 1.1),
    PER_WORKER_MIXTURE,
    0.33,
    HELD_OUT_SEEDS,
)


def run_member(
    member: Member,
    *,
    workers: int,
    seeds: int,
    seed: int,
    weights: Weights | None = None,
    strength: float = DEFAULT_STRENGTH,
    rankers: tuple[str, ...] = FAMILY_RANKERS,
) -> dict[str, dict[str, float]]:
    """Per ranker, fill and satisfaction against the optimum, averaged over `seeds` markets."""
    runs = []
    for s in range(member.seed_base + seed, member.seed_base + seed + seeds):
        ws, js = make_market(
            workers=workers,
            jobs=int(workers * member.jobs_per_worker),
            seed=s,
            city=member.city,
            mix=member.mix,
        )
        runs.append(
            quality(
                ws,
                js,
                seed=s,
                taste_model=member.taste,
                weights=weights,
                strength=strength,
                only=rankers,
            )["rankers"]
        )
    return {
        name: {m: float(np.mean([run[name][m] for run in runs])) for m in METRICS}
        for name in rankers
    }


def summary(members: dict[str, dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    """Per ranker, the mean and the worst of each metric over the members given."""
    names = next(iter(members.values())).keys()
    out: dict[str, dict[str, float]] = {}
    for name in names:
        out[name] = {}
        for m in METRICS:
            values = [figures[name][m] for figures in members.values()]
            out[name][f"mean_{m}"] = float(np.mean(values))
            out[name][f"worst_{m}"] = float(np.min(values))
    return out


def targets_met(figures: dict[str, dict[str, float]]) -> bool:
    """fill >= 0.95 and satisfaction >= 0.75 of the optimum, both above nearest-first."""
    ours, nearest = figures["linggong"], figures["nearest"]
    return (
        ours["fill_vs_optimum"] >= 0.95
        and ours["satisfaction_vs_optimum"] >= 0.75
        and ours["fill_vs_optimum"] > nearest["fill_vs_optimum"]
        and ours["satisfaction_vs_optimum"] > nearest["satisfaction_vs_optimum"]
    )


def family(
    *,
    workers: int,
    seeds: int,
    seed: int,
    weights: Weights | None = None,
    strength: float = DEFAULT_STRENGTH,
    held_out: bool = True,
) -> dict[str, Any]:
    """Every tuning member, their mean and worst case, and (unless told not to) the held-out
    member on its own."""
    run = {
        "workers": workers,
        "seeds": seeds,
        "seed": seed,
        "weights": weights,
        "strength": strength,
    }
    tuning = {m.name: run_member(m, **run) for m in TUNING}  # type: ignore[arg-type]
    result: dict[str, Any] = {
        "members": {
            m.name: {
                "city": m.city.name,
                "trades": m.mix_name,
                "taste": m.taste.name,
                **tuning[m.name],
            }
            for m in TUNING
        },
        "summary": summary(tuning),
        "targets_met": {name: targets_met(figures) for name, figures in tuning.items()},
        "strength": strength,
        "weights": (weights or Weights()).to_json(),
    }
    if held_out:
        figures = run_member(HELD_OUT, **run)  # type: ignore[arg-type]
        result["held_out"] = {
            "name": HELD_OUT.name,
            "city": HELD_OUT.city.name,
            "trades": HELD_OUT.mix_name,
            "taste": HELD_OUT.taste.name,
            **figures,
            "targets_met": targets_met(figures),
        }
    return result
