"""Shadow prices of job slots: how contested each job's open slots are, from a fractional plan.

The workers expected to look and the open jobs make a fractional assignment problem (each
worker at most one job, a job at most its open slots), worth the pair score less a
reservation score per placed worker. Its dual gives every job a price: what one more slot
there would add to the plan. A job that workers with no other option need is dear; one
that only workers with good alternatives want, or that has slots to spare, is cheap or
free. A feed discounts each job by its price, so a worker with choices leaves the dear
jobs to those without, while a worker's only job stays their only (and first) job.

The problem is solved with an entropy term (temperature PRICE_TEMPERATURE), by alternating
exact updates of the workers' and the jobs' dual variables (a Sinkhorn iteration with
inequality constraints). Each round is two passes over the pairs, with no sort: a few
dozen rounds over a city's pairs take milliseconds, and a later solve starts from the
last prices.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
PriceParts = Sequence[tuple[IntArray, IntArray, FloatArray]]  # (worker, job, score) per part

# Chosen on the bench family's tuning members (`python -m bench match`), never the held-out
# one; the push that uses the prices and its figures are in matching/score.py.
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
