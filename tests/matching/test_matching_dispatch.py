from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matching_factories import make_job, make_worker

from matching.constraints import feasible
from matching.dispatch import dispatch
from matching.model import Job, Match, Worker
from matching.rank import rank_workers_for_job

trades = st.sampled_from(
    [(("painter", 1),), (("general", 2),), (("mover", 3),), (("decorator", 1),)]
)
workers = st.builds(
    make_worker,
    km_north=st.floats(-4, 4),
    radius_km=st.floats(1, 8),
    trades=trades,
    available=st.sampled_from([((7, 18),), ((12, 20),)]),
    min_wage=st.sampled_from([0.0, 280.0]),
    idle_days=st.integers(0, 12),
)
jobs = st.builds(
    make_job,
    km_north=st.floats(-4, 4),
    trade=st.sampled_from(["painter", "mover", "loader"]),
    shift=st.sampled_from([(8, 17), (13, 17)]),
    headcount=st.integers(0, 3),
    wage=st.sampled_from([250.0, 300.0]),
    booked=st.sampled_from([(), ("someone",)]),
)


def _market(ws: list[Worker], js: list[Job]) -> tuple[list[Worker], list[Job]]:
    ws = [Worker(**{**_fields(w), "id": f"w{i}"}) for i, w in enumerate(ws)]
    js = [Job(**{**_fields(j), "id": f"j{i}"}) for i, j in enumerate(js)]
    return ws, js


def _fields(record: object) -> dict:
    return {name: getattr(record, name) for name in record.__slots__}  # type: ignore[attr-defined]


def _max_fill(ws: list[Worker], js: list[Job]) -> int:
    """Brute force: the most slots any assignment can fill (tiny markets only)."""
    slots = [j for j in js for _ in range(j.slots_left)]
    best = 0
    for size in range(min(len(ws), len(slots)), 0, -1):
        for chosen in itertools.combinations(range(len(slots)), size):
            for order in itertools.permutations(range(len(ws)), size):
                if all(feasible(ws[w], slots[s]) for w, s in zip(order, chosen, strict=True)):
                    return size
    return best


@settings(max_examples=120, deadline=None)
@given(st.lists(workers, max_size=7), st.lists(jobs, max_size=5))
def test_dispatch_is_feasible_and_respects_headcount(ws: list[Worker], js: list[Job]) -> None:
    ws, js = _market(ws, js)
    result = dispatch(ws, js)
    by_worker, by_job = {w.id: w for w in ws}, {j.id: j for j in js}
    assert all(feasible(by_worker[m.worker], by_job[m.job]) for m in result.assignments)
    assert len({m.worker for m in result.assignments}) == len(result.assignments)
    taken = Counter(m.job for m in result.assignments)
    assert all(taken[j.id] <= j.slots_left for j in js)
    assert all(result.unfilled.get(j.id, 0) == j.slots_left - taken[j.id] for j in js)
    assert set(result.idle) == set(by_worker) - {m.worker for m in result.assignments}


@settings(max_examples=40, deadline=None)
@given(st.lists(workers, max_size=4), st.lists(jobs, max_size=3))
def test_dispatch_fills_as_many_slots_as_any_assignment(ws: list[Worker], js: list[Job]) -> None:
    ws, js = _market(ws, js)
    assert len(dispatch(ws, js).assignments) == _max_fill(ws, js)


def test_dispatch_prefers_filling_a_second_job_over_a_better_pair() -> None:
    # the master fits both jobs; only the helper fits the far one: both must be placed
    master = make_worker(id="master", radius_km=10, trades=(("painter", 3),))
    helper = make_worker(id="helper", km_north=6, radius_km=10, trades=(("painter", 1),))
    near, far = make_job(id="near", km_north=1), make_job(id="far", km_north=9)
    pairs = {(m.worker, m.job) for m in dispatch([master, helper], [near, far]).assignments}
    assert pairs == {("master", "near"), ("helper", "far")}


