"""Soft score of a feasible pair: named features in 0..1 and a weighted mean of them.

Every function here works on numpy arrays so one formula serves a single pair, a feed
and a whole market. Higher is better for every feature, so a positive weight can only
make a closer, better-paid or better-fitting job rank higher.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

FEATURES: tuple[str, ...] = ("trade_fit", "time_fit", "distance", "wage", "reliability", "rating")

DISTANCE_SCALE_KM = 3.0  # a job 3 km away is worth 1/e of one next door (bench family)
UNKNOWN_RELIABILITY = 0.8  # a newcomer is neither trusted nor punished
UNKNOWN_RATING = 3.5  # stars, 1..5
FULL_SHIFT_SHARE = 0.75  # a shift using 3/4 of the free window "fills the day"


@dataclass(frozen=True, slots=True)
class Weights:
    """Non-negative weight per feature; the score is their weighted mean."""

    # chosen on the bench family's tuning members (`python -m bench match`): the worker's own
    # side (a short trip, pay above their minimum) weighs more than it did (2.0, 1.5 with a
    # 6 km distance scale, trade fit 3.0), and held across distance-averse, pay-driven and
    # trade-indifferent markets
    trade_fit: float = 2.0
    time_fit: float = 1.0
    distance: float = 4.0
    wage: float = 2.5
    reliability: float = 1.0
    rating: float = 0.5
    source: str = "default"

    def vector(self) -> FloatArray:
        """The weights in FEATURES order, normalised to sum to 1."""
        raw = np.array([max(0.0, getattr(self, name)) for name in FEATURES], dtype=np.float64)
        total = raw.sum()
        return raw / total if total > 0 else np.full(len(FEATURES), 1.0 / len(FEATURES))

    def to_json(self) -> str:
        """The weights as a JSON object."""
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Weights:
        """Weights from a mapping; unknown keys are ignored, missing ones default."""
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


DEFAULT_WEIGHTS = Weights()


def trade_fit(similarity: FloatArray, level: FloatArray) -> FloatArray:
    """Exact trade at any level beats any related trade; a higher level beats a lower one."""
    exact = 0.7 + 0.15 * (level - 1)  # 0.70, 0.85, 1.00
    related = 0.65 * similarity + 0.02 * (level - 1)  # at most 0.625
    fit: FloatArray = np.where(similarity >= 1.0, exact, np.where(similarity > 0, related, 0.0))
    return fit


def distance_fit(distance_km: FloatArray) -> FloatArray:
    """Decays with distance: 1 next door, about 0.19 at 5 km."""
    result: FloatArray = np.exp(-np.asarray(distance_km) / DISTANCE_SCALE_KM)
    return result


def wage_fit(wage: FloatArray, min_wage: FloatArray) -> FloatArray:
    """Grows with pay above the worker's minimum, saturating; 0.3 at exactly the minimum."""
    surplus = np.maximum(0.0, wage - min_wage) / np.maximum(min_wage, 100.0)
    result: FloatArray = 0.3 + 0.7 * surplus / (surplus + 0.25)
    return result


def rating_fit(worker_rating: FloatArray, employer_rating: FloatArray) -> FloatArray:
    """Mean of both sides' stars mapped to 0..1 (unknown counts as 3.5 stars)."""
    worker = np.where(np.isnan(worker_rating), UNKNOWN_RATING, worker_rating)
    employer = np.where(np.isnan(employer_rating), UNKNOWN_RATING, employer_rating)
    result: FloatArray = (np.clip(worker, 1, 5) + np.clip(employer, 1, 5) - 2) / 8
    return result


def reliability_fit(reliability: FloatArray) -> FloatArray:
    """The worker's completion share; unknown counts as UNKNOWN_RELIABILITY."""
    result: FloatArray = np.clip(
        np.where(np.isnan(reliability), UNKNOWN_RELIABILITY, reliability), 0, 1
    )
    return result


def combine(features: FloatArray, weights: Weights | None) -> FloatArray:
    """Weighted mean of a (pairs x FEATURES) matrix: one score in 0..1 per pair."""
    vector = (weights or DEFAULT_WEIGHTS).vector()
    result: FloatArray = features @ vector
    return result


# ---------------------------------------------------------------- the market around a pair
# The market around a pair: how contested each job is and how many options each worker has.
#
# A feed that ranks each pair alone sends every worker to the same best job. Knowing the
# market, a ranker can lean each worker towards jobs that would otherwise stay empty and each
# employer towards candidates who have few other options, while the pair score still leads.

