"""Spatial candidate retrieval: one k-d tree per job trade, on points of the unit sphere.

A worker can only take jobs of the few trades their skills reach, inside their radius, so
the index is split by trade and each worker queries only the trees of trades they can do.

Jobs sit on the unit sphere as 3-d vectors, where the straight-line (chord) distance grows
with the great-circle distance, so a Euclidean k-d tree (scipy's cKDTree) finds exactly
the jobs a haversine BallTree would, several times faster and in parallel over a batch.

Ranked lists come from a *capped* retrieval: per trade, only the RETRIEVAL_CAP nearest
jobs inside the radius. A dense city gives a general labourer with a 30 km radius some
30,000 jobs in reach; scoring them all made the slowest feeds ten times the median and a
whole-city ranking take minutes, while a list of ten is drawn from the nearest few hundred
anyway (distance is in the score, and the bench measures what the cap costs). The exact
retrieval (`cap=None`) stays for dispatch and for the offline optimum it is checked against.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from matching.columns import JobColumns, PairScores, WorkerColumns, score_pairs
from matching.geo import EARTH_RADIUS_KM
from matching.model import Job, Match, Worker
from matching.rank import crowding_key, lists_made_once, matches_for, top_k_per_group
from matching.score import (
    DEFAULT_STRENGTH,
    MarketContext,
    Weights,
    demand_shares,
    flexibility_factor,
    price_factor,
    rotation_factor,
    slot_prices_of_parts,
)

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

RETRIEVAL_CAP = 256  # nearest jobs per trade a ranked list is drawn from
PARALLEL_QUERY = 256  # a batch of this many points or more is queried on every core


def _threads(n_points: int) -> int:
    """Threads for a tree query: starting them costs more than a small batch takes."""
    return -1 if n_points >= PARALLEL_QUERY else 1


# the tree's bound is padded so rounding never drops a job the exact haversine test keeps
BOUND_SLACK = 1e-9
REASON_FEATURES = 2  # a reason reads trade fit and time fit, the first two features


def unit_vectors(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """(n x 3) points on the unit sphere for latitudes and longitudes in degrees."""
    phi, lmb = np.radians(lat), np.radians(lon)
    result: FloatArray = np.column_stack(
        (np.cos(phi) * np.cos(lmb), np.cos(phi) * np.sin(lmb), np.sin(phi))
    )
    return result


def chord_bound(radius_km: FloatArray) -> FloatArray:
    """The unit-sphere chord of a great-circle radius, padded a hair for rounding."""
    angle = np.minimum(np.asarray(radius_km, dtype=np.float64) / EARTH_RADIUS_KM, np.pi)
    result: FloatArray = 2 * np.sin(angle / 2) * (1 + BOUND_SLACK) + BOUND_SLACK
    return result


def _nearest(
    tree: cKDTree, points: FloatArray, bounds: FloatArray, cap: int
) -> tuple[IntArray, IntArray]:
    """(query row, tree row) of each point's `cap` nearest tree points within its bound."""
    k = min(cap, tree.n)
    distance, found = tree.query(
        points, k=k, distance_upper_bound=float(bounds.max()), workers=_threads(len(points))
    )
    distance, found = distance.reshape(len(points), k), found.reshape(len(points), k)
    rows, cols = np.nonzero(distance <= bounds[:, None])  # missing neighbours are inf
    return rows.astype(np.int64), found[rows, cols].astype(np.int64)


def _within(tree: cKDTree, points: FloatArray, bounds: FloatArray) -> tuple[IntArray, IntArray]:
    """(query row, tree row) of every tree point within each point's bound."""
    found = tree.query_ball_point(
        points, r=bounds, workers=_threads(len(points)), return_sorted=False
    )
    counts = np.fromiter((len(f) for f in found), dtype=np.int64, count=len(found))
    if counts.sum() == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    rows = np.repeat(np.arange(len(points), dtype=np.int64), counts)
    return rows, np.concatenate([np.asarray(f, dtype=np.int64) for f in found if f])


