from __future__ import annotations

import itertools
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st
from matching_factories import make_job, make_worker

from matching.constraints import feasible
from matching.dispatch import dispatch
from matching.model import Job, Worker

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