# Chosen with the weights above on the bench family's tuning members (never the held-out
# one): a weaker push (0.3-0.5) lost fill everywhere and gained no satisfaction once the
# worker's own side weighed more. With demand counted at a worker's best jobs (below), 1.0
# over 0.85 raised the worst member's fill over seeds 7, 20 and 40 (two markets each) from
# 0.959 to 0.964 for 0.004 of the worst satisfaction (0.821 to 0.817); 1.1 gained nothing.
DEFAULT_STRENGTH = 1.0
# The pair's own best job (or worker) is never pushed below this place (nor out of a shorter
# list). Lifting it to 3rd made workers with other liked jobs take the one job a neighbour
# with no other choice needed: the worst tuning member's fill was 0.930 at 3 and 0.943 at 10
# (strength 0.85, demand spread evenly).
PINNED_RANK = 10
# How a worker's expected demand spreads over their feasible jobs: in proportion to
# score ** DEMAND_SHARPNESS (0 would be evenly, 1/options each). Workers head for their best
# jobs, not for every job within their radius, so an even spread counted far, poor jobs as
# contested and the nearest good ones as free; 8 (4 to 12 alike) raised the worst tuning
# member's fill from 0.943 to 0.954 (PINNED_RANK 10, strength 0.85).
DEMAND_SHARPNESS = 8.0
# These three together, `python -m bench match --family-only` (fill / satisfaction of the
# optimum): worst tuning member 0.953 / 0.827 (before: 0.930 / 0.824), mean 0.969 / 0.870,
# nearest-first's worst 0.869 / 0.763; the held-out member, run once after choosing, 0.952 /
# 0.821.


# A job's shadow price (`slot_prices_of_parts` below) says how contested its slots are
# better than the demand above: a feed that knows the prices discounts each job by exp(-PRICE_PUSH *
# strength * price) instead of by its demand. Chosen on the tuning members at 15 seeds
# (two markets each; prices solved again every 20 arrivals in the replay), never the
# held-out one: the worst member and seed's fill 0.954 -> 0.961, mean fill 0.969 -> 0.976,
# mean satisfaction 0.869 -> 0.881, and the short-trip member's satisfaction no longer below
# nearest-first's (it was at 2 of the 15 seeds; the margin is now thin, +0.001). A push of
# 2 lost fill (worst 0.942), 4 put satisfaction below nearest-first's again; the score less
# twice the price did alike but for the worst fill (0.958).
PRICE_PUSH = 3.0


@dataclass(frozen=True, slots=True)
class MarketContext:
    """Competition and scarcity figures for a market, keyed by job and worker id.

    `job_demand[j]` is the number of workers expected to head for job j if each worker
    spread over their feasible jobs as `demand_shares` says (the sum of its candidates'
    shares);
    `worker_options[w]` is how many feasible jobs worker w has;
    `job_price[j]` is the shadow price of one of job j's open slots (`slot_prices_of_parts` below).
    A context with prices leans feeds by price, one without by demand.
    """

    job_demand: Mapping[str, float] = field(default_factory=dict)
    worker_options: Mapping[str, int] = field(default_factory=dict)
    strength: float = DEFAULT_STRENGTH
    job_price: Mapping[str, float] = field(default_factory=dict)


def demand_shares(score: FloatArray, worker: NDArray[np.int64], n_workers: int) -> FloatArray:
    """Per pair, the share of its worker expected to head for its job (a worker's sum to 1):
    in proportion to score ** DEMAND_SHARPNESS, so good jobs draw most of a worker."""
    pull = np.power(np.maximum(np.asarray(score, dtype=np.float64), 1e-6), DEMAND_SHARPNESS)
    total = np.bincount(worker, weights=pull, minlength=n_workers)
    result: FloatArray = pull / np.maximum(total[worker], 1e-300)
    return result


def job_pressure(demand: FloatArray, own_share: FloatArray, slots_left: FloatArray) -> FloatArray:
    """Other workers' expected demand per open slot (0 = nobody else wants it)."""
    result: FloatArray = np.maximum(0.0, demand - own_share) / np.maximum(slots_left, 1)
    return result


def crowding_factor(pressure: FloatArray, strength: float) -> FloatArray:
    """Multiplier in (1-strength, 1]: an uncontested job keeps its score, a crowded one less."""
    result: FloatArray = 1.0 - strength * pressure / (1.0 + pressure)
    return result


def price_factor(price: FloatArray, strength: float) -> FloatArray:
    """Multiplier in (0, 1]: a job with a free slot keeps its score, a dear one less."""
    result: FloatArray = np.exp(-PRICE_PUSH * strength * np.asarray(price, dtype=np.float64))
    return result


# The hiring hall's rotation in the employer's candidate list: among near-equal candidates
# the one idle longer comes first. The lift grows with idle days up to ROTATION_FULL_DAYS and
# is at most ROTATION_LEAN, so it reorders only candidates whose scores are that close.
ROTATION_LEAN = 0.05
ROTATION_FULL_DAYS = 14


def rotation_factor(idle_days: FloatArray) -> FloatArray:
    """Multiplier in [1, 1+ROTATION_LEAN]: 1 for a worker who worked today or yesterday."""
    share = np.clip(np.asarray(idle_days, dtype=np.float64), 0, ROTATION_FULL_DAYS)
    result: FloatArray = 1.0 + ROTATION_LEAN * share / ROTATION_FULL_DAYS
    return result


