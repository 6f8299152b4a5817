"""The hiring hall's rotation in dispatch, measured on generated markets with `idle_days`.

Each member market of the bench family gets idle days per worker (most worked a day or two
ago, some have waited weeks). Dispatch must fill the most slots and, among such plans, place
the workers idle longest. The best rotation at max fill is found independently of
`matching.dispatch`, by a dense assignment on integer weights (exact), and compared with
dispatch in the hiring hall's order and with dispatch by score alone (`rotation=False`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from bench.match.family import HELD_OUT, TUNING, Member
from bench.match.quality import max_fill
from bench.match.simulate import make_market
from matching.columns import PairScores, WorkerColumns
from matching.dispatch import dispatch
from matching.index import JobIndex
from matching.model import Worker

IntArray = NDArray[np.int64]


def with_idle_days(workers: list[Worker], seed: int) -> list[Worker]:
    """Workers with idle days: about half worked in the last two days, a tail waited weeks."""
    rng = np.random.default_rng(seed + 77)
    days = np.minimum(rng.geometric(0.18, len(workers)) - 1, 60)
    return [replace(w, idle_days=int(d)) for w, d in zip(workers, days, strict=True)]


def best_rotation(pairs: PairScores, slots_left: IntArray, idle: IntArray) -> tuple[int, int]:
    """(slots filled, idle days placed) of the best plan: most slots, then most idle days.

    A dense assignment over slot columns with integer weights `big + idle days` per feasible
    pair (0 otherwise, meaning unassigned), `big` above any total of idle days: exact.
    """
    n_workers = int(pairs.worker.max(initial=-1)) + 1
    first = np.r_[0, np.cumsum(slots_left)[:-1]]
    big = int(idle.sum()) + 1
    weight = np.zeros((n_workers, int(slots_left.sum())), dtype=np.int64)
    for w, j in zip(pairs.worker.tolist(), pairs.job.tolist(), strict=True):
        weight[w, first[j] : first[j] + slots_left[j]] = big + idle[w]
    rows, cols = linear_sum_assignment(weight, maximize=True)
    chosen = weight[rows, cols] > 0
    return int(chosen.sum()), int(idle[rows[chosen]].sum())


def rotation_figures(member: Member, *, workers: int, seed: int) -> dict[str, float]:
    """Dispatch's fill and rotation against the best at max fill, with and without rotation."""
    s = member.seed_base + seed
    ws, js = make_market(
        workers=workers,
        jobs=int(workers * member.jobs_per_worker),
        seed=s,
        city=member.city,
        mix=member.mix,
    )
    ws = with_idle_days(ws, s)
    index, cols = JobIndex(js), WorkerColumns.build(ws)
    pairs = index.market_pairs(cols)
    idle = np.array([w.idle_days for w in ws], dtype=np.int64)
    fill, best = best_rotation(pairs, index.jobs.slots_left, idle)
    assert fill == max_fill(pairs, index.jobs.slots_left)
    figures: dict[str, float] = {"max_fill": fill, "best_idle_days": best}
    by_id = {w.id: w.idle_days for w in ws}
    for name, rotation in (("hiring_hall", True), ("score_only", False)):
        plan = dispatch(ws, js, rotation=rotation)
        figures[f"{name}_fill_vs_max"] = len(plan.assignments) / max(1, fill)
        figures[f"{name}_rotation_vs_best"] = sum(by_id[m.worker] for m in plan.assignments) / max(
            1, best
        )
    return figures


def rotation(*, workers: int, seed: int) -> dict[str, Any]:
    """Rotation figures per family member (the held-out one included) and their worst."""
    members = {m.name: rotation_figures(m, workers=workers, seed=seed) for m in (*TUNING, HELD_OUT)}
    worst = {
        key: min(figures[key] for figures in members.values())
        for key in next(iter(members.values()))
        if key.endswith("_vs_max") or key.endswith("_vs_best")
    }
    return {"members": members, "worst": worst}
