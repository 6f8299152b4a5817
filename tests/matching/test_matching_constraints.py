from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from matching_factories import CENTRE, make_job, make_worker

from matching.columns import JobColumns, WorkerColumns, feasible_pairs
from matching.constraints import feasible, violations
from matching.geo import haversine_km


def test_matching_pair_is_feasible() -> None:
    assert violations(make_worker(), make_job()) == []


def test_worker_of_unrelated_trade_is_infeasible() -> None:
    assert violations(make_worker(trades=(("cook", 3),)), make_job(trade="painter")) == ["trade"]


def test_worker_of_related_trade_is_feasible() -> None:
    assert feasible(make_worker(trades=(("decorator", 1),)), make_job(trade="painter"))


def test_related_trade_only_counts_in_its_direction() -> None:
    # decorator -> painter exists, painter -> decorator does not
    assert "trade" in violations(make_worker(trades=(("painter", 3),)), make_job(trade="decorator"))


def test_worker_without_listed_certificate_is_infeasible() -> None:
    job = make_job(certificates=frozenset({"work_at_height"}))
    assert violations(make_worker(), job) == ["certificates"]


def test_worker_with_listed_certificate_is_feasible() -> None:
    job = make_job(certificates=frozenset({"work_at_height"}))
    assert feasible(make_worker(certificates=frozenset({"work_at_height"})), job)


def test_worker_without_legal_certificate_is_infeasible() -> None:
    worker = make_worker(trades=(("electrician", 3),))
    assert violations(worker, make_job(trade="electrician")) == ["certificates"]


def test_worker_with_legal_certificate_is_feasible() -> None:
    worker = make_worker(trades=(("plumber", 3),), certificates=frozenset({"electrician"}))
    assert feasible(worker, make_job(trade="electrician"))


def test_shift_outside_every_window_is_infeasible() -> None:
    worker = make_worker(available=((7, 12), (13, 19)))
    assert violations(worker, make_job(shift=(8, 17))) == ["time"]


def test_shift_inside_a_window_is_feasible() -> None:
    worker = make_worker(available=((6, 7), (8, 17)))
    assert feasible(worker, make_job(shift=(8, 17)))


def test_job_beyond_radius_is_infeasible() -> None:
    assert violations(make_worker(radius_km=5), make_job(km_north=5.5)) == ["distance"]


def test_job_inside_radius_is_feasible() -> None:
    assert feasible(make_worker(radius_km=5), make_job(km_north=4.9))


def test_wage_below_minimum_is_infeasible() -> None:
    assert violations(make_worker(min_wage=301), make_job(wage=300)) == ["wage"]


def test_wage_at_minimum_is_feasible() -> None:
    assert feasible(make_worker(min_wage=300), make_job(wage=300))


def test_full_job_is_infeasible() -> None:
    assert violations(make_worker(), make_job(headcount=2, booked=("a", "b"))) == ["full"]


def test_job_with_a_slot_left_is_feasible() -> None:
    assert feasible(make_worker(), make_job(headcount=2, booked=("a",)))


def test_shift_overlapping_confirmed_job_is_infeasible() -> None:
    worker = make_worker(available=((7, 22),), busy=((16, 20),))
    assert violations(worker, make_job(shift=(8, 17))) == ["clash"]


def test_shift_after_confirmed_job_is_feasible() -> None:
    worker = make_worker(available=((7, 22),), busy=((7, 8),))
    assert feasible(worker, make_job(shift=(8, 17)))


def test_worker_already_booked_on_the_job_is_infeasible() -> None:
    assert "clash" in violations(make_worker(id="w1"), make_job(headcount=3, booked=("w1",)))


def test_haversine_matches_a_known_distance() -> None:
    # one degree of latitude along a meridian is 111.2 km on the mean sphere
    assert abs(haversine_km(CENTRE[0], CENTRE[1], CENTRE[0] + 1, CENTRE[1]) - 111.195) < 0.01


workers = st.builds(
    make_worker,
    km_north=st.floats(-3, 3),
    radius_km=st.floats(0.5, 6),
    trades=st.sampled_from(
        [(("painter", 1),), (("decorator", 2),), (("plumber", 3),), (("cook", 1),)]
    ),
    certificates=st.frozensets(st.sampled_from(["electrician", "health", "work_at_height"])),
    available=st.sampled_from([((7, 18),), ((13, 19),), ((6, 10), (12, 20))]),
    min_wage=st.sampled_from([0.0, 250.0, 320.0]),
    busy=st.sampled_from([(), ((16, 18),), ((6, 7),)]),
)
jobs = st.builds(
    make_job,
    km_north=st.floats(-3, 3),
    trade=st.sampled_from(["painter", "electrician", "cook", "decorator"]),
    certificates=st.frozensets(st.sampled_from(["work_at_height", "health"])),
    shift=st.sampled_from([(8, 17), (13, 17), (6, 9)]),
    headcount=st.integers(0, 2),
    wage=st.sampled_from([240.0, 300.0]),
    booked=st.sampled_from([(), ("w",), ("x",)]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(workers, min_size=1, max_size=3), st.lists(jobs, min_size=1, max_size=3))
def test_array_feasibility_agrees_with_pairwise_rules(ws: list, js: list) -> None:
    w_rows, j_rows = np.meshgrid(np.arange(len(ws)), np.arange(len(js)), indexing="ij")
    wi, ji = w_rows.ravel(), j_rows.ravel()
    ok = feasible_pairs(WorkerColumns.build(ws), JobColumns.build(js), wi, ji)
    expected = [feasible(ws[a], js[b]) for a, b in zip(wi, ji, strict=True)]
    assert ok.tolist() == expected
