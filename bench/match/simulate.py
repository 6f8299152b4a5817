"""Synthetic gig markets for the benchmark: a city's districts, trades, shifts, wages, tastes.

Workers and jobs cluster around the centres of a city's districts (by default Yantai's, from
`market.demo.geography`). Some trades are short of workers (electricians, welders, carers)
and some have too many (general labour, movers, cleaners). Each worker also has a hidden
liking for jobs (a `Taste`) that the ranker never sees; the simulated worker takes the
first job they like in the list they are shown. `bench.match.family` combines cities,
trade mixes and tastes into the bench's family of markets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np
from numpy.typing import NDArray

from market.demo.geography import BY_NAME
from matching.columns import PairScores
from matching.model import Job, TradeSkill, Worker
from matching.trades import TRADE_BY_CODE

FloatArray = NDArray[np.float64]
CST = timezone(timedelta(hours=8))
MARKET_DAY = datetime(2026, 12, 7, tzinfo=CST)

# this market's share of the city's gig work by district (its own mix: the ranking's market
# context was tuned on it, so the demo's weights would make it another market)
DISTRICT_SHARES = (
    ("芝罘区", 0.30),
    ("莱山区", 0.20),
    ("福山区", 0.12),
    ("牟平区", 0.10),
    ("黄渤海新区", 0.18),
    ("蓬莱区", 0.10),
)
# name, (lat, lon) of the district's centre (from the one Yantai table), share
DISTRICTS: tuple[tuple[str, tuple[float, float], float], ...] = tuple(
    (name, (BY_NAME[name].lat, BY_NAME[name].lon), share) for name, share in DISTRICT_SHARES
)
DISTRICT_SPREAD_KM = 3.5


@dataclass(frozen=True, slots=True)
class City:
    """Where a market's people live and its work lies: districts with separate shares."""

    name: str
    # name, (lat, lon) of the centre, share of workers, share of jobs
    districts: tuple[tuple[str, tuple[float, float], float, float], ...]
    spread_km: float = DISTRICT_SPREAD_KM


YANTAI = City("Yantai", tuple((name, centre, share, share) for name, centre, share in DISTRICTS))

# trade, share of workers, share of job slots, typical day wage (CNY)
TRADE_MARKET: tuple[tuple[str, float, float, float], ...] = (
    ("general", 0.16, 0.08, 200),
    ("mover", 0.10, 0.07, 230),
    ("loader", 0.06, 0.06, 230),
    ("cleaner", 0.10, 0.07, 180),
    ("security", 0.06, 0.03, 170),
    ("housekeeper", 0.05, 0.06, 220),
    ("painter", 0.05, 0.06, 300),
    ("decorator", 0.04, 0.03, 320),
    ("bricklayer", 0.04, 0.04, 330),
    ("plasterer", 0.03, 0.03, 300),
    ("tiler", 0.02, 0.04, 340),
    ("carpenter", 0.03, 0.04, 340),
    ("rebar", 0.02, 0.03, 320),
    ("scaffolder", 0.015, 0.03, 330),
    ("electrician", 0.015, 0.04, 380),
    ("plumber", 0.025, 0.03, 330),
    ("welder", 0.01, 0.03, 380),
    ("kitchen_helper", 0.04, 0.04, 190),
    ("cook", 0.015, 0.04, 260),
    ("caregiver", 0.01, 0.03, 260),
    ("nanny", 0.01, 0.02, 280),
    ("sorter", 0.05, 0.05, 190),
    ("warehouse", 0.02, 0.03, 210),
    ("forklift", 0.01, 0.02, 280),
)
SHIFTS = ((8, 17), (8, 12), (13, 18), (7, 15), (17, 21))
SHIFT_SHARE = (0.5, 0.15, 0.15, 0.12, 0.08)
AVAILABILITY = (((7, 19),), ((6, 13),), ((12, 21),), ((7, 12), (17, 22)), ((6, 22),))
AVAILABILITY_SHARE = (0.5, 0.15, 0.15, 0.1, 0.1)


def _at(hour: float) -> datetime:
    return MARKET_DAY + timedelta(hours=hour)


def _places(rng: np.random.Generator, n: int, city: City, column: int) -> FloatArray:
    """(n x 2) lat/lon scattered around district centres by the share in `column` (2 workers,
    3 jobs)."""
    shares = np.array([d[column] for d in city.districts])
    which = rng.choice(len(city.districts), size=n, p=shares / shares.sum())
    centres = np.array([d[1] for d in city.districts])[which]
    offset_km = rng.normal(0, city.spread_km, size=(n, 2))
    lat = centres[:, 0] + offset_km[:, 0] / 111.195
    lon = centres[:, 1] + offset_km[:, 1] / (111.195 * np.cos(np.radians(centres[:, 0])))
    result: FloatArray = np.column_stack((lat, lon))
    return result


def _certificates_for(rng: np.random.Generator, trade: str) -> frozenset[str]:
    held: set[str] = set()
    legal = TRADE_BY_CODE[trade].legal_certificates
    if legal and rng.random() < 0.8:  # a fifth lack the licence their trade needs
        held |= legal
    if rng.random() < 0.3:
        held.add("health")
    if rng.random() < 0.15:
        held.add("work_at_height")
    return frozenset(held)


TradeMix = tuple[tuple[str, float, float, float], ...]


