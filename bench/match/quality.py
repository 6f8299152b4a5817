"""Market quality against the offline optimum, for `bench match` (speed: bench.match.speed).

Quality: simulated workers arrive in random order, look at the top-k list a ranker shows
them (only jobs with open slots) and take the first job they like; their liking is
hidden from every ranker. The same market is replayed with each ranker and compared with
the offline optimum over the same acceptable pairs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from bench.match.simulate import MIXED, HiddenTaste, Taste, hidden_taste, make_market
from matching.columns import PairScores, WorkerColumns
from matching.dispatch import assign_pairs
from matching.index import RETRIEVAL_CAP, JobIndex, market_prices
from matching.model import Job, Worker
from matching.rank import lists_made_once, top_k_per_group
from matching.score import (
    DEFAULT_STRENGTH,
    PRICE_ROUNDS,
    Weights,
    demand_shares,
    job_pressure,
    price_factor,
    slot_prices,
)

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
# (pair positions, their jobs' demand pressure, their jobs' slot prices) -> sort key
Ranker = Callable[[IntArray, FloatArray, FloatArray], FloatArray]
RANKERS = ("linggong", "pair-only", "nearest", "random", "uncapped")
# The same market with lists made once, before anyone arrives (what `linggong match rank`
# prints): our ranker with the prices of the whole market, and nearest-first
ONCE = ("linggong-once", "nearest-once")
# Slot prices are solved again this many times per replay, over the workers yet to arrive
# and the slots still open (every 20 arrivals in a family market), each solve starting from
# the last prices with WARM_ROUNDS rounds.
PRICE_REFRESHES = 75
WARM_ROUNDS = 10


def _rankers(
    pairs: PairScores, rng: np.random.Generator, strength: float = DEFAULT_STRENGTH
) -> dict[str, Ranker]:
    noise = rng.random(len(pairs.score))
    return {
        "linggong": lambda idx, pressure, price: pairs.score[idx] * price_factor(price, strength),
        "pair-only": lambda idx, pressure, price: pairs.score[idx],
        "nearest": lambda idx, pressure, price: -pairs.distance_km[idx],
        "random": lambda idx, pressure, price: noise[idx],
    }


class _Prices:
    """Slot prices over the workers yet to arrive, solved again every `every` arrivals."""

    def __init__(self, pairs: PairScores, n_workers: int) -> None:
        self.pairs = pairs
        self.every = max(1, -(-n_workers // PRICE_REFRESHES))
        self.waiting = np.ones(n_workers, dtype=bool)
        self.price: FloatArray | None = None

    def at(self, arrival: int, worker: int, slots: IntArray) -> FloatArray:
        """Per job, the price the `arrival`-th worker (`worker`) is shown."""
        if self.price is None or arrival % self.every == 0:
            keep = self.waiting[self.pairs.worker]
            self.price = slot_prices(
                self.pairs.worker[keep],
                self.pairs.job[keep],
                self.pairs.score[keep],
                slots,
                rounds=PRICE_ROUNDS if self.price is None else WARM_ROUNDS,
                prices=self.price,
            )
        self.waiting[worker] = False
        return self.price


def simulate_arrivals(
    pairs: PairScores,
    taste: HiddenTaste,
    slots_left: IntArray,
    ranker: Ranker,
    *,
    k: int,
    seed: int,
    priced: bool = True,
) -> IntArray:
    """Positions of the pairs that ended up placed when workers pick from their lists in turn.

    With `priced`, the ranker sees slot prices (else zeros, for rankers that ignore them)."""
    order_by_worker = np.argsort(pairs.worker, kind="stable")
    n_workers = int(pairs.worker.max(initial=-1)) + 1
    bounds = np.searchsorted(pairs.worker[order_by_worker], np.arange(n_workers + 1))
    share = demand_shares(pairs.score, pairs.worker, n_workers)  # as matching.index counts it
    demand = np.bincount(pairs.job, weights=share, minlength=len(slots_left))
    slots = slots_left.copy()
    prices = _Prices(pairs, n_workers) if priced else None
    price = np.zeros(len(slots_left))
    placed = []
    for arrival, worker in enumerate(np.random.default_rng(seed).permutation(n_workers)):
        if prices is not None:
            price = prices.at(arrival, int(worker), slots)
        mine = order_by_worker[bounds[worker] : bounds[worker + 1]]
        np.subtract.at(demand, pairs.job[mine], share[mine])  # no longer someone else
        mine = mine[slots[pairs.job[mine]] > 0]
        if len(mine) == 0:
            continue
        here = pairs.job[mine]
        open_slots = np.asarray(slots[here], dtype=np.float64)
        pressure = job_pressure(
            np.asarray(demand[here], dtype=np.float64), np.zeros(len(mine)), open_slots
        )
        key = ranker(mine, pressure, price[here])
        shown = mine[top_k_per_group(np.zeros(len(mine), np.int64), key, pairs.score[mine], k)]
        liked = shown[taste.accepts[shown]]
        if len(liked):
            placed.append(liked[0])
            slots[pairs.job[liked[0]]] -= 1
    return np.array(placed, dtype=np.int64)


def simulate_lists_once(
    pairs: PairScores,
    taste: HiddenTaste,
    slots_left: IntArray,
    listed: IntArray,
    *,
    seed: int,
) -> IntArray:
    """Positions of the placed pairs when every worker's list (`listed`: positions of
    `pairs`, grouped by worker, each list best first) is made once, before anyone arrives,
    and each worker in turn takes the first job on it they like that still has a place (a
    list that no longer adapts to who came first)."""
    n_workers = int(pairs.worker.max(initial=-1)) + 1
    bounds = np.searchsorted(pairs.worker[listed], np.arange(n_workers + 1))
    slots = slots_left.copy()
    placed = []
    for worker in np.random.default_rng(seed).permutation(n_workers):
        for at in listed[bounds[worker] : bounds[worker + 1]]:
            if taste.accepts[at] and slots[pairs.job[at]] > 0:
                placed.append(at)
                slots[pairs.job[at]] -= 1
                break
    return np.array(placed, dtype=np.int64)


def _gini(values: FloatArray) -> float:
    if values.sum() <= 0:
        return 0.0
    ordered = np.sort(values)
    n = len(ordered)
    return float((2 * np.arange(1, n + 1) - n - 1) @ ordered / (n * ordered.sum()))


def max_fill(pairs: PairScores, slots_left: IntArray) -> int:
    """Most slots any assignment fills (Hopcroft–Karp on slot-expanded jobs), for cross-checks."""
    width = slots_left[pairs.job]
    rep = np.repeat(np.arange(len(pairs.job)), width)
    first = np.r_[0, np.cumsum(slots_left)[:-1]]
    offset = np.arange(len(rep)) - np.repeat(np.cumsum(width) - width, width)
    cols = first[pairs.job[rep]] + offset
    n_workers = int(pairs.worker.max(initial=-1)) + 1
    graph = csr_matrix(
        (np.ones(len(rep)), (pairs.worker[rep], cols)), shape=(n_workers, int(slots_left.sum()))
    )
    return int((maximum_bipartite_matching(graph, perm_type="column") >= 0).sum())


def _subset(
    pairs: PairScores, taste: HiddenTaste, keep: NDArray[np.bool_]
) -> tuple[PairScores, HiddenTaste]:
    return PairScores(*(getattr(pairs, name)[keep] for name in PairScores.__slots__)), HiddenTaste(
        liking=taste.liking[keep], accepts=taste.accepts[keep]
    )


def retrieved(index: JobIndex, workers: WorkerColumns, pairs: PairScores, cap: int) -> BoolArray:
    """Per pair of `pairs`, whether the capped retrieval ranked lists use would find it."""
    capped = index.market_pairs(workers, cap=cap)
    width = len(index.jobs)
    result: BoolArray = np.isin(
        pairs.worker * width + pairs.job, capped.worker * width + capped.job
    )
    return result


def quality(
    workers: list[Worker],
    jobs: list[Job],
    *,
    seed: int,
    k: int = 10,
    cap: int = RETRIEVAL_CAP,
    taste_model: Taste = MIXED,
    weights: Weights | None = None,
    strength: float = DEFAULT_STRENGTH,
    only: tuple[str, ...] = RANKERS + ONCE,
) -> dict[str, Any]:
    """Replay the market with each ranker and compare with the offline optimum.

    The optimum and dispatch see every feasible pair; the rankers see what ranked lists are
    drawn from (the `cap` nearest jobs per trade), and "uncapped" is our ranker on every pair,
    so the table shows what the cap costs. `weights` and `strength` are our ranker's (the
    defaults when not given); `only` picks the rankers to replay.
    """
    index, worker_cols = JobIndex(jobs), WorkerColumns.build(workers)
    pairs = index.market_pairs(worker_cols, weights)
    taste = hidden_taste(pairs, index.jobs.wage, worker_cols.min_wage, seed, taste_model)
    shown, shown_taste = _subset(pairs, taste, retrieved(index, worker_cols, pairs, cap))
    slots = index.jobs.slots_left.copy()
    ok = np.flatnonzero(taste.accepts)
    sub = PairScores(*(getattr(pairs, name)[ok] for name in PairScores.__slots__))
    opt_fill = len(assign_pairs(sub.worker, sub.job, taste.liking[ok], slots))
    opt_joy = float(
        taste.liking[ok][
            assign_pairs(sub.worker, sub.job, taste.liking[ok], slots, fill_first=False)
        ].sum()
    )
    started = time.perf_counter()
    chosen = assign_pairs(pairs.worker, pairs.job, pairs.score, slots)
    dispatch_s = time.perf_counter() - started
    figures: dict[str, Any] = {
        "workers": len(workers),
        "jobs": len(jobs),
        "slots": int(slots.sum()),
        "feasible_pairs": len(pairs.score),
        "retrieved_pairs": len(shown.score),
        "optimum_fill": opt_fill,
        "dispatch_fill_vs_max": len(chosen) / max(1, max_fill(pairs, slots)),
        "dispatch_s": dispatch_s,
        "rankers": {},
    }
    runs = [
        (name, shown, shown_taste, ranker)
        for name, ranker in _rankers(shown, np.random.default_rng(seed), strength).items()
    ]
    uncapped = _rankers(pairs, np.random.default_rng(seed), strength)["linggong"]
    runs.append(("uncapped", pairs, taste, uncapped))
    placed: dict[str, tuple[PairScores, HiddenTaste, IntArray]] = {}
    for name, seen, seen_taste, ranker in runs:
        if name not in only:
            continue
        priced = name in ("linggong", "uncapped")
        got = simulate_arrivals(seen, seen_taste, slots, ranker, k=k, seed=seed, priced=priced)
        placed[name] = (seen, seen_taste, got)
    once = {  # as `linggong match rank` prints them: picked by the market key, then settled
        "linggong-once": lambda: lists_made_once(
            [shown],
            [
                shown.score
                * price_factor(market_prices([shown], len(worker_cols), slots)[shown.job], strength)
            ],
            slots,
            k,
        )[0][0],
        "nearest-once": lambda: top_k_per_group(shown.worker, -shown.distance_km, shown.score, k),
    }
    for name, lists in once.items():
        if name in only:
            got = simulate_lists_once(shown, shown_taste, slots, lists(), seed=seed)
            placed[name] = (shown, shown_taste, got)
    for name, (seen, seen_taste, got) in placed.items():
        earnings = np.zeros(len(workers))
        earnings[seen.worker[got]] = index.jobs.wage[seen.job[got]]
        figures["rankers"][name] = {
            "fill_vs_optimum": len(got) / max(1, opt_fill),
            "satisfaction_vs_optimum": float(seen_taste.liking[got].sum()) / max(opt_joy, 1e-9),
            "median_km": float(np.median(seen.distance_km[got])) if len(got) else 0.0,
            "placed_share": len(got) / max(1, len(workers)),
            "earnings_gini": _gini(earnings),
        }
    return figures


def cap_check(
    n_workers: int, n_jobs: int, *, seed: int, k: int = 10, cap: int = RETRIEVAL_CAP
) -> dict[str, Any]:
    """What the retrieval cap costs where it bites: a dense market, too big for the optimum,
    replayed with our ranker on the capped retrieval and on every feasible pair."""
    workers, jobs = make_market(workers=n_workers, jobs=n_jobs, seed=seed)
    index, worker_cols = JobIndex(jobs), WorkerColumns.build(workers)
    pairs = index.market_pairs(worker_cols, chunk=1024)
    taste = hidden_taste(pairs, index.jobs.wage, worker_cols.min_wage, seed)
    shown, shown_taste = _subset(pairs, taste, retrieved(index, worker_cols, pairs, cap))
    slots = index.jobs.slots_left.copy()
    placed = {}
    for name, seen, seen_taste in (("capped", shown, shown_taste), ("all", pairs, taste)):
        ranker = _rankers(seen, np.random.default_rng(seed))["linggong"]
        got = simulate_arrivals(seen, seen_taste, slots, ranker, k=k, seed=seed)
        placed[name] = (len(got), float(seen_taste.liking[got].sum()))
    return {
        "workers": n_workers,
        "jobs": n_jobs,
        "cap": cap,
        "feasible_pairs": len(pairs.score),
        "retrieved_pairs": len(shown.score),
        "fill_capped_vs_all": placed["capped"][0] / max(1, placed["all"][0]),
        "satisfaction_capped_vs_all": placed["capped"][1] / max(placed["all"][1], 1e-9),
    }
