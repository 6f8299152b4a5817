"""Distinct workers active and placed, rolled up per worker and per day, against a hand count.

The market: jobs posted five and two local days before today (closed days) and one today.

    worker  five days ago      two days ago        today          member
    a       hired (confirmed)                      hired          approved
    b       hired (completed)  applied                            -
    c       applied                                               pending
    d                          hired (no-show)     hired          approved
    e                          declined                           rejected
    g       hire called off                                       -
    f                                              applied        -
    h                                              hired          -
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import case, func, select, union
from sqlmodel import Session, col

from market.membership import service as membership_service
from market.models import Application, Job, Membership, StatsPeople, StatsWorker, User
from market.stats import people as people_service
from market.stats import rollup as rollup_service
from tests.factories import make_staff, make_worker
from tests.staff_factories import make_application, make_posted_job

NOW = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)  # Monday 10:00 in the market's time zone
CUTOFF = rollup_service.start_of_local_day(NOW)  # the closed days end where today begins
FIVE, TWO, TODAY = "2030-02-27", "2030-03-02", "2030-03-04"
LONG_AGO = datetime(2029, 1, 1, tzinfo=UTC)


def posted(days_ago: int) -> datetime:
    """10:00 local time, `days_ago` local days before today."""
    return CUTOFF - timedelta(days=days_ago) + timedelta(hours=10)


def member(session: Session, worker: User, status: str) -> Membership:
    membership = Membership(user_id=worker.id or 0, status=status, applied_at=LONG_AGO)
    if status != "pending":
        membership.decided_at = LONG_AGO
    session.add(membership)
    session.flush()
    return membership


def build_market(session: Session) -> dict[str, User]:
    five, two = (
        make_posted_job(session, created_at=posted(5)),
        make_posted_job(session, created_at=posted(2)),
    )
    today = make_posted_job(session, created_at=posted(0))
    w = {name: make_worker(session, name=name) for name in "abcdefgh"}

    def apply(job: Job, name: str, status: str) -> None:
        hired = status in ("confirmed", "completed", "no_show", "cancelled")
        make_application(session, job=job, worker=w[name], status=status, hired=hired)

    apply(five, "a", "confirmed")
    apply(five, "b", "completed")
    apply(two, "b", "applied")
    apply(five, "c", "applied")
    apply(two, "d", "no_show")
    apply(two, "e", "declined")
    apply(five, "g", "cancelled")
    for name, status in (("f", "applied"), ("a", "confirmed"), ("h", "confirmed"),
                         ("b", "applied"), ("d", "confirmed")):  # fmt: skip
        apply(today, name, status)
    member(session, w["a"], "approved")
    member(session, w["c"], "pending")
    member(session, w["d"], "approved")
    member(session, w["e"], "rejected")
    return w


def rebuild(session: Session, workers: Any = None) -> None:
    people_service.rebuild_workers(
        session=session,
        workers=workers,
        cutoff=CUTOFF,
        local_day=lambda column: rollup_service.local_day_hour(session, column)[0],
    )


def stored_workers(session: Session, w: dict[str, User]) -> dict[str, tuple[str, str, bool]]:
    names = {u.id: name for name, u in w.items()}
    rows = session.exec(select(StatsWorker)).all()  # type: ignore[call-overload]
    return {names[r[0].worker_id]: (r[0].applied_day, r[0].hired_day, r[0].member) for r in rows}


def stored_days(session: Session) -> dict[tuple[str, bool], tuple[int, int]]:
    rows = session.exec(select(StatsPeople)).all()  # type: ignore[call-overload]
    return {(r[0].day, r[0].member): (r[0].applied, r[0].hired) for r in rows}


def todays_applicants() -> Any:
    """(worker_id, hired 0/1) per worker who applied to a job posted today."""
    hired = case((col(Application.status).in_(people_service.HIRED), 1), else_=0)
    return (
        select(col(Application.worker_id).label("worker_id"), func.max(hired).label("hired"))
        .join(Job, col(Job.id) == col(Application.job_id))
        .where(col(Job.created_at) >= CUTOFF)
        .group_by(col(Application.worker_id))
        .subquery()
    )


def ids_of(*users: User) -> Any:
    return select(col(User.id)).where(col(User.id).in_([u.id for u in users]))


def test_each_worker_is_rolled_up_with_their_latest_closed_day_application_and_hire(
    db: Session,
) -> None:
    w = build_market(db)
    rebuild(db)
    assert stored_workers(db, w) == {
        "a": (FIVE, FIVE, True),
        "b": (TWO, FIVE, False),  # applied since, but last hired five days ago
        "c": (FIVE, "", False),  # a pending application is no membership
        "d": (TWO, TWO, True),  # a no-show was hired all the same
        "e": (TWO, "", False),
        "g": (FIVE, "", False),  # a hire called off is no hire
    }  # f and h applied only today: not a closed day
    row = db.get(StatsWorker, w["b"].id)
    assert row is not None and (row.last_applied_at, row.last_hired_at) == (posted(2), posted(5))


def test_each_closed_day_counts_its_workers_by_membership(db: Session) -> None:
    build_market(db)
    rebuild(db)
    assert stored_days(db) == {
        (FIVE, True): (1, 1),  # a
        (FIVE, False): (2, 1),  # c, g applied; b hired
        (TWO, True): (1, 1),  # d
        (TWO, False): (2, 0),  # b, e
    }


@pytest.mark.parametrize(
    ("first_day", "counts"),
    [
        (FIVE, (6, 3, 2, 2)),  # a b c d e g active; a b d placed; a d members
        (TWO, (3, 1, 1, 1)),  # b d e active (latest application); only d hired on a job of it
        ("2030-03-03", (0, 0, 0, 0)),  # yesterday: nothing posted
    ],
)
def test_people_of_closed_days_are_summed_over_the_days(
    db: Session, first_day: str, counts: tuple[int, int, int, int]
) -> None:
    build_market(db)
    rebuild(db)
    assert people_service.people_counts(session=db, first_day=first_day, today=None) == counts


@pytest.mark.parametrize(
    ("first_day", "counts"),
    [
        (None, (5, 3, 2, 2)),  # today alone: f a h b d active; a h d placed; a d members
        (TWO, (6, 3, 2, 2)),  # + f, a, h new; a, h newly placed (a last hired five days ago)
        (FIVE, (8, 4, 2, 2)),  # + f, h new; h newly placed; a and d counted already
    ],
)
def test_todays_applicants_are_added_once_each(
    db: Session, first_day: str | None, counts: tuple[int, int, int, int]
) -> None:
    build_market(db)
    rebuild(db)
    found = people_service.people_counts(session=db, first_day=first_day, today=todays_applicants())
    assert found == counts


def test_a_refresh_of_changed_workers_recounts_only_their_days(db: Session) -> None:
    w = build_market(db)
    rebuild(db)
    (two_days_ago,) = db.exec(  # type: ignore[call-overload]
        select(Application)
        .join(Job, col(Job.id) == col(Application.job_id))
        .where(col(Application.worker_id) == w["b"].id, col(Job.created_at) == posted(2))
    ).one()
    two_days_ago.status = "confirmed"  # b's application two days ago turned into a hire
    db.add(two_days_ago)
    since = NOW - timedelta(minutes=1)
    membership_service.membership_decide(
        session=db, staff=make_staff(db), user_id=w["c"].id or 0, approve=True, now=NOW
    )
    rebuild(db, workers=union(ids_of(w["b"]), people_service.changed_members(since)))
    assert stored_workers(db, w)["b"] == (TWO, TWO, False)
    assert stored_workers(db, w)["c"] == (FIVE, "", True)
    incremental = stored_days(db)
    assert incremental == {
        (FIVE, True): (2, 1),  # a and now c; a hired
        (FIVE, False): (1, 0),  # g
        (TWO, True): (1, 1),  # d
        (TWO, False): (2, 1),  # b, e; b hired
    }
    rebuild(db)
    assert stored_days(db) == incremental


def test_a_refresh_of_a_newcomer_counts_the_day_they_joined(db: Session) -> None:
    w = build_market(db)
    rebuild(db)
    newcomer = make_worker(db)
    three = make_posted_job(db, created_at=posted(3))  # a closed day nobody else applied on
    make_application(db, job=three, worker=newcomer, status="completed")
    rebuild(db, workers=ids_of(newcomer))
    assert stored_days(db)[("2030-03-01", False)] == (1, 1)
    assert len(stored_days(db)) == 5
    assert stored_workers(db, {**w, "newcomer": newcomer})["newcomer"] == (
        "2030-03-01",
        "2030-03-01",
        False,
    )


def test_a_refresh_of_no_one_changes_nothing(db: Session) -> None:
    w = build_market(db)
    rebuild(db)
    before = (stored_workers(db, w), stored_days(db))
    rebuild(db, workers=select(col(User.id)).where(col(User.id) < 0))
    assert (stored_workers(db, w), stored_days(db)) == before


def test_changed_members_are_those_who_applied_or_were_decided_since(db: Session) -> None:
    applied, decided, quiet = make_worker(db), make_worker(db), make_worker(db)
    membership_service.membership_apply(session=db, worker=applied, now=NOW)
    member(db, decided, "pending")
    membership_service.membership_decide(
        session=db, staff=make_staff(db), user_id=decided.id or 0, approve=False, now=NOW
    )
    member(db, quiet, "approved")
    changed = db.exec(people_service.changed_members(NOW - timedelta(minutes=1))).all()  # type: ignore[call-overload]
    assert sorted(changed) == sorted([(applied.id,), (decided.id,)])
    assert db.exec(people_service.changed_members(NOW + timedelta(minutes=1))).all() == []  # type: ignore[call-overload]