def flexibility_factor(options: FloatArray, strength: float) -> FloatArray:
    """Multiplier in (1-strength/2, 1]: a candidate with few other options comes first."""
    result: FloatArray = 1.0 - 0.5 * strength * (1.0 - 1.0 / np.maximum(options, 1))
    return result


# ------------------------------------------------------------------ slot prices
#
# Shadow prices of job slots: how contested each job's open slots are, from a fractional plan.
#
# The workers expected to look and the open jobs make a fractional assignment problem (each
# worker at most one job, a job at most its open slots), worth the pair score less a
# reservation score per placed worker. Its dual gives every job a price: what one more slot
# there would add to the plan. A job that workers with no other option need is dear; one
# that only workers with good alternatives want, or that has slots to spare, is cheap or
# free. A feed discounts each job by its price, so a worker with choices leaves the dear
# jobs to those without, while a worker's only job stays their only (and first) job.
#
# The problem is solved with an entropy term (temperature PRICE_TEMPERATURE), by alternating
# exact updates of the workers' and the jobs' dual variables (a Sinkhorn iteration with
# inequality constraints). Each round is two passes over the pairs, with no sort: 60 rounds
# take milliseconds over a district's 12,000 pairs and about 3 s over 2.9 million (10,000
# workers); a later solve starts from the last prices and needs a few rounds.

IntArray = NDArray[np.int64]
# (worker row, job row, score) per part; rows of any integer type (int32 halves their memory)
RowArray = NDArray[np.integer[Any]]
PriceParts = Sequence[tuple[RowArray, RowArray, FloatArray]]

# Chosen on the bench family's tuning members (`python -m bench match`), never the held-out
# one; the push that uses the prices and its figures are above (PRICE_PUSH).
# The plan's temperature, in score units: 0.01 to 0.04 did alike, 0.08 lost fill.
PRICE_TEMPERATURE = 0.02
# A placement is worth the pair score less this (0 would value any placement). At 0 and 0.2
# the short-trip member's satisfaction fell below nearest-first's on some seeds; at 0.5 and
# 0.6 workers whose best pairs are weak drop out of the plan, their only jobs look free, and
# the worst fill fell (0.951, 0.913 on 5 seeds against 0.964 at 0.4).
RESERVATION_SCORE = 0.4
PRICE_ROUNDS = 60  # rounds of a solve from scratch; a warm start needs a few
# Exponents of exp() stay inside this, so sums never overflow whatever the temperature.
EXPONENT_BOUND = 600.0


def _exp(values: FloatArray) -> FloatArray:
    result: FloatArray = np.exp(np.clip(values, -EXPONENT_BOUND, EXPONENT_BOUND))
    return result


def _log(values: NDArray[Any]) -> FloatArray:  # numpy types bincount's sums as integers
    with np.errstate(divide="ignore"):
        result: FloatArray = np.log(values, dtype=np.float64)
    return result


def slot_prices_of_parts(
    parts: PriceParts,
    slots_left: IntArray,
    n_workers: int,
    *,
    rounds: int = PRICE_ROUNDS,
    prices: FloatArray | None = None,
    temperature: float = PRICE_TEMPERATURE,
    reservation: float = RESERVATION_SCORE,
) -> FloatArray:
    """Per job, the price (>= 0, in score units) of one of its open slots; 0 for a full job.

    `parts` hold the (worker row, job row, score) of the feasible pairs; a worker's pairs
    never span two parts, so a market goes part by part within bounded memory. `prices`
    (per job) starts the solve where an earlier one ended.
    """
    n_jobs = len(slots_left)
    price = np.zeros(n_jobs) if prices is None else np.asarray(prices, dtype=np.float64).copy()
    log_slots = np.log(np.maximum(slots_left, 1).astype(np.float64))
    live = []
    for worker, job, score in parts:
        keep = slots_left[job] > 0
        live.append((worker[keep], job[keep], (score[keep] - reservation) / temperature))
    scaled = price / temperature
    for _ in range(rounds):
        pull = np.zeros(n_jobs)
        for worker, job, value in live:
            # the worker's dual: their best surplus, softened; 0 when staying idle is better
            total = np.bincount(worker, weights=_exp(value - scaled[job]), minlength=n_workers)
            utility = np.maximum(0.0, _log(total))
            pull += np.bincount(job, weights=_exp(value - utility[worker]), minlength=n_jobs)
        # the job's dual: high enough that the plan never puts more than its slots there
        scaled = np.maximum(0.0, _log(pull) - log_slots)
    result: FloatArray = np.where(slots_left > 0, scaled * temperature, 0.0)
    return result


def slot_prices(
    worker: IntArray,
    job: IntArray,
    score: FloatArray,
    slots_left: IntArray,
    *,
    rounds: int = PRICE_ROUNDS,
    prices: FloatArray | None = None,
) -> FloatArray:
    """`slot_prices_of_parts` for the pairs of one part."""
    n_workers = int(worker.max(initial=-1)) + 1
    return slot_prices_of_parts(
        [(worker, job, score)], slots_left, n_workers, rounds=rounds, prices=prices
    )