class JobIndex:
    """Open jobs indexed by trade and place; answers feeds for one worker or a whole market."""

    def __init__(self, jobs: Sequence[Job], *, leaf_size: int = 16) -> None:
        self.jobs = JobColumns.build(jobs)
        self._position = {job_id: i for i, job_id in enumerate(self.jobs.ids)}
        self._trees: dict[int, tuple[cKDTree, IntArray]] = {}
        self._context_cache: tuple[MarketContext, FloatArray, FloatArray] | None = None
        points = unit_vectors(self.jobs.lat, self.jobs.lon)
        for trade in np.unique(self.jobs.trade):
            members = np.flatnonzero(self.jobs.trade == trade)
            self._trees[int(trade)] = (cKDTree(points[members], leafsize=leaf_size), members)

    def _context_of(self, market: MarketContext) -> tuple[FloatArray, FloatArray]:
        """The context's job demand and slot prices as arrays over the index's rows, built
        once per context."""
        if self._context_cache is None or self._context_cache[0] is not market:
            ids = self.jobs.ids
            demand = np.array([market.job_demand.get(job_id, 0.0) for job_id in ids])
            price = np.array([market.job_price.get(job_id, 0.0) for job_id in ids])
            self._context_cache = (market, demand, price)
        return self._context_cache[1], self._context_cache[2]

    def take_slot(self, job_id: str) -> None:
        """Record that one slot of `job_id` was filled (the job leaves feeds when full)."""
        position = self._position[job_id]
        self.jobs.slots_left[position] = max(0, int(self.jobs.slots_left[position]) - 1)

    def candidates(
        self, workers: WorkerColumns, row: int, *, cap: int | None = RETRIEVAL_CAP
    ) -> IntArray:
        """Jobs of a trade the worker can do, within their radius (not yet fully checked).

        With a cap, only the `cap` nearest of each trade; `cap=None` gives every one.
        """
        return self.candidate_pairs(workers, np.array([row], dtype=np.int64), cap=cap)[1]

    def score_worker(
        self,
        workers: WorkerColumns,
        row: int,
        weights: Weights | None,
        *,
        cap: int | None = RETRIEVAL_CAP,
    ) -> PairScores:
        """Feasible, scored pairs of one worker with the jobs near them."""
        job_rows = self.candidates(workers, row, cap=cap)
        return score_pairs(workers, self.jobs, np.full_like(job_rows, row), job_rows, weights)

    def rank_for_worker(
        self,
        worker: Worker,
        *,
        k: int = 10,
        market: MarketContext | None = None,
        weights: Weights | None = None,
        cap: int | None = RETRIEVAL_CAP,
    ) -> list[Match]:
        """The worker's feed: top-k feasible jobs among the nearest of each trade, best first."""
        workers = WorkerColumns.build([worker])
        pairs = self.score_worker(workers, 0, weights, cap=cap)
        if market is None or len(pairs.score) == 0:
            key = pairs.score
        elif market.job_price:
            price = self._context_of(market)[1][pairs.job]
            key = pairs.score * price_factor(price, market.strength)
        else:
            options = float(market.worker_options.get(worker.id, 0))
            demand = self._context_of(market)[0][pairs.job]
            slots = self.jobs.slots_left[pairs.job].astype(np.float64)
            key = crowding_key(pairs, demand, np.full(len(demand), options), slots, market.strength)
        return matches_for(
            pairs, key, top_k_per_group(pairs.worker, key, pairs.score, k), workers, self.jobs
        )

    def candidate_pairs(
        self, workers: WorkerColumns, rows: IntArray, *, cap: int | None = None
    ) -> tuple[IntArray, IntArray]:
        """(worker rows, job rows) of `rows` with the jobs near them, one tree query per trade.

        `cap=None` gives every job within the radius; a cap only the nearest of each trade.
        """
        worker_parts, job_parts = [], []
        points = unit_vectors(workers.lat[rows], workers.lon[rows])
        bounds = chord_bound(workers.radius_km[rows])
        for trade, (tree, members) in self._trees.items():
            askers = np.flatnonzero(workers.fit[rows, trade] > 0)
            if len(askers) == 0:
                continue
            if cap is None:
                at, found = _within(tree, points[askers], bounds[askers])
            else:
                at, found = _nearest(tree, points[askers], bounds[askers], cap)
            worker_parts.append(rows[askers[at]])
            job_parts.append(members[found])
        if not worker_parts:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        return np.concatenate(worker_parts), np.concatenate(job_parts)

    def market_pairs(
        self,
        workers: WorkerColumns,
        weights: Weights | None = None,
        *,
        chunk: int = 4096,
        cap: int | None = None,
    ) -> PairScores:
        """Feasible pairs of the market, scored; workers go in chunks to bound memory.

        `cap=None` (the default) gives every feasible pair, as dispatch needs; a cap gives
        the pairs ranked lists are drawn from.
        """
        return join_pairs(self.market_chunks(workers, weights, chunk=chunk, cap=cap))

    def market_chunks(
        self,
        workers: WorkerColumns,
        weights: Weights | None = None,
        *,
        chunk: int = 4096,
        cap: int | None = RETRIEVAL_CAP,
        features: int | None = None,
    ) -> list[PairScores]:
        """`market_pairs` as one PairScores per chunk of consecutive worker rows.

        `features=n` keeps only the first n feature columns (a whole market's pairs are
        tens of millions; ranked lists only read trade fit and time fit).
        """
        return list(self.iter_chunks(workers, weights, chunk=chunk, cap=cap, features=features))

    def iter_chunks(
        self,
        workers: WorkerColumns,
        weights: Weights | None = None,
        *,
        chunk: int = 4096,
        cap: int | None = RETRIEVAL_CAP,
        features: int | None = None,
    ) -> Iterator[PairScores]:
        """`market_chunks` one chunk at a time, for callers that keep only part of each."""
        for start in range(0, max(1, len(workers)), chunk):
            rows = np.arange(start, min(start + chunk, len(workers)), dtype=np.int64)
            wi, ji = self.candidate_pairs(workers, rows, cap=cap)
            pairs = score_pairs(workers, self.jobs, wi, ji, weights)
            if features is not None:
                pairs.features = np.ascontiguousarray(pairs.features[:, :features])
            yield pairs


