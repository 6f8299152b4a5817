"""The open jobs of the market, in memory: the feed's read model (state only, no database).

Each replica keeps one `JobBook`. It holds every open, visible job as the matching module
sees it, in the matching module's spatial layout (one k-d tree per job trade, on points of
the unit sphere), and answers a worker's feed without a query: retrieval is every job of a
trade the worker can do within their radius (exact, no cap), then the same hard
constraints, score and market-aware ranking as `matching.rank.rank_jobs_for_worker`.

Changes arrive as whole jobs (`upsert`) or ids (`remove`), from the event stream (see
`market.feed.readmodel`). A big base segment keeps its trees; changed and new jobs go to a
small delta segment rebuilt on each change; a changed or gone job is masked out of the
base. When the delta grows or the base holds many dead rows, both are merged into a new
base. Readers take the current `Snapshot` (immutable once published), so a feed never
waits for a writer and never sees half a change.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from matching import model as m
from matching.columns import JobColumns, PairScores, WorkerColumns, score_pairs
from matching.index import chord_bound, unit_vectors
from matching.rank import crowding_key, matches_for, top_k_per_group
from matching.score import DEFAULT_STRENGTH

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

DELTA_MAX = 512  # changed jobs kept beside the base before the two are merged
DEAD_SHARE = 0.25  # share of masked-out base rows that triggers a merge


@dataclass(frozen=True, slots=True)
class OpenJob:
    """One open job: its public row (Job's columns, in `fields` order) and matching view."""

    row: tuple[Any, ...]
    certificates: tuple[str, ...]  # as listed by the employer
    model: m.Job


class Segment:
    """Jobs in columns with one k-d tree per trade; immutable once built."""

    def __init__(self, jobs: Sequence[OpenJob]) -> None:
        self.jobs = list(jobs)
        self.columns = JobColumns.build([j.model for j in self.jobs])
        self.row_of = {j.model.id: i for i, j in enumerate(self.jobs)}
        self.trees: dict[int, tuple[cKDTree, IntArray]] = {}
        if self.jobs:
            points = unit_vectors(self.columns.lat, self.columns.lon)
            for trade in np.unique(self.columns.trade):
                members = np.flatnonzero(self.columns.trade == trade)
                self.trees[int(trade)] = (cKDTree(points[members], leafsize=16), members)

    def within(self, workers: WorkerColumns, trades: set[int] | None) -> IntArray:
        """Rows of every job of a trade the worker can do within their radius."""
        point = unit_vectors(workers.lat[:1], workers.lon[:1])[0]
        bound = float(chord_bound(workers.radius_km[:1])[0])
        found = [
            members[np.asarray(tree.query_ball_point(point, r=bound), dtype=np.int64)]
            for trade, (tree, members) in self.trees.items()
            if workers.fit[0, trade] > 0 and (trades is None or trade in trades)
        ]
        return np.concatenate(found) if found else np.empty(0, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Snapshot:
    base: Segment
    alive: BoolArray  # base rows still current
    delta: Segment
    pending: dict[str, int]  # job id -> pending applications (competition), nonzero only


@dataclass(frozen=True, slots=True)
class Window:
    """Which jobs a feed may show: shifts starting after `after`, from `since` and before
    `before` (epoch seconds), of the given trades."""

    after: float
    since: float | None = None
    before: float | None = None
    trades: frozenset[int] | None = None  # job trade columns; None: every trade


class JobBook:
    """Every open job of the market, kept current by `upsert`/`remove`, read by `rank`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, OpenJob] = {}
        self._pending: dict[str, int] = {}
        self._delta: dict[str, OpenJob] = {}
        self._dead: set[int] = set()
        empty = Segment([])
        self.snapshot = Snapshot(empty, np.ones(0, dtype=np.bool_), empty, {})

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
                self.snapshot = Snapshot(
                    base, alive, Segment(list(self._delta.values())), dict(self._pending)
                )

    def _merge(self) -> None:
        base = Segment(list(self._jobs.values()))
        self._delta, self._dead = {}, set()
        alive = np.ones(len(base.jobs), dtype=np.bool_)
        self.snapshot = Snapshot(base, alive, Segment([]), dict(self._pending))

    def rank(self, worker: m.Worker, *, k: int, window: Window) -> list[tuple[m.Match, OpenJob]]:
        """The worker's feed: the k best feasible jobs, best first, ranked as
        `matching.rank.rank_jobs_for_worker` ranks them with the pending applications as
        the competition, over every open job within the worker's radius."""
        snap = self.snapshot
        workers = WorkerColumns.build([worker])
        parts: list[tuple[Segment, PairScores, np.ndarray]] = []
        for segment, alive in ((snap.base, snap.alive), (snap.delta, None)):
            rows = segment.within(workers, None if window.trades is None else set(window.trades))
            if alive is not None:
                rows = rows[alive[rows]]
            start = segment.columns.start[rows]
            keep = start > window.after
            if window.since is not None:
                keep &= start >= window.since
            if window.before is not None:
                keep &= start < window.before
            rows = rows[keep]
            pairs = score_pairs(workers, segment.columns, np.zeros_like(rows), rows)
            parts.append((segment, pairs, _key(pairs, segment, snap.pending)))
        key = np.concatenate([p[2] for p in parts])
        score = np.concatenate([p[1].score for p in parts])
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


def _key(pairs: PairScores, segment: Segment, pending: dict[str, int]) -> np.ndarray:
    """Pair scores leaned away from jobs others already applied to, as the feed ranks."""
    if not len(pairs.score):
        return pairs.score
    demand = np.zeros(len(segment.jobs))
    for job_id, count in pending.items():
        row = segment.row_of.get(job_id)
        if row is not None:
            demand[row] = count
    slots = segment.columns.slots_left[pairs.job].astype(np.float64)
    options = np.zeros(len(pairs.score))
    return crowding_key(pairs, demand[pairs.job], options, slots, DEFAULT_STRENGTH)
