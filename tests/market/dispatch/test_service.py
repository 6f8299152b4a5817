"""Morning dispatch called straight on the service: plan, send, and the worker's answer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from market.dispatch import service as dispatch_service
from market.errors import Conflict, NotFound
from market.i18n import market_tz
from market.models import Application, DispatchProposal, Job, User
from market.settings import get_settings
from market.workers import service as worker_service
from tests.factories import YANTAI, make_employer, make_job, make_staff, make_worker
from tests.market.service_helpers import events_after, hire, last_event_id, refused, snapshot

NOW = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)  # Monday 10:00 in the market's time zone
DAY = date(2030, 3, 5)  # the morning market planned: tomorrow


def local_at(hour: int, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=market_tz()).astimezone(UTC)


def day_job(session: Session, **fields: object) -> Job:
    """A painting job on DAY from 07:00 local, 1.4 km from the workers, in 芝罘区."""
    fields.setdefault("start_at", local_at(7))
    return make_job(session, **fields)  # type: ignore[arg-type]


def plan(session: Session, **fields: object) -> dispatch_service.DispatchPlan:
    return dispatch_service.plan_dispatch(session=session, day=DAY, now=NOW, **fields)  # type: ignore[arg-type]


def pairs(found: dispatch_service.DispatchPlan) -> list[tuple[int, int]]:
    return sorted((r.job.id or 0, r.worker.id or 0) for r in found.assignments)


def unfilled(found: dispatch_service.DispatchPlan) -> list[tuple[int, int]]:
    return [(u.job.id or 0, u.slots) for u in found.unfilled]


def send(session: Session, **fields: object) -> list[DispatchProposal]:
    return dispatch_service.dispatch_send(
        session=session,
        staff=make_staff(session),
        day=DAY,
        now=NOW,
        **fields,  # type: ignore[arg-type]
    )


def proposal_for(proposals: list[DispatchProposal], worker: User) -> DispatchProposal:
    return next(p for p in proposals if p.worker_id == worker.id)


# ---------------------------------------------------------------- plan


def test_plan_fills_the_headcount_and_leaves_the_other_workers_idle(db: Session) -> None:
    job = day_job(db, headcount=2)
    painters = {make_worker(db).id for _ in range(3)}
    make_worker(db, trades=(("cook", 2),))  # cannot paint: not even considered
    before = snapshot(db)
    found = plan(db)
    assert snapshot(db) == before  # a dry run
    assert len(found.assignments) == 2 and {r.job.id for r in found.assignments} == {job.id}
    assert len({r.worker.id for r in found.assignments}) == 2
    assert {r.worker.id for r in found.assignments} <= painters
    assert (found.idle_workers, found.workers_considered, found.unfilled) == (1, 3, [])
    assert all(
        r.reason.trade == "painter" and r.reason.distance_km == 1.4 for r in found.assignments
    )


def test_plan_with_fewer_workers_than_slots_names_the_slots_left_open(db: Session) -> None:
    job = day_job(db, headcount=3)
    worker = make_worker(db)
    found = plan(db)
    assert pairs(found) == [(job.id, worker.id)]
    assert unfilled(found) == [(job.id, 2)]
    assert found.idle_workers == 0


def test_plan_counts_the_hires_a_job_already_has(db: Session) -> None:
    job = day_job(db, headcount=2)
    hire(db, job=job, worker=make_worker(db), now=NOW)
    free = [make_worker(db) for _ in range(2)]
    found = plan(db)
    assert len(found.assignments) == 1 and found.assignments[0].worker.id in {w.id for w in free}
    assert found.unfilled == []


def test_plan_assigns_only_workers_holding_the_jobs_certificates(db: Session) -> None:
    job = day_job(db, headcount=2, certificates=("work_at_height",))
    certified = make_worker(db, certificates=("work_at_height",))
    make_worker(db)
    found = plan(db)
    assert pairs(found) == [(job.id, certified.id)]
    assert unfilled(found) == [(job.id, 1)]


def test_plan_leaves_out_a_worker_hired_for_an_overlapping_shift(db: Session) -> None:
    job = day_job(db, headcount=2)
    busy, free = make_worker(db), make_worker(db)
    elsewhere = day_job(db, headcount=1, instant=True, start_at=local_at(12))
    hire(db, job=elsewhere, worker=busy, now=NOW)  # fills it: not planned either
    found = plan(db)
    assert pairs(found) == [(job.id, free.id)]
    assert unfilled(found) == [(job.id, 1)]


def test_plan_of_a_district_leaves_out_other_districts_days_and_hidden_jobs(db: Session) -> None:
    here = day_job(db, headcount=1)
    day_job(db, headcount=1).district = "莱山区"
    day_job(db, headcount=1, start_at=local_at(7, DAY + timedelta(days=1)))
    day_job(db, headcount=1).hidden_reason = "虚假招工"
    db.flush()
    worker = make_worker(db)
    assert pairs(plan(db, district="芝罘区")) == [(here.id, worker.id)]
    assert plan(db, district="开发区") == dispatch_service.DispatchPlan(DAY, "开发区", [], [], 0, 0)


def test_plan_leaves_out_suspended_workers(db: Session) -> None:
    job = day_job(db, headcount=2)
    active, suspended = make_worker(db), make_worker(db)
    suspended.is_active = False
    db.add(suspended)
    found = plan(db)
    assert pairs(found) == [(job.id, active.id)]
    assert found.workers_considered == 1


def test_plan_leaves_out_workers_beyond_their_radius(db: Session) -> None:
    job = day_job(db, headcount=2, lat=YANTAI[0] + 0.09, lon=YANTAI[1])  # 10 km north
    near = make_worker(db, radius_km=15)
    make_worker(db, radius_km=5)
    assert pairs(plan(db)) == [(job.id, near.id)]


def test_sent_proposals_hold_their_slots_and_workers_out_of_later_plans(db: Session) -> None:
    job = day_job(db, headcount=3)
    first = {make_worker(db).id, make_worker(db).id}
    sent = send(db)
    assert {p.worker_id for p in sent} == first
    newcomer = make_worker(db)
    again = plan(db)
    assert pairs(again) == [(job.id, newcomer.id)]  # one slot left, the holders not asked twice
    assert again.workers_considered == 1 and again.unfilled == []


def test_a_declined_proposal_gives_its_slot_back_to_the_next_plan(db: Session) -> None:
    job = day_job(db, headcount=1)
    worker = make_worker(db)
    (proposal,) = send(db)
    assert plan(db).assignments == []
    dispatch_service.proposal_decline(
        session=db, proposal_id=proposal.id or 0, worker=worker, now=NOW
    )
    assert pairs(plan(db)) == [(job.id, worker.id)]


# ---------------------------------------------------------------- send


def test_send_offers_each_assignment_and_writes_an_event_for_each(db: Session) -> None:
    job = day_job(db, headcount=2)
    workers = {make_worker(db).id, make_worker(db).id}
    expected = {(r.worker.id, round(r.score, 4)) for r in plan(db).assignments}
    staff = make_staff(db)
    mark = last_event_id(db)
    sent = dispatch_service.dispatch_send(session=db, staff=staff, day=DAY, now=NOW)
    assert {(p.worker_id, p.score) for p in sent} == expected
    assert {p.worker_id for p in sent} == workers
    for p in sent:
        assert (p.job_id, p.day, p.district, p.status) == (job.id, DAY, "", "proposed")
        assert (p.sent_by, p.created_at, p.application_id) == (staff.id, NOW, None)
        assert p.reason["trade"] == "painter" and p.reason["distance_km"] == 1.4
    stored = db.exec(select(DispatchProposal).where(DispatchProposal.job_id == job.id)).all()
    assert sorted(p.id or 0 for p in stored) == sorted(p.id or 0 for p in sent)
    events = events_after(db, mark)
    assert [e.kind for e in events] == ["dispatch.proposed", "dispatch.proposed"]
    assert {(e.job_id, e.worker_id, e.employer_id) for e in events} == {
        (job.id, w, job.employer_id) for w in workers
    }
    assert sorted(e.payload["proposal"] for e in events) == sorted(p.id for p in sent)
    assert {(e.payload["job"], e.payload["day"]) for e in events} == {(job.id, "2030-03-05")}


def test_send_of_chosen_pairs_offers_only_those_once(db: Session) -> None:
    job = day_job(db, headcount=2)
    chosen, _other = make_worker(db), make_worker(db)
    pair = (job.id or 0, chosen.id or 0)
    sent = send(db, only=[pair, pair])
    assert [(p.job_id, p.worker_id) for p in sent] == [pair]
    assert len(db.exec(select(DispatchProposal)).all()) == 1


def test_send_of_a_pair_the_fresh_plan_does_not_hold_is_refused(db: Session) -> None:
    job = day_job(db, headcount=2)
    make_worker(db)
    staff = make_staff(db)
    refused(
        db,
        lambda: dispatch_service.dispatch_send(
            session=db, staff=staff, day=DAY, only=[(job.id or 0, 999_999)], now=NOW
        ),
        Conflict,
        "The market has changed since the plan was made; review the new plan",
    )


@pytest.mark.parametrize("only", [None, []], ids=["whole plan", "no pair"])
def test_send_with_nothing_to_send_is_refused(
    db: Session, only: list[tuple[int, int]] | None
) -> None:
    day_job(db, headcount=2, trade="cook")  # nobody can cook
    make_worker(db)
    staff = make_staff(db)
    refused(
        db,
        lambda: dispatch_service.dispatch_send(
            session=db, staff=staff, day=DAY, only=only, now=NOW
        ),
        Conflict,
        "There is nothing to send: the plan has no assignments",
    )


# ---------------------------------------------------------------- the worker's answer


def test_accepting_a_proposal_hires_through_claim_and_confirm(db: Session) -> None:
    job = day_job(db, headcount=2)
    worker = make_worker(db)
    (proposal,) = send(db)
    mark = last_event_id(db)
    application = dispatch_service.proposal_accept(
        session=db, proposal_id=proposal.id or 0, worker=worker, now=NOW
    )
    assert (application.job_id, application.worker_id) == (job.id, worker.id)
    assert (application.status, application.decided_at) == ("confirmed", NOW)
    db.refresh(job)
    assert (job.confirmed_count, job.first_hire_at) == (1, NOW)
    db.refresh(proposal)
    assert (proposal.status, proposal.decided_at) == ("accepted", NOW)
    assert proposal.application_id == application.id
    events = events_after(db, mark)
    assert [e.kind for e in events] == [
        "application.created", "application.confirmed", "dispatch.accepted"
    ]  # fmt: skip
    assert (events[-1].job_id, events[-1].worker_id) == (job.id, worker.id)
    assert events[-1].payload == {"proposal": proposal.id, "application": application.id}


def test_accepting_a_proposal_on_an_instant_job_is_the_hire(db: Session) -> None:
    job = day_job(db, headcount=1, instant=True)
    worker = make_worker(db)
    (proposal,) = send(db)
    mark = last_event_id(db)
    application = dispatch_service.proposal_accept(
        session=db, proposal_id=proposal.id or 0, worker=worker, now=NOW
    )
    assert application.status == "confirmed"
    db.refresh(job)
    assert (job.confirmed_count, job.status) == (1, "filled")
    kinds = [e.kind for e in events_after(db, mark)]
    assert kinds == ["job.filled", "application.created", "dispatch.accepted"]


def test_accepting_when_the_job_filled_meanwhile_is_refused(db: Session) -> None:
    job = day_job(db, headcount=1)
    worker = make_worker(db)
    (proposal,) = send(db)
    hire(db, job=job, worker=make_worker(db), now=NOW)  # the employer hired someone directly
    refused(
        db,
        lambda: dispatch_service.proposal_accept(
            session=db, proposal_id=proposal.id or 0, worker=worker, now=NOW
        ),
        Conflict,
        "This job is full",
    )
    assert db.get(DispatchProposal, proposal.id).status == "proposed"  # type: ignore[union-attr]


def test_accepting_when_hired_elsewhere_at_that_time_is_refused(db: Session) -> None:
    day_job(db, headcount=2)
    worker = make_worker(db)
    (proposal,) = send(db)
    hire(db, job=day_job(db, start_at=local_at(9), instant=True), worker=worker, now=NOW)
    refused(
        db,
        lambda: dispatch_service.proposal_accept(
            session=db, proposal_id=proposal.id or 0, worker=worker, now=NOW
        ),
        Conflict,
        "You are already booked for another job at this time",
    )
    assert db.exec(select(Application).where(Application.worker_id == worker.id)).one()


def test_answering_a_proposal_twice_is_refused(db: Session) -> None:
    day_job(db, headcount=1)
    worker = make_worker(db)
    (proposal,) = send(db)
    dispatch_service.proposal_accept(
        session=db, proposal_id=proposal.id or 0, worker=worker, now=NOW
    )
    for answer in (dispatch_service.proposal_accept, dispatch_service.proposal_decline):
        refused(
            db,
            lambda answer=answer: answer(  # type: ignore[misc]
                session=db, proposal_id=proposal.id or 0, worker=worker, now=NOW
            ),
            Conflict,
            "You have already answered this proposal",
        )


def test_answering_another_workers_proposal_is_not_found(db: Session) -> None:
    day_job(db, headcount=1)
    make_worker(db)
    (proposal,) = send(db)
    stranger = make_worker(db)
    for answer in (dispatch_service.proposal_accept, dispatch_service.proposal_decline):
        refused(
            db,
            lambda answer=answer: answer(  # type: ignore[misc]
                session=db, proposal_id=proposal.id or 0, worker=stranger, now=NOW
            ),
            NotFound,
            "Proposal not found",
        )
        refused(
            db,
            lambda answer=answer: answer(  # type: ignore[misc]
                session=db, proposal_id=999_999, worker=stranger, now=NOW
            ),
            NotFound,
            "Proposal not found",
        )


def test_declining_a_proposal_records_it_and_hires_nobody(db: Session) -> None:
    job = day_job(db, headcount=1)
    worker = make_worker(db)
    (proposal,) = send(db)
    mark = last_event_id(db)
    declined = dispatch_service.proposal_decline(
        session=db, proposal_id=proposal.id or 0, worker=worker, now=NOW
    )
    assert (declined.status, declined.decided_at, declined.application_id) == (
        "declined",
        NOW,
        None,
    )
    db.refresh(job)
    assert job.confirmed_count == 0
    assert db.exec(select(Application).where(Application.job_id == job.id)).all() == []
    events = events_after(db, mark)
    assert [(e.kind, e.job_id, e.worker_id, e.payload) for e in events] == [
        ("dispatch.declined", job.id, worker.id, {"proposal": proposal.id})
    ]


# ---------------------------------------------------------------- lists


def test_sent_list_holds_the_days_proposals_with_job_worker_and_employer(db: Session) -> None:
    employer = make_employer(db, name="赵老板")
    job = day_job(db, headcount=1, employer=employer)
    worker = make_worker(db, name="钱师傅")
    (proposal,) = send(db)
    rows = dispatch_service.list_sent(session=db, day=DAY)
    assert [(p.id, j.id, w.name, e.name) for p, j, w, e in rows] == [
        (proposal.id, job.id, "钱师傅", "赵老板")
    ]
    assert dispatch_service.list_sent(session=db, day=DAY + timedelta(days=1)) == []
    assert dispatch_service.list_sent(session=db, day=DAY, district="莱山区") == []
    assert worker.id == proposal.worker_id


def test_a_workers_proposals_list_open_ones_first(db: Session) -> None:
    next_day = DAY + timedelta(days=1)
    early, late = day_job(db, headcount=1), day_job(db, headcount=1, start_at=local_at(7, next_day))
    worker = make_worker(db)
    staff = make_staff(db)
    (on_early,) = dispatch_service.dispatch_send(session=db, staff=staff, day=DAY, now=NOW)
    dispatch_service.proposal_decline(
        session=db, proposal_id=on_early.id or 0, worker=worker, now=NOW
    )
    (on_late,) = dispatch_service.dispatch_send(session=db, staff=staff, day=next_day, now=NOW)
    assert (on_early.job_id, on_late.job_id) == (early.id, late.id)
    mine = dispatch_service.list_worker_proposals(session=db, worker_id=worker.id or 0)
    assert [(p.job_id, p.status) for p, _job in mine] == [
        (late.id, "proposed"),
        (early.id, "declined"),
    ]


# ---------------------------------------------------------------- the hiring hall's rotation


def worked_on(session: Session, worker: User, day: date) -> None:
    """The worker was hired for a shift that began at 07:00 local on `day`."""
    job = day_job(session, headcount=1, start_at=local_at(7, day))
    hire(session, job=job, worker=worker, now=local_at(7, day) - timedelta(days=1))


def test_idle_days_count_from_the_last_shift_worked_or_from_joining(db: Session) -> None:
    yesterday, rested, never, booked, dropped = (make_worker(db) for _ in range(5))
    worked_on(db, yesterday, date(2030, 3, 3))
    worked_on(db, rested, date(2030, 2, 20))
    for user in (never, booked, dropped):
        user.created_at = datetime(2030, 2, 1, 12, tzinfo=UTC)
    worked_on(db, booked, DAY)  # hired for tomorrow: not work had yet
    worked_on(db, dropped, date(2030, 3, 3))
    db.get(Application, _application_of(db, dropped)).status = "cancelled"  # type: ignore[union-attr]
    db.flush()
    ids = [u.id or 0 for u in (yesterday, rested, never, booked, dropped)]
    days = worker_service.idle_days(session=db, worker_ids=ids, now=NOW)
    assert [days[i] for i in ids] == [0, 11, 30, 30, 30]


def _application_of(session: Session, worker: User) -> int:
    found = session.exec(select(Application).where(Application.worker_id == worker.id)).one()
    return found.id or 0


def test_plan_gives_the_slot_to_the_worker_idle_longest(db: Session) -> None:
    job = day_job(db, headcount=1)
    master = make_worker(db, trades=(("painter", 3),))  # the better fit, worked yesterday
    helper = make_worker(db, trades=(("painter", 1),))  # idle for eleven days
    worked_on(db, master, date(2030, 3, 3))
    worked_on(db, helper, date(2030, 2, 20))
    found = plan(db)
    assert pairs(found) == [(job.id, helper.id)]
    assert found.idle_workers == 1


def test_a_union_may_weaken_the_rotation_to_score_alone(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = day_job(db, headcount=1)
    master = make_worker(db, trades=(("painter", 3),))
    helper = make_worker(db, trades=(("painter", 1),))
    worked_on(db, master, date(2030, 3, 3))
    worked_on(db, helper, date(2030, 2, 20))
    monkeypatch.setenv("LINGGONG_DISPATCH_ROTATION", "score")
    get_settings.cache_clear()
    try:
        assert pairs(plan(db)) == [(job.id, master.id)]
    finally:
        monkeypatch.delenv("LINGGONG_DISPATCH_ROTATION")
        get_settings.cache_clear()
