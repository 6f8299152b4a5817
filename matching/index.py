"""Spatial candidate retrieval: one haversine BallTree per job trade.

A worker can only take jobs of the few trades their skills reach, inside their radius, so
the index is split by trade and each worker queries only the trees of trades they can do
within their radius. A feed then scores hundreds of jobs, never the whole city.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.neighbors import BallTree

from matching.columns import JobColumns, PairScores, WorkerColumns, score_pairs
from matching.context import DEFAULT_STRENGTH, MarketContext, flexibility_factor
from matching.geo import EARTH_RADIUS_KM
from matching.model import Job, Match, Worker
from matching.rank import crowding_key, matches_for, top_k_per_group
from matching.score import Weights

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


class JobIndex:
    """Open jobs indexed by trade and place; answers feeds for one worker or a whole market."""

    def __init__(self, jobs: Sequence[Job], *, leaf_size: int = 40) -> None:
        self.jobs = JobColumns.build(jobs)
        self._position = {job_id: i for i, job_id in enumerate(self.jobs.ids)}
        self._trees: dict[int, tuple[BallTree, IntArray]] = {}
        self._demand_cache: tuple[MarketContext, FloatArray] | None = None
        for trade in np.unique(self.jobs.trade):
            members = np.flatnonzero(self.jobs.trade == trade)
            points = np.radians(np.column_stack((self.jobs.lat[members], self.jobs.lon[members])))
            self._trees[int(trade)] = (
                BallTree(points, leaf_size=leaf_size, metric="haversine"),
                members,
            )

    def _demand_of(self, market: MarketContext) -> FloatArray:
        """The context's job demand as an array over the index's rows, built once per context."""
        if self._demand_cache is None or self._demand_cache[0] is not market:
            demand = np.array([market.job_demand.get(job_id, 0.0) for job_id in self.jobs.ids])
            self._demand_cache = (market, demand)
        return self._demand_cache[1]

    def take_slot(self, job_id: str) -> None:
        """Record that one slot of `job_id` was filled (the job leaves feeds when full)."""
        position = self._position[job_id]
        self.jobs.slots_left[position] = max(0, int(self.jobs.slots_left[position]) - 1)

    def candidates(self, workers: WorkerColumns, row: int) -> IntArray:
        """Jobs of a trade the worker can do, within their radius (not yet fully checked)."""
        point = np.radians([[workers.lat[row], workers.lon[row]]])
        radius = workers.radius_km[row] / EARTH_RADIUS_KM
        found = [
            members[tree.query_radius(point, r=radius)[0]]
            for trade, (tree, members) in self._trees.items()
            if workers.fit[row, trade] > 0
        ]
        return np.concatenate(found) if found else np.empty(0, dtype=np.int64)

    def score_worker(self, workers: WorkerColumns, row: int, weights: Weights | None) -> PairScores:
        """Feasible, scored pairs of one worker with the jobs near them."""
        job_rows = self.candidates(workers, row)
        return score_pairs(workers, self.jobs, np.full_like(job_rows, row), job_rows, weights)

    def rank_for_worker(
        self,
        worker: Worker,
        *,
        k: int = 10,
        market: MarketContext | None = None,
        weights: Weights | None = None,
    ) -> list[Match]:
        """The worker's feed: top-k feasible jobs of the index, best first."""
        workers = WorkerColumns.build([worker])
        pairs = self.score_worker(workers, 0, weights)
        if market is None or len(pairs.score) == 0:
            key = pairs.score
        else:
            options = float(market.worker_options.get(worker.id, 0))
            demand = self._demand_of(market)[pairs.job]
            slots = self.jobs.slots_left[pairs.job].astype(np.float64)
            key = crowding_key(pairs, demand, np.full(len(demand), options), slots, market.strength)
        return matches_for(
            pairs, key, top_k_per_group(pairs.worker, key, pairs.score, k), workers, self.jobs
        )

    def candidate_pairs(self, workers: WorkerColumns, rows: IntArray) -> tuple[IntArray, IntArray]:
        """(worker rows, job rows) of `rows` with the jobs near them, one tree query per trade."""
        worker_parts, job_parts = [], []
        points = np.radians(np.column_stack((workers.lat, workers.lon)))
        for trade, (tree, members) in self._trees.items():
            askers = rows[workers.fit[rows, trade] > 0]
            if len(askers) == 0:
                continue
            radii = workers.radius_km[askers] / EARTH_RADIUS_KM
            found = tree.query_radius(points[askers], r=radii)
            counts = np.fromiter((len(f) for f in found), dtype=np.int64, count=len(found))
            worker_parts.append(np.repeat(askers, counts))
            job_parts.append(
                members[np.concatenate(found)] if counts.sum() else np.empty(0, np.int64)
            )
        if not worker_parts:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        return np.concatenate(worker_parts), np.concatenate(job_parts).astype(np.int64)

    def market_pairs(
        self, workers: WorkerColumns, weights: Weights | None = None, *, chunk: int = 2048
    ) -> PairScores:
        """Every feasible pair of the market, scored; workers go in chunks to bound memory."""
        parts = []
        for start in range(0, max(1, len(workers)), chunk):
            rows = np.arange(start, min(start + chunk, len(workers)), dtype=np.int64)
            wi, ji = self.candidate_pairs(workers, rows)
            parts.append(score_pairs(workers, self.jobs, wi, ji, weights))
        return PairScores(
            *(np.concatenate([getattr(p, name) for p in parts]) for name in PairScores.__slots__)
        )


