"""One assignment for a whole market in the hiring hall's order: fill the most slots, then
give the work to those idle longest (the sum of `idle_days` over assigned workers), then
maximise the total score.

The feasibility graph of a city falls apart into many independent parts (trades and
distance separate them), so each connected component is solved on its own as a sparse
min-cost full matching with a private "stay idle" column per worker and one column per
open slot of each job.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

from matching.columns import WorkerColumns
from matching.index import JobIndex
from matching.model import Job, Match, Worker
from matching.rank import matches_for
from matching.score import Weights

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class DispatchResult:
    assignments: list[Match]
    unfilled: dict[str, int]  # job id -> slots still open after dispatch
    idle: list[str]  # worker ids without an assignment


def components(worker: IntArray, job: IntArray, n_workers: int, n_jobs: int) -> IntArray:
    """Component label per pair of the bipartite worker–job graph."""
    graph = coo_matrix(
        (np.ones(len(worker)), (worker, n_workers + job)),
        shape=(n_workers + n_jobs, n_workers + n_jobs),
    )
    _, labels = connected_components(graph, directed=False)
    result: IntArray = labels[worker]
    return result


def tier_weights(
    value: FloatArray, priority: FloatArray | None, n_rows: int, fill_first: bool
) -> FloatArray:
    """One weight per pair whose maximum-weight matching follows the order lexicographically.

    Any alternating path or cycle of a component changes the total score by less than
    `step` = n_rows * max score + 1. A path that places one more worker therefore gains more
    from the fill bonus (`step`) than it can lose in score, and swapping in a worker idle at
    least one day longer gains `step` per day, more than any score it gives up: fill is
    exact, whole idle days come next, and the score only decides among equals.
    """
    step = n_rows * float(value.max(initial=0.0)) + 1.0
    weight = value.astype(np.float64)
    if fill_first:
        weight = weight + step
        if priority is not None:
            weight = weight + step * np.maximum(priority, 0.0)
    return weight


def _solve_component(
    worker: IntArray,
    job: IntArray,
    value: FloatArray,
    slots_left: IntArray,
    fill_first: bool,
    priority: FloatArray | None = None,
) -> IntArray:
    """Chosen pair positions of one component (local arrays)."""
    rows, row_of = np.unique(worker, return_inverse=True)
    jobs, job_of = np.unique(job, return_inverse=True)
    # a job needs no more columns than it has candidates here
    width = np.minimum(slots_left[jobs], np.bincount(job_of, minlength=len(jobs)))
    first_col = np.r_[0, np.cumsum(width)[:-1]]
    n_slots = int(width.sum())
    pair_slots = width[job_of]
    pair_rep = np.repeat(np.arange(len(job_of)), pair_slots)
    offsets = np.arange(len(pair_rep)) - np.repeat(np.cumsum(pair_slots) - pair_slots, pair_slots)
    cols = first_col[job_of[pair_rep]] + offsets
    weight = tier_weights(value, priority, len(rows), fill_first)
    # Costs are all positive (the solver needs non-zero weights): a pair costs `top` less its
    # weight, staying idle costs `top`, so the cheapest full matching has the largest weight.
    top = float(weight.max(initial=0.0)) + 1.0
    data = np.r_[top - weight[pair_rep] + 1e-9, np.full(len(rows), top)]
    row_index = np.r_[row_of[pair_rep], np.arange(len(rows))]
    col_index = np.r_[cols, n_slots + np.arange(len(rows))]
    matrix = csr_matrix((data, (row_index, col_index)), shape=(len(rows), n_slots + len(rows)))
    matched_rows, matched_cols = min_weight_full_bipartite_matching(matrix)
    real = matched_cols < n_slots
    slot_job = np.repeat(np.arange(len(jobs)), width)
    # pairs are unique per (worker, job), so a matched (row, job) names one pair
    position = {key: i for i, key in enumerate(zip(row_of.tolist(), job_of.tolist(), strict=True))}
    picked = zip(matched_rows[real].tolist(), slot_job[matched_cols[real]].tolist(), strict=True)
    chosen = [position[key] for key in picked]
    return np.array(chosen, dtype=np.int64)


def assign_pairs(
    worker: IntArray,
    job: IntArray,
    value: FloatArray,
    slots_left: IntArray,
    *,
    fill_first: bool = True,
    priority: FloatArray | None = None,
) -> IntArray:
    """Positions of the chosen pairs: each worker at most once, no job over its open slots.

    With `fill_first` the most slots are filled; `priority` (per pair, whole days the pair's
    worker has been idle) then decides who gets them, before `value`.
    """
    if len(worker) == 0:
        return np.empty(0, dtype=np.int64)
    n_workers, n_jobs = int(worker.max()) + 1, len(slots_left)
    labels = components(worker, job, n_workers, n_jobs)
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.r_[True, labels[order][1:] != labels[order][:-1], True])
    chosen = []
    for start, stop in itertools.pairwise(bounds):
        part = order[start:stop]
        local = _solve_component(
            worker[part],
            job[part],
            value[part],
            slots_left,
            fill_first,
            None if priority is None else priority[part],
        )
        chosen.append(part[local])
    return np.sort(np.concatenate(chosen))


def dispatch(
    workers: Sequence[Worker],
    jobs: Sequence[Job],
    *,
    weights: Weights | None = None,
    rotation: bool = True,
) -> DispatchResult:
    """The market's assignment, all feasible: most slots filled, then (with `rotation`, the
    hiring hall's order) the most idle days among those placed, then the highest total score.
    """
    index, worker_cols = JobIndex(jobs), WorkerColumns.build(workers)
    pairs = index.market_pairs(worker_cols, weights)
    idle = np.array([float(w.idle_days) for w in workers], dtype=np.float64)
    chosen = assign_pairs(
        pairs.worker,
        pairs.job,
        pairs.score,
        index.jobs.slots_left,
        priority=idle[pairs.worker] if rotation else None,
    )
    assignments = matches_for(pairs, pairs.score, chosen, worker_cols, index.jobs)
    open_slots = index.jobs.slots_left - np.bincount(pairs.job[chosen], minlength=len(index.jobs))
    placed = {match.worker for match in assignments}
    return DispatchResult(
        assignments=assignments,
        unfilled={jid: int(n) for jid, n in zip(index.jobs.ids, open_slots, strict=True) if n > 0},
        idle=[worker_id for worker_id in worker_cols.ids if worker_id not in placed],
    )