def join_pairs(parts: Sequence[PairScores]) -> PairScores:
    """One PairScores holding every pair of `parts`, in order."""
    return PairScores(
        *(np.concatenate([getattr(p, name) for p in parts]) for name in PairScores.__slots__)
    )


def competition(
    parts: Sequence[PairScores], n_workers: int, n_jobs: int
) -> tuple[FloatArray, FloatArray]:
    """Options per worker and expected demand per job (the sum of its pairs' demand shares).

    A worker's pairs never span two parts, so each part's shares are its own."""
    options = np.zeros(n_workers)
    demand = np.zeros(n_jobs)
    for part in parts:
        options += np.bincount(part.worker, minlength=n_workers)
        share = demand_shares(part.score, part.worker, n_workers)
        demand += np.bincount(part.job, weights=share, minlength=n_jobs)
    return options, demand


def market_prices(parts: Sequence[PairScores], n_workers: int, slots_left: IntArray) -> FloatArray:
    """Shadow price of a slot per job (`matching.score.slot_prices_of_parts`) over the pairs
    of `parts`."""
    triples = [(part.worker, part.job, part.score) for part in parts]
    return slot_prices_of_parts(triples, slots_left, n_workers)


def context_from_pairs(
    pairs: PairScores, workers: WorkerColumns, jobs: JobColumns, strength: float | None = None
) -> MarketContext:
    """Competition (expected demand and slot price per job) and options per worker from the
    feasible pairs."""
    options, demand = competition([pairs], len(workers), len(jobs))
    price = market_prices([pairs], len(workers), jobs.slots_left)
    extra = {} if strength is None else {"strength": strength}
    return MarketContext(
        job_demand=dict(zip(jobs.ids, demand.tolist(), strict=True)),
        worker_options=dict(zip(workers.ids, options.astype(np.int64).tolist(), strict=True)),
        job_price=dict(zip(jobs.ids, price.tolist(), strict=True)),
        **extra,
    )


def market_context(*, workers: Sequence[Worker], jobs: Sequence[Job]) -> MarketContext:
    """The competition and scarcity of a whole market, for the ranking functions.

    Counted over the pairs feeds are drawn from (the capped retrieval), as `rank_market` does.
    """
    index, worker_cols = JobIndex(jobs), WorkerColumns.build(workers)
    return context_from_pairs(join_pairs(index.market_chunks(worker_cols)), worker_cols, index.jobs)


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
    cap: int | None = RETRIEVAL_CAP,
) -> MarketRanking:
    """Top-k lists for every worker (and every job) of a market, market-aware; the workers'
    lists settled as lists made once (`matching.rank.settle_lists`).

    Workers go in chunks, and each chunk's lists are picked from its own pairs, since a
    worker's pairs never span two chunks; only the competition figures need all of them.
    """
    index, worker_cols = JobIndex(jobs), WorkerColumns.build(workers)
    parts = index.market_chunks(worker_cols, weights, cap=cap, features=REASON_FEATURES)
    options, _ = competition(parts, len(worker_cols), len(index.jobs))
    price = market_prices(parts, len(worker_cols), index.jobs.slots_left)
    keys = [pairs.score * price_factor(price[pairs.job], DEFAULT_STRENGTH) for pairs in parts]
    lists = lists_made_once(parts, keys, index.jobs.slots_left, k)
    found: list[Match] = []
    for pairs, (listed, key) in zip(parts, lists, strict=True):
        found += matches_for(pairs, key, listed, worker_cols, index.jobs)
    feeds = _group_lists(worker_cols.ids, found, "worker")
    candidates: dict[str, list[Match]] = {}
    if both_sides:
        pairs = join_pairs(parts)
        key = (
            pairs.score
            * flexibility_factor(options[pairs.worker], DEFAULT_STRENGTH)
            * rotation_factor(worker_cols.idle_days[pairs.worker])
        )
        chosen = top_k_per_group(pairs.job, key, pairs.score, k)
        matches = matches_for(pairs, key, chosen, worker_cols, index.jobs)
        candidates = _group_lists(index.jobs.ids, matches, "job")
    return MarketRanking(workers=feeds, jobs=candidates)