def context_from_pairs(
    pairs: PairScores, workers: WorkerColumns, jobs: JobColumns, strength: float | None = None
) -> MarketContext:
    """Competition (expected demand per job) and options per worker from the feasible pairs."""
    options = np.bincount(pairs.worker, minlength=len(workers))
    share = 1.0 / np.maximum(options[pairs.worker], 1)
    demand = np.bincount(pairs.job, weights=share, minlength=len(jobs))
    extra = {} if strength is None else {"strength": strength}
    return MarketContext(
        job_demand=dict(zip(jobs.ids, demand.tolist(), strict=True)),
        worker_options=dict(zip(workers.ids, options.tolist(), strict=True)),
        **extra,
    )


def market_context(*, workers: Sequence[Worker], jobs: Sequence[Job]) -> MarketContext:
    """The competition and scarcity of a whole market, for the ranking functions."""
    index, worker_cols = JobIndex(jobs), WorkerColumns.build(workers)
    return context_from_pairs(index.market_pairs(worker_cols), worker_cols, index.jobs)


@dataclass(frozen=True, slots=True)
class MarketRanking:
    workers: dict[str, list[Match]]
    jobs: dict[str, list[Match]]


def _group_lists(ids: list[str], matches: list[Match], side: str) -> dict[str, list[Match]]:
    lists: dict[str, list[Match]] = {record_id: [] for record_id in ids}
    for match in matches:
        lists[getattr(match, side)].append(match)
    return lists


def rank_market(
    workers: Sequence[Worker],
    jobs: Sequence[Job],
    k: int = 10,
    *,
    weights: Weights | None = None,
    both_sides: bool = True,
) -> MarketRanking:
    """Top-k lists for every worker (and every job) of a market, market-aware."""
    index, worker_cols = JobIndex(jobs), WorkerColumns.build(workers)
    pairs = index.market_pairs(worker_cols, weights)
    options = np.bincount(pairs.worker, minlength=len(worker_cols)).astype(np.float64)
    share = 1.0 / np.maximum(options[pairs.worker], 1)
    demand = np.asarray(
        np.bincount(pairs.job, weights=share, minlength=len(jobs)), dtype=np.float64
    )
    slots = index.jobs.slots_left[pairs.job].astype(np.float64)
    key = crowding_key(pairs, demand[pairs.job], options[pairs.worker], slots, DEFAULT_STRENGTH)
    chosen = top_k_per_group(pairs.worker, key, pairs.score, k)
    feeds = _group_lists(
        worker_cols.ids, matches_for(pairs, key, chosen, worker_cols, index.jobs), "worker"
    )
    candidates: dict[str, list[Match]] = {}
    if both_sides:
        key = pairs.score * flexibility_factor(options[pairs.worker], DEFAULT_STRENGTH)
        chosen = top_k_per_group(pairs.job, key, pairs.score, k)
        found = matches_for(pairs, key, chosen, worker_cols, index.jobs)
        candidates = _group_lists(index.jobs.ids, found, "job")
    return MarketRanking(workers=feeds, jobs=candidates)
