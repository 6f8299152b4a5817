"""The union's wage floor: set per trade and district, applied at posting, refusals counted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from market.errors import NotFound
from market.jobs import service as job_service
from market.jobs.schemas import JobCreate
from market.models import Event, Job, WageFloor, WageFloorRefusal
from market.types import utcnow
from market.wages import service as wage_service
from market.wages.schemas import WageFloorSet
from market.wages.service import BelowWageFloor
from tests.factories import job_body, make_employer, make_staff
from tests.market.applications.terms_helpers import events_since, last_event_id
from tests.market.service_helpers import refused

BELOW = "The pay for this trade may not be below {floor} yuan a day (the union's floor)"


def _set(session: Session, trade: str, wage: int, district: str = "") -> WageFloor:
    data = WageFloorSet(trade=trade, district=district, daily_wage=wage)
    return wage_service.wage_floor_set(session=session, staff=make_staff(session), data=data)


def test_a_district_floor_overrides_the_trade_floor(session: Session) -> None:
    _set(session, "painter", 300)
    _set(session, "painter", 360, "芝罘区")
    floor = lambda district: wage_service.floor_for(  # noqa: E731
        session=session, trade="painter", district=district
    )
    assert floor("芝罘区").daily_wage == 360  # type: ignore[union-attr]
    assert floor("莱山区").daily_wage == 300  # type: ignore[union-attr]
    assert floor("").daily_wage == 300  # type: ignore[union-attr]
    assert wage_service.floor_for(session=session, trade="welder", district="芝罘区") is None


def test_setting_a_floor_again_replaces_it_and_writes_its_event(session: Session) -> None:
    mark = last_event_id(session)
    first = _set(session, "油漆工", 300)  # an alias of the trade is its code
    again = _set(session, "painter", 320)
    assert (again.id, again.trade, again.daily_wage) == (first.id, "painter", 320)
    assert len(session.exec(select(WageFloor)).all()) == 1
    kinds = [e.kind for e in events_since(session, mark)]
    assert kinds == ["wage_floor.set", "wage_floor.set"]


def test_removing_a_district_floor_brings_back_the_trade_floor(session: Session) -> None:
    _set(session, "painter", 300)
    district = _set(session, "painter", 360, "芝罘区")
    wage_service.wage_floor_delete(session=session, floor=district)
    found = wage_service.floor_for(session=session, trade="painter", district="芝罘区")
    assert found is not None and found.daily_wage == 300
    kinds = [e.kind for e in session.exec(select(Event)).all()]
    assert kinds[-1] == "wage_floor.removed"


def test_an_unknown_floor_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        wage_service.get_wage_floor(session=session, floor_id=999_999)


@pytest.mark.parametrize(
    "fields",
    [
        {"trade": "painter", "daily_wage": -100},
        {"trade": "painter", "daily_wage": 0},
        {"trade": "painter", "daily_wage": 100_000},
        {"trade": "astronaut", "daily_wage": 300},
        {"trade": "painter", "daily_wage": 300, "district": "区" * 41},
        {"trade": "painter", "daily_wage": True},
        {"trade": "painter", "daily_wage": 300, "extra": 1},
    ],
)
def test_a_floor_out_of_range_is_invalid(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        WageFloorSet.model_validate(fields)


def test_a_job_posted_below_the_floor_is_refused_naming_it(session: Session) -> None:
    employer = make_employer(session)
    _set(session, "painter", 350)
    data = JobCreate.model_validate(job_body(wage=300))
    error = refused(
        session,
        lambda: job_service.job_post(session=session, employer=employer, data=data),
        BelowWageFloor,
        BELOW,
    )
    assert (error.field, error.params, str(error)) == (
        "wage",
        {"floor": 350},
        "The pay for this trade may not be below 350 yuan a day (the union's floor)",
    )
    assert session.exec(select(Job)).all() == []


def test_a_job_at_the_floor_is_posted(session: Session) -> None:
    employer = make_employer(session)
    _set(session, "painter", 320)
    job = job_service.job_post(
        session=session, employer=employer, data=JobCreate.model_validate(job_body(wage=320))
    )
    assert job.wage == 320


def test_every_refused_attempt_is_counted(session: Session) -> None:
    employers = [make_employer(session) for _ in range(2)]
    _set(session, "painter", 350)
    for employer, wage in ((employers[0], 300), (employers[0], 320), (employers[1], 200)):
        data = JobCreate.model_validate(job_body(wage=wage))
        with pytest.raises(BelowWageFloor) as raised:
            job_service.job_post(session=session, employer=employer, data=data)
        assert raised.value.trace is not None
        raised.value.trace(session)  # as the request's session does after its rollback
    rows = session.exec(select(WageFloorRefusal)).all()
    assert sorted(r.wage for r in rows) == [200, 300, 320]
    now = utcnow()
    start, end = now - timedelta(hours=1), now + timedelta(hours=1)
    assert wage_service.count_floor_refusals(session=session, start=start, end=end) == 3
    later = end + timedelta(days=1)
    assert wage_service.count_floor_refusals(session=session, start=end, end=later) == 0
    [row] = wage_service.list_floor_attempts(session=session, start=start, end=end)
    assert (row.trade, row.district, row.attempts, row.employers, row.lowest_wage) == (
        "painter",
        "芝罘区",
        3,
        2,
        200,
    )
    refused_events = session.exec(select(Event).where(Event.kind == "wage_floor.refused")).all()
    assert len(refused_events) == 3