def test_dispatch_gives_the_slot_to_the_better_pair_when_fill_is_equal() -> None:
    close = make_worker(id="close", km_north=0.9)
    distant = make_worker(id="distant", km_north=5)
    result = dispatch([close, distant], [make_job(km_north=1)])
    assert [(m.worker, m.job) for m in result.assignments] == [("close", "j")]
    assert result.idle == ["distant"]


def _lexicographic_best(ws: list[Worker], js: list[Job]) -> tuple[int, int, float]:
    """Brute force over every plan: (slots filled, idle days placed, total score), the most."""
    slots = {j.id: j.slots_left for j in js}
    options: list[list[Job | None]] = [[None] + [j for j in js if feasible(w, j)] for w in ws]
    scores = {(m.worker, m.job): m.extras["pair_score"] for m in _every_pair(ws, js)}
    best = (0, 0, 0.0)
    for plan in itertools.product(*options):
        taken = Counter(j.id for j in plan if j is not None)
        if any(n > slots[job] for job, n in taken.items()):
            continue
        placed = [(w, j) for w, j in zip(ws, plan, strict=True) if j is not None]
        value = (
            len(placed),
            sum(w.idle_days for w, _ in placed),
            round(sum(scores[(w.id, j.id)] for w, j in placed), 3),
        )
        best = max(best, value)
    return best


def _every_pair(ws: list[Worker], js: list[Job]) -> list[Match]:
    return [m for j in js for m in rank_workers_for_job(j, ws, k=len(ws) + 1)]


@settings(max_examples=150, deadline=None)
@given(st.lists(workers, min_size=2, max_size=5), st.lists(jobs, min_size=1, max_size=3))
def test_dispatch_follows_the_hiring_halls_order(ws: list[Worker], js: list[Job]) -> None:
    # most slots, then most idle days among those placed, then the best total score
    ws, js = _market(ws, js)
    result = dispatch(ws, js)
    idle = {w.id: w.idle_days for w in ws}
    got = (
        len(result.assignments),
        sum(idle[m.worker] for m in result.assignments),
        round(sum(m.extras["pair_score"] for m in result.assignments), 3),
    )
    best = _lexicographic_best(ws, js)
    assert got[:2] == best[:2]
    assert got[2] == pytest.approx(best[2], abs=2e-3)


def test_dispatch_gives_the_slot_to_the_worker_idle_longest() -> None:
    close = make_worker(id="close", km_north=0.9, idle_days=1)
    distant = make_worker(id="distant", km_north=5, idle_days=6)
    result = dispatch([close, distant], [make_job(km_north=1)])
    assert [(m.worker, m.job) for m in result.assignments] == [("distant", "j")]
    # a union that weakens the rotation gets the better pair again
    weak = dispatch([close, distant], [make_job(km_north=1)], rotation=False)
    assert [(m.worker, m.job) for m in weak.assignments] == [("close", "j")]


def test_rotation_never_costs_a_slot() -> None:
    # placing the long-idle worker on the near job would leave the far one empty
    rested = make_worker(id="rested", radius_km=10, idle_days=100)  # reaches both jobs
    busy = make_worker(id="busy", km_north=2, radius_km=2, idle_days=0)  # the near job only
    near, far = make_job(id="near", km_north=1), make_job(id="far", km_north=8)
    pairs = {(m.worker, m.job) for m in dispatch([rested, busy], [near, far]).assignments}
    assert pairs == {("rested", "far"), ("busy", "near")}


def test_rotation_counts_idle_days_over_everyone_placed() -> None:
    # two slots: the plan placing 40 + 30 idle days beats placing the 40-day worker alone
    both = make_worker(id="both", radius_km=10, idle_days=30)  # reaches both jobs
    near_only = make_worker(id="near_only", km_north=1, radius_km=1, idle_days=40)
    far_only = make_worker(id="far_only", km_north=8, radius_km=1, idle_days=0)
    near, far = make_job(id="near", km_north=1), make_job(id="far", km_north=8)
    result = dispatch([both, near_only, far_only], [near, far])
    assert {(m.worker, m.job) for m in result.assignments} == {
        ("both", "far"),
        ("near_only", "near"),
    }
    assert result.idle == ["far_only"]
