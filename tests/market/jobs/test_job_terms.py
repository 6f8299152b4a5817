"""Editing a job with hires: the pay only goes up, the place and shift stay; floors hold."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from market.errors import Conflict, Invalid
from market.jobs import service as job_service
from market.jobs.schemas import JobUpdate
from market.models import WageFloor, WageFloorRefusal
from market.wages.service import BelowWageFloor
from tests.factories import make_staff
from tests.market.applications.terms_helpers import (
    HOUR,
    Terms,
    events_since,
    last_event_id,
)
from tests.market.service_helpers import refused

PAY_LOCKED = "Workers are already hired at {wage} yuan: the pay can only go up, never down"
PLACE_LOCKED = "Workers are already hired: the place of work can no longer move"
SHIFT_LOCKED = "Workers are already hired: the shift can no longer move"
BELOW = "The pay for this trade may not be below {floor} yuan a day (the union's floor)"


@pytest.fixture
def hired(session: Session) -> Terms:
    """A job of 3 at 400: one worker hired, one pending."""
    gig = Terms(session)
    gig.confirm(gig.claim(gig.worker()))
    gig.claim(gig.worker())
    return gig


def test_cutting_the_pay_after_a_hire_is_refused(session: Session, hired: Terms) -> None:
    error = refused(session, lambda: hired.edit(wage=50), Conflict, PAY_LOCKED)
    assert (error.field, error.params) == ("wage", {"wage": 400})


@pytest.mark.parametrize(
    "move",
    [
        {"lat": 31.23, "lon": 121.47},  # another city
        {"lat": 37.60, "lon": 121.27},  # one of the two may stay the same
        {"address": "烟台市莱山区观海路 8 号"},
    ],
)
def test_moving_the_place_after_a_hire_is_refused(
    session: Session, hired: Terms, move: dict[str, object]
) -> None:
    refused(session, lambda: hired.edit(**move), Conflict, PLACE_LOCKED)


def test_moving_the_shift_after_a_hire_is_refused(session: Session, hired: Terms) -> None:
    job = hired.job
    later = {"start_at": job.start_at + HOUR, "end_at": job.end_at + HOUR}
    refused(session, lambda: hired.edit(**later), Conflict, SHIFT_LOCKED)


def test_a_cut_hidden_in_a_raise_of_something_else_is_refused(
    session: Session, hired: Terms
) -> None:
    refused(session, lambda: hired.edit(wage=399, headcount=5), Conflict, PAY_LOCKED)


def test_a_raise_after_a_hire_reaches_every_hired_and_pending_worker(
    session: Session, hired: Terms
) -> None:
    mark = last_event_id(session)
    hired.edit(wage=480)
    rows = job_service._applications(session, hired.job, ("confirmed", "applied"))
    assert sorted((a.status, a.agreed_wage, a.confirmed_wage) for a in rows) == [
        ("applied", 480, None),
        ("confirmed", 480, 400),  # hired at 400; the raise is theirs too
    ]
    raised = [e for e in events_since(session, mark) if e.kind == "application.pay_raised"]
    assert sorted(e.worker_id or 0 for e in raised) == sorted(a.worker_id for a in rows)
    assert hired.job.terms_version == 1


def test_other_edits_after_a_hire_are_allowed(session: Session, hired: Terms) -> None:
    job = hired.edit(title="刷墙（两层）", description="自带滚筒", headcount=5, district="莱山区")
    assert (job.title, job.headcount, job.district, job.wage, job.terms_version) == (
        "刷墙（两层）",
        5,
        "莱山区",
        400,
        1,
    )


def _floor(session: Session, *, daily_wage: int, district: str = "") -> None:
    session.add(WageFloor(trade="painter", district=district, daily_wage=daily_wage))
    session.flush()


def test_cutting_the_pay_below_the_floor_is_refused_and_counted(session: Session) -> None:
    gig = Terms(session)
    _floor(session, daily_wage=350)
    error = refused(session, lambda: gig.edit(wage=300), BelowWageFloor, BELOW)
    assert (error.field, error.params) == ("wage", {"floor": 350})
    assert error.trace is not None
    error.trace(session)  # what the request's session does after its rollback
    refusal = session.exec(select(WageFloorRefusal)).one()
    assert (refusal.trade, refusal.district, refusal.wage, refusal.floor) == (
        "painter",
        "芝罘区",
        300,
        350,
    )
    assert (refusal.employer_id, refusal.job_id) == (gig.employer.id, gig.job.id)


def test_moving_to_a_district_with_a_higher_floor_is_refused(session: Session) -> None:
    gig = Terms(session)
    _floor(session, daily_wage=450, district="莱山区")
    refused(session, lambda: gig.edit(district="莱山区"), BelowWageFloor, BELOW)


def test_a_raise_still_below_a_new_floor_is_allowed(session: Session) -> None:
    gig = Terms(session, wage=300)
    _floor(session, daily_wage=400)  # set after the job was posted
    assert gig.edit(wage=350).wage == 350


def test_half_a_place_is_still_refused(session: Session) -> None:
    gig = Terms(session)
    refused(
        session,
        lambda: job_service.job_update(
            session=session, job=gig.job, data=JobUpdate(lat=37.7), now=gig.now
        ),
        Invalid,
        "Give both lat and lon",
    )


def test_staff_floor_changes_do_not_touch_posted_jobs(session: Session) -> None:
    from market.wages import service as wage_service
    from market.wages.schemas import WageFloorSet

    gig = Terms(session, wage=300)
    wage_service.wage_floor_set(
        session=session,
        staff=make_staff(session),
        data=WageFloorSet(trade="painter", daily_wage=500),
    )
    session.refresh(gig.job)
    assert gig.job.wage == 300
