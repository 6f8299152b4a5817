"""`linggong match bench`: market quality against the offline optimum, and speed.

Quality: simulated workers arrive in random order, look at the top-k list a ranker shows
them (only jobs with open slots) and take the first job they like; their liking is
hidden from every ranker. The same market is replayed with each ranker and compared with
the offline optimum over the same acceptable pairs.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from matching.columns import PairScores, WorkerColumns
from matching.context import DEFAULT_STRENGTH, crowding_factor, job_pressure
from matching.dispatch import assign_pairs, dispatch
from matching.index import JobIndex, context_from_pairs, rank_market
from matching.model import Job, Worker
from matching.rank import top_k_per_group
from matching.simulate import HiddenTaste, hidden_taste, make_market

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
Ranker = Callable[[IntArray, FloatArray], FloatArray]  # (pair positions, pressure) -> sort key
RANKERS = ("linggong", "pair-only", "nearest", "random")


@contextmanager
def peak_rss() -> Iterator[dict[str, float]]:
    """Samples resident memory every 5 ms; yields a dict that gets 'peak_mb' above the start."""
    page = os.sysconf("SC_PAGE_SIZE")
    result: dict[str, float] = {}
    stop = threading.Event()

    def rss() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * page

    start, peak = rss(), [rss()]

    def sample() -> None:
        while not stop.wait(0.005):
            peak[0] = max(peak[0], rss())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield result
    finally:
        stop.set()
        sampler.join()
        result["peak_mb"] = round(max(peak[0], rss()) - start, 0) / 2**20


def _rankers(pairs: PairScores, rng: np.random.Generator) -> dict[str, Ranker]:
    noise = rng.random(len(pairs.score))
    return {
        "linggong": lambda idx, pressure: (
            pairs.score[idx] * crowding_factor(pressure, DEFAULT_STRENGTH)
        ),
        "pair-only": lambda idx, pressure: pairs.score[idx],
        "nearest": lambda idx, pressure: -pairs.distance_km[idx],
        "random": lambda idx, pressure: noise[idx],
    }


def simulate_arrivals(
    pairs: PairScores,
    taste: HiddenTaste,
    slots_left: IntArray,
    ranker: Ranker,
    *,
    k: int,
    seed: int,
) -> IntArray:
    """Positions of the pairs that ended up placed when workers pick from their lists in turn."""
    order_by_worker = np.argsort(pairs.worker, kind="stable")
    n_workers = int(pairs.worker.max(initial=-1)) + 1
    bounds = np.searchsorted(pairs.worker[order_by_worker], np.arange(n_workers + 1))
    options = np.bincount(pairs.worker, minlength=n_workers)
    share = 1.0 / np.maximum(options, 1)
    demand = np.bincount(pairs.job, weights=share[pairs.worker], minlength=len(slots_left))
    slots = slots_left.copy()
    placed = []
    for worker in np.random.default_rng(seed).permutation(n_workers):
        mine = order_by_worker[bounds[worker] : bounds[worker + 1]]
        np.subtract.at(demand, pairs.job[mine], share[worker])  # no longer someone else
        mine = mine[slots[pairs.job[mine]] > 0]
        if len(mine) == 0:
            continue
        here = pairs.job[mine]
        open_slots = np.asarray(slots[here], dtype=np.float64)
        pressure = job_pressure(
            np.asarray(demand[here], dtype=np.float64), np.zeros(len(mine)), open_slots
        )
        key = ranker(mine, pressure)
        shown = mine[top_k_per_group(np.zeros(len(mine), np.int64), key, pairs.score[mine], k)]
        liked = shown[taste.accepts[shown]]
        if len(liked):
            placed.append(liked[0])
            slots[pairs.job[liked[0]]] -= 1
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


def quality(workers: list[Worker], jobs: list[Job], *, seed: int, k: int = 10) -> dict[str, Any]:
    """Replay the market with each ranker and compare with the offline optimum."""
    index, worker_cols = JobIndex(jobs), WorkerColumns.build(workers)
    pairs = index.market_pairs(worker_cols)
    taste = hidden_taste(pairs, index.jobs.wage, worker_cols.min_wage, seed)
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
        "optimum_fill": opt_fill,
        "dispatch_fill_vs_max": len(chosen) / max(1, max_fill(pairs, slots)),
        "dispatch_s": dispatch_s,
        "rankers": {},
    }
    for name, ranker in _rankers(pairs, np.random.default_rng(seed)).items():
        got = simulate_arrivals(pairs, taste, slots, ranker, k=k, seed=seed)
        earnings = np.zeros(len(workers))
        earnings[pairs.worker[got]] = index.jobs.wage[pairs.job[got]]
        figures["rankers"][name] = {
            "fill_vs_optimum": len(got) / max(1, opt_fill),
            "satisfaction_vs_optimum": float(taste.liking[got].sum()) / max(opt_joy, 1e-9),
            "median_km": float(np.median(pairs.distance_km[got])) if len(got) else 0.0,
            "placed_share": len(got) / max(1, len(workers)),
            "earnings_gini": _gini(earnings),
        }
    return figures


def _timed(action: Callable[[], object]) -> dict[str, float]:
    with peak_rss() as memory:
        started = time.perf_counter()
        action()
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "peak_mb": round(memory["peak_mb"], 1)}


def speed(
    *, sizes: list[tuple[int, int]], feed_jobs: int, dispatch_size: tuple[int, int], seed: int
) -> dict[str, Any]:
    """Whole-market ranking, single-worker feed latency and dispatch time, with peak memory."""
    figures: dict[str, Any] = {"rank_market": {}}
    for n_workers, n_jobs in sizes:
        workers, jobs = make_market(workers=n_workers, jobs=n_jobs, seed=seed)
        figures["rank_market"][f"{n_workers}x{n_jobs}"] = _timed(
            lambda w=workers, j=jobs: rank_market(w, j, k=10, both_sides=False)  # type: ignore[misc]
        )
    # the context only feeds a per-candidate lookup, so a 10k-worker sample is enough here
    workers, jobs = make_market(
        workers=min(10_000, max(1000, feed_jobs // 3)), jobs=feed_jobs, seed=seed + 1
    )
    index = JobIndex(jobs)
    worker_cols = WorkerColumns.build(workers)
    context = context_from_pairs(index.market_pairs(worker_cols), worker_cols, index.jobs)
    latencies = []
    with peak_rss() as memory:
        for worker in workers[:2000]:
            started = time.perf_counter()
            index.rank_for_worker(worker, k=10, market=context)
            latencies.append(time.perf_counter() - started)
    ms = np.array(latencies) * 1000
    figures["feed"] = {
        "open_jobs": feed_jobs,
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p99_ms": round(float(np.percentile(ms, 99)), 3),
        "peak_mb": round(memory["peak_mb"], 1),
    }
    workers, jobs = make_market(workers=dispatch_size[0], jobs=dispatch_size[1], seed=seed + 2)
    figures["dispatch"] = {
        f"{dispatch_size[0]}x{dispatch_size[1]}": _timed(lambda: dispatch(workers, jobs))
    }
    return figures
