"""The open jobs of the market, in memory: the feed's read model (state only, no database).

Each replica keeps one `JobBook`. It holds every open, visible job as the matching module
sees it, in the matching module's spatial layout (one k-d tree per job trade, on points of
the unit sphere), and answers a worker's feed without a query: retrieval is nearest first
(the nearest jobs of each trade the worker can do within their radius, more while a job
further out could still make the list) and exact (it stops only when an upper bound of the
score at that distance says no further job can), then the same hard constraints, score and
market-aware ranking as `matching.rank.rank_jobs_for_worker`.

Changes arrive as whole jobs (`upsert`) or ids (`remove`), from the event stream (see
`market.feed.readmodel`). A big base segment keeps its trees; changed and new jobs go to a
small delta segment rebuilt on each change, without trees (its few hundred rows are
searched whole); a changed or gone job is masked out of the base. When the delta grows or
the base holds many dead rows, both are merged into a new base. Readers take the current
`Snapshot` (immutable once published), so a feed never waits for a writer and never sees
half a change.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from matching import model as m
from matching.columns import JobColumns, PairScores, WorkerColumns, score_pairs
from matching.geo import EARTH_RADIUS_KM
from matching.index import chord_bound, unit_vectors
from matching.rank import crowding_key, matches_for, top_k_per_group
from matching.score import (
    DEFAULT_STRENGTH,
    DEFAULT_WEIGHTS,
    FULL_SHIFT_SHARE,
    PINNED_RANK,
    Weights,
    distance_fit,
    price_factor,
    rating_fit,
    reliability_fit,
    wage_fit,
)

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# changed jobs kept beside the base before the two are merged. Each change rebuilds the
# delta and every DELTA_MAX changes the base is rebuilt: with a delta of up to 512 jobs
# and its trees a change cost 1.2 ms (2,000 open jobs) and 1.4 ms (20,000); tree-less and
# up to 256, 0.5 and 0.75 ms, feeds no slower (`python -m bench book`)
DELTA_MAX = 256
DEAD_SHARE = 0.25  # share of masked-out base rows that triggers a merge
# nearest jobs per trade looked at first; more only if they could rank (on the bench's market
# the bound stops after the first 32: a rank costs 0.71 ms, 0.87 ms starting from 128)
FIRST_K = 32


@dataclass(frozen=True, slots=True)
class OpenJob:
    """One open job: its public row (Job's columns, in `fields` order) and matching view."""

    row: tuple[Any, ...]
    certificates: tuple[str, ...]  # as listed by the employer
    model: m.Job
    employer_id: int = 0


class Segment:
    """Jobs in columns with one k-d tree per trade (or, without `trees`, a few hundred jobs
    searched whole); immutable once built."""

    def __init__(self, jobs: Sequence[OpenJob], *, trees: bool = True) -> None:
        self.jobs = list(jobs)
        self.columns = JobColumns.build([j.model for j in self.jobs])
        self.row_of = {j.model.id: i for i, j in enumerate(self.jobs)}
        self.employer = np.array([j.employer_id for j in self.jobs], dtype=np.int64)
        self.trees: dict[int, tuple[cKDTree, IntArray]] = {}
        cols = self.columns
        self.max_wage = float(cols.wage.max()) if self.jobs else 0.0
        self.max_shift_s = float((cols.end - cols.start).max()) if self.jobs else 0.0
        points = unit_vectors(self.columns.lat, self.columns.lon) if self.jobs else None
        self.points = None if trees else points  # searched whole when there are no trees
        if points is not None and trees:
            for trade in np.unique(self.columns.trade):
                members = np.flatnonzero(self.columns.trade == trade)
                self.trees[int(trade)] = (cKDTree(points[members], leafsize=16), members)

    def nearest(
        self, workers: WorkerColumns, trades: frozenset[int] | None, k: int | None
    ) -> tuple[IntArray, float]:
        """Rows of the `k` nearest jobs (None: all) of each trade the worker can do within
        their radius, and the distance in km from which jobs may have been left out (inf
        when none was): every job not returned lies at least that far away."""
        point = unit_vectors(workers.lat[:1], workers.lon[:1])[0]
        bound = float(chord_bound(workers.radius_km[:1])[0])
        if self.points is not None:  # no trees: every job within the radius, none left out
            codes, chord = self.columns.trade, np.linalg.norm(self.points - point, axis=1)
            ok = (workers.fit[0, codes] > 0) & (chord <= bound)
            if trades is not None:
                ok &= np.isin(codes, list(trades))
            return np.flatnonzero(ok), float("inf")
        found, edge = [], np.inf
        for trade, (tree, members) in self.trees.items():
            if workers.fit[0, trade] <= 0 or (trades is not None and trade not in trades):
                continue
            if k is None or k >= tree.n:
                found.append(
                    members[np.asarray(tree.query_ball_point(point, r=bound), dtype=np.int64)]
                )
                continue
            chord, at = tree.query(point, k=k, distance_upper_bound=bound)
            chord, at = np.atleast_1d(chord), np.atleast_1d(at)
            near = np.isfinite(chord)
            found.append(members[at[near]])
            if near.all():  # all k inside the radius: more may lie beyond the k-th
                edge = min(edge, float(chord[-1]))
        rows = np.concatenate(found) if found else np.empty(0, dtype=np.int64)
        return rows, chord_km(edge)


def chord_km(chord: float) -> float:
    """The great-circle km of a unit-sphere chord, rounded down a hair (a safe lower bound)."""
    if not np.isfinite(chord):
        return float("inf")
    km = 2 * EARTH_RADIUS_KM * float(np.arcsin(min(1.0, chord / 2)))
    return max(0.0, km * (1 - 1e-9) - 1e-6)


def best_possible(
    workers: WorkerColumns,
    distance_km: float,
    *,
    wage: float,
    shift_s: float,
    weights: Weights | None = None,
) -> float:
    """An upper bound of the score (and so of the ranking key) of any job this worker can
    be paired with at `distance_km` or further, paying at most `wage` for a shift of at
    most `shift_s` seconds: trade fit at the worker's best, the shift in their shortest
    availability window, everything else at its best."""
    windows = workers.avail_end[0] - workers.avail_start[0]
    shortest = float(np.nanmin(windows)) if np.isfinite(windows).any() else np.inf
    share = min(1.0, shift_s / shortest) if shortest > 0 else 1.0
    features = np.array(
        [
            float(workers.fit[0].max()),
            min(1.0, share / FULL_SHIFT_SHARE),
            float(distance_fit(np.array(distance_km))),
            float(wage_fit(np.array(wage), workers.min_wage[:1])[0]),
            float(reliability_fit(workers.reliability[:1])[0]),
            float(rating_fit(workers.rating[:1], np.array([5.0]))[0]),
        ]
    )
    return float(features @ (weights or DEFAULT_WEIGHTS).vector())


@dataclass(frozen=True, slots=True)
class Snapshot:
    base: Segment
    alive: BoolArray  # base rows still current
    delta: Segment
    base_demand: FloatArray  # pending applications per base row (the competition)
    delta_demand: FloatArray
    # slot prices per row (`market.feed.prices`), None until the first solve: feeds lean by
    # price when there are prices, else by the pending applications
    base_price: FloatArray | None = None
    delta_price: FloatArray | None = None


@dataclass(frozen=True, slots=True)
class Window:
    """Which jobs a feed may show: shifts starting after `after`, from `since` and before
    `before` (epoch seconds), of the given trades, not posted by `employers_out`."""

    after: float
    since: float | None = None
    before: float | None = None
    trades: frozenset[int] | None = None  # job trade columns; None: every trade
    employers_out: frozenset[int] = frozenset()  # whose jobs never show (blocks)


class JobBook:
    """Every open job of the market, kept current by `upsert`/`remove`, read by `rank`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, OpenJob] = {}
        self._pending: dict[str, int] = {}
        self._delta: dict[str, OpenJob] = {}
        self._dead: set[int] = set()
        self._price: dict[str, float] | None = None
        empty = Segment([])
        self.snapshot = Snapshot(empty, np.ones(0, dtype=np.bool_), empty, np.zeros(0), np.zeros(0))

    def __len__(self) -> int:
        return len(self._jobs)

    def replace_all(self, jobs: Iterable[OpenJob], pending: dict[str, int]) -> None:
        """Start over from a full load of the open jobs."""
        with self._lock:
            self._jobs = {j.model.id: j for j in jobs}
            self._pending = {k: v for k, v in pending.items() if v}
            self._merge()

    def update(
        self, *, upsert: Iterable[OpenJob], remove: Iterable[str], pending: dict[str, int]
    ) -> None:
        """Put changed jobs in, take gone ones out, set pending counts of the jobs given."""
        with self._lock:
            base = self.snapshot.base
            for job_id in [*remove, *(j.model.id for j in upsert)]:
                self._jobs.pop(job_id, None)
                self._delta.pop(job_id, None)
                row = base.row_of.get(job_id)
                if row is not None:
                    self._dead.add(row)
            for job in upsert:
                self._jobs[job.model.id] = job
                self._delta[job.model.id] = job
            for job_id, count in pending.items():
                if count:
                    self._pending[job_id] = count
                else:
                    self._pending.pop(job_id, None)
            if len(self._delta) > DELTA_MAX or len(self._dead) > DEAD_SHARE * len(base.jobs):
                self._merge()
            else:
                alive = np.ones(len(base.jobs), dtype=np.bool_)
                alive[list(self._dead)] = False
                self._publish(base, alive, Segment(list(self._delta.values()), trees=False))

    def open_models(self, after: float) -> list[m.Job]:
        """The open jobs as matching sees them whose shift starts after `after` (epoch s)."""
        with self._lock:
            jobs = list(self._jobs.values())
        return [j.model for j in jobs if j.model.start.timestamp() > after]

    @property
    def prices(self) -> dict[str, float]:
        """The last solved price per job id (empty before the first solve)."""
        return self._price or {}

    def set_prices(self, prices: dict[str, float]) -> None:
        """Lean feeds by these slot prices from now on (a job not in them counts as free)."""
        with self._lock:
            self._price = prices
            snap = self.snapshot
            self._publish(snap.base, snap.alive, snap.delta, repriced=True)

    def _merge(self) -> None:
        now = time.time()  # a shift that has started is in no feed: its job leaves memory
        self._jobs = {i: j for i, j in self._jobs.items() if j.model.start.timestamp() > now}
        base = Segment(list(self._jobs.values()))
        self._delta, self._dead = {}, set()
        alive = np.ones(len(base.jobs), dtype=np.bool_)
        self._publish(base, alive, Segment([]))

    def _publish(
        self, base: Segment, alive: BoolArray, delta: Segment, *, repriced: bool = False
    ) -> None:
        price, last = self._price, self.snapshot
        base_price = None
        if price is not None:  # the same base and prices: its column as it was (30k rows)
            same = last.base is base and last.base_price is not None and not repriced
            base_price = last.base_price if same else _per_row(base, price)
        self.snapshot = Snapshot(
            base,
            alive,
            delta,
            _per_row(base, self._pending),
            _per_row(delta, self._pending),
            base_price,
            None if price is None else _per_row(delta, price),
        )

    def rank(
        self,
        worker: m.Worker,
        *,
        k: int,
        window: Window,
        first_k: int | None = FIRST_K,
        weights: Weights | None = None,
    ) -> list[tuple[m.Match, OpenJob]]:
        """The worker's feed: the k best feasible jobs, best first, ranked as
        `matching.rank.rank_jobs_for_worker` ranks them with the slot prices (before the
        first solve: the pending applications) as the competition, over every open job
        within the worker's radius.

        Retrieval is nearest first and exact: the `first_k` nearest jobs of each trade,
        four times more while a job further out could still score into the list (an upper
        bound of its score at that distance says so), up to all of them (`first_k=None`
        takes all at once). `weights` score the pairs (None: the defaults)."""
        snap = self.snapshot
        workers = WorkerColumns.build([worker])
        want = max(k, PINNED_RANK)
        first: int | None = first_k
        while True:
            parts, edge = self._candidates(snap, workers, window, first, weights)
            if not parts:  # no job in memory at all
                return []
            key = np.concatenate([p[2] for p in parts])
            score = np.concatenate([p[1].score for p in parts])
            if first is None or not np.isfinite(edge):
                break
            # nearest first: stop once no job further out can make the list (or be pinned)
            if len(key) >= want:
                threshold = min(
                    float(np.partition(key, len(key) - want)[len(key) - want]), float(score.max())
                )
                wage = max(snap.base.max_wage, snap.delta.max_wage)
                shift = max(snap.base.max_shift_s, snap.delta.max_shift_s)
                best = best_possible(workers, edge, wage=wage, shift_s=shift, weights=weights)
                if best < threshold - 1e-12:
                    break
            first *= 4
        chosen = top_k_per_group(np.zeros(len(key), dtype=np.int64), key, score, k)
        sizes = np.cumsum([0] + [len(p[1].score) for p in parts])
        found: dict[int, tuple[m.Match, OpenJob]] = {}
        for i, (segment, pairs, part_key) in enumerate(parts):
            mine = chosen[(chosen >= sizes[i]) & (chosen < sizes[i + 1])]
            local = mine - sizes[i]
            for at, match in zip(
                mine.tolist(),
                matches_for(pairs, part_key, local, workers, segment.columns),
                strict=True,
            ):
                found[at] = (match, segment.jobs[segment.row_of[match.job]])
        return [found[at] for at in chosen.tolist()]

    @staticmethod
    def _candidates(
        snap: Snapshot,
        workers: WorkerColumns,
        window: Window,
        first: int | None,
        weights: Weights | None = None,
    ) -> tuple[list[tuple[Segment, PairScores, FloatArray]], float]:
        """Scored feasible pairs per segment, and the km from which jobs were left out."""
        parts: list[tuple[Segment, PairScores, FloatArray]] = []
        edge = float("inf")
        for segment, alive, demand, price in (
            (snap.base, snap.alive, snap.base_demand, snap.base_price),
            (snap.delta, None, snap.delta_demand, snap.delta_price),
        ):
            if not segment.jobs:  # most of the time the delta: nothing to look up or score
                continue
            rows, left_out = segment.nearest(workers, window.trades, first)
            edge = min(edge, left_out)
            if alive is not None:
                rows = rows[alive[rows]]
            start = segment.columns.start[rows]
            keep = start > window.after
            if window.since is not None:
                keep &= start >= window.since
            if window.before is not None:
                keep &= start < window.before
            if window.employers_out:  # left out before ranking: the page stays full
                keep &= ~np.isin(segment.employer[rows], list(window.employers_out))
            rows = rows[keep]
            pairs = score_pairs(workers, segment.columns, np.zeros_like(rows), rows, weights)
            parts.append((segment, pairs, _key(pairs, segment, demand, price)))
        return parts, edge


def _per_row(segment: Segment, per_job: Mapping[str, float]) -> FloatArray:
    """Per row of the segment, its job's figure (pending applications, price), else 0."""
    column = np.zeros(len(segment.jobs))
    if len(per_job) <= len(segment.jobs):
        for job_id, value in per_job.items():
            row = segment.row_of.get(job_id)
            if row is not None:
                column[row] = value
    else:
        for job_id, row in segment.row_of.items():
            column[row] = per_job.get(job_id, 0.0)
    return column


def _key(
    pairs: PairScores, segment: Segment, demand: FloatArray, price: FloatArray | None
) -> FloatArray:
    """Pair scores leaned away from dear jobs (by slot price), or before the first solve from
    jobs others already applied to, as `matching.rank.job_side_key` leans them."""
    if not len(pairs.score):
        return pairs.score
    if price is not None:
        leaned: FloatArray = pairs.score * price_factor(price[pairs.job], DEFAULT_STRENGTH)
        return leaned
    slots = segment.columns.slots_left[pairs.job].astype(np.float64)
    options = np.zeros(len(pairs.score))
    return crowding_key(pairs, demand[pairs.job], options, slots, DEFAULT_STRENGTH)