def make_workers(
    rng: np.random.Generator, n: int, city: City = YANTAI, mix: TradeMix = TRADE_MARKET
) -> list[Worker]:
    """n workers spread over the city with the trade mix (TRADE_MARKET's columns)."""
    codes = [t[0] for t in mix]
    shares = np.array([t[1] for t in mix])
    wage_of = {t[0]: t[3] for t in mix}
    places = _places(rng, n, city, 2)
    workers = []
    for i in range(n):
        main = codes[rng.choice(len(codes), p=shares / shares.sum())]
        skills = [TradeSkill(main, int(rng.choice([1, 2, 3], p=[0.4, 0.4, 0.2])))]
        if rng.random() < 0.3:
            extra = codes[rng.choice(len(codes), p=shares / shares.sum())]
            if extra != main:
                skills.append(TradeSkill(extra, 1))
        avail = AVAILABILITY[rng.choice(len(AVAILABILITY), p=AVAILABILITY_SHARE)]
        workers.append(
            Worker(
                id=f"w{i}",
                lat=float(places[i, 0]),
                lon=float(places[i, 1]),
                radius_km=float(np.clip(rng.gamma(4.0, 2.5), 2, 30)),
                trades=tuple(skills),
                certificates=_certificates_for(rng, main),
                available=tuple((_at(a), _at(b)) for a, b in avail),
                min_wage=float(round(wage_of[main] * rng.uniform(0.55, 0.95), -1)),
                reliability=float(rng.beta(8, 1.5)) if rng.random() < 0.8 else None,
                rating=float(np.clip(rng.normal(4.2, 0.5), 1, 5)) if rng.random() < 0.6 else None,
            )
        )
    return workers


def make_jobs(
    rng: np.random.Generator, n: int, city: City = YANTAI, mix: TradeMix = TRADE_MARKET
) -> list[Job]:
    """n jobs over the city with the trade mix's shares and wages, and the bench's shifts."""
    codes = [t[0] for t in mix]
    shares = np.array([t[2] for t in mix])
    wage_of = {t[0]: t[3] for t in mix}
    places = _places(rng, n, city, 3)
    jobs = []
    for i in range(n):
        trade = codes[rng.choice(len(codes), p=shares / shares.sum())]
        start, end = SHIFTS[rng.choice(len(SHIFTS), p=SHIFT_SHARE)]
        hours_share = min(1.0, (end - start) / 8)
        wage = wage_of[trade] * (0.5 + 0.5 * hours_share) * rng.lognormal(0, 0.15)
        jobs.append(
            Job(
                id=f"j{i}",
                lat=float(places[i, 0]),
                lon=float(places[i, 1]),
                trade=trade,
                start=_at(start),
                end=_at(end),
                headcount=int(rng.choice([1, 1, 1, 2, 2, 3, 4, 6])),
                wage=float(round(wage, -1)),
                certificates=frozenset({"work_at_height"}) if rng.random() < 0.05 else frozenset(),
                employer_rating=float(np.clip(rng.normal(4.0, 0.6), 1, 5)),
            )
        )
    return jobs


def make_market(
    *, workers: int, jobs: int, seed: int, city: City = YANTAI, mix: TradeMix = TRADE_MARKET
) -> tuple[list[Worker], list[Job]]:
    """A reproducible market of the given size."""
    rng = np.random.default_rng(seed)
    return make_workers(rng, workers, city, mix), make_jobs(rng, jobs, city, mix)


@dataclass(frozen=True, slots=True)
class Taste:
    """How simulated workers value a job; the ranker sees none of it.

    liking = pay * clip(surplus over the worker's minimum / pay_full, 0, 1)
           + near * exp(-km / near_km) + own_trade * [the worker's own trade] + whim,
    whim ~ N(0, noise) per pair; a worker takes a listed job when liking >= their pickiness
    ~ U(picky). With `per_worker` > 0 each worker draws their own (pay, near, own_trade)
    split from a Dirichlet around these weights (concentration `per_worker`), so workers
    of one market disagree with each other.
    """

    name: str
    pay: float = 0.4
    near: float = 0.35
    own_trade: float = 0.15
    near_km: float = 4.0
    pay_full: float = 0.5
    noise: float = 0.12
    picky: tuple[float, float] = (0.2, 0.5)
    per_worker: float = 0.0


MIXED = Taste("mixed")  # the bench's original taste: pay, a short trip, their own trade


@dataclass(frozen=True, slots=True)
class HiddenTaste:
    """What each feasible pair is worth to the worker, and whether they would take it."""

    liking: FloatArray  # per pair, 0..1
    accepts: NDArray[np.bool_]  # per pair


def hidden_taste(
    pairs: PairScores, wage: FloatArray, min_wage: FloatArray, seed: int, taste: Taste = MIXED
) -> HiddenTaste:
    """Workers' private taste: pay, a short trip, their own trade, and personal whims."""
    rng = np.random.default_rng(seed + 1_000_003)
    n_workers = int(pairs.worker.max(initial=0)) + 1
    surplus = (wage[pairs.job] - min_wage[pairs.worker]) / np.maximum(min_wage[pairs.worker], 100)
    pay = np.clip(surplus / taste.pay_full, 0, 1)
    near = np.exp(-pairs.distance_km / taste.near_km)
    own_trade = (pairs.features[:, 0] >= 0.7).astype(np.float64)
    whim = rng.normal(0, taste.noise, len(pay))
    pickiness = rng.uniform(*taste.picky, n_workers)
    split = np.tile([taste.pay, taste.near, taste.own_trade], (n_workers, 1))
    if taste.per_worker > 0:
        total = split.sum(axis=1, keepdims=True)
        alpha = np.maximum(taste.per_worker * split[0] / total[0], 1e-3)
        split = total * rng.dirichlet(alpha, n_workers)
    w = split[pairs.worker]
    liking = np.clip(w[:, 0] * pay + w[:, 1] * near + w[:, 2] * own_trade + whim, 0, 1)
    return HiddenTaste(liking=liking, accepts=liking >= pickiness[pairs.worker])
