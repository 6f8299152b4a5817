"""A user's own data: the export holds theirs and nobody else's; deleting erases the person."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from market.accounts import privacy as privacy_service
from market.accounts import service as accounts
from market.dispatch import service as dispatch_service
from market.errors import Conflict, NotAllowed, Unauthenticated
from market.i18n import local, market_tz
from market.models import (
    Application,
    AvailableDay,
    DispatchProposal,
    EmployerProfile,
    Event,
    IdempotencyRecord,
    Job,
    Membership,
    Rating,
    Report,
    User,
    UserSession,
    WeeklyAvailability,
    WorkerCertificate,
    WorkerProfile,
    WorkerTrade,
)
from market.reports import service as report_service
from tests.factories import PASSWORD, YANTAI, make_employer, make_job, make_staff, make_worker
from tests.market.service_helpers import events_after, hire, last_event_id, refused, snapshot
from tests.staff_factories import make_application, make_member

NOW = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)  # Monday 10:00 in the market's time zone
WORKED = NOW - timedelta(days=2)  # the start of a shift that is over


@dataclass(frozen=True)
class World:
    """Two workers hired on the same finished job, each with everything a worker can have."""

    employer: User
    worker: User
    other: User
    done: Job  # finished: both hired, both completed
    coming: Job  # tomorrow: the worker has applied
    done_application: Application
    pending_application: Application
    rating_given: Rating
    rating_received: Rating
    report: Report
    proposal: DispatchProposal


def _rate(session: Session, application: Application, by: User, to: User, comment: str) -> Rating:
    rating = Rating(
        application_id=application.id or 0,
        from_user_id=by.id or 0,
        to_user_id=to.id or 0,
        stars=4,
        comment=comment,
    )
    session.add(rating)
    session.flush()
    return rating


def _everything(session: Session, worker: User, employer: User, done: Job, tag: str) -> tuple:  # type: ignore[type-arg]
    """A finished hire, ratings both ways, a report, a membership and a proposal for `worker`."""
    application = make_application(session, job=done, worker=worker, status="completed")
    given = _rate(session, application, worker, employer, f"{tag}：老板人好")
    received = _rate(session, application, employer, worker, f"{tag}：干活细")
    report = report_service.report_create(
        session=session,
        worker=worker,
        job_id=done.id or 0,
        kind="unpaid",
        agreed_wage=300,
        work_from=local(WORKED).date(),
        work_to=local(WORKED).date(),
        description=f"{tag}：工钱没结",
        now=NOW,
    )
    make_member(session, worker=worker, status="approved")
    proposal = DispatchProposal(
        job_id=done.id or 0,
        worker_id=worker.id or 0,
        day=local(WORKED).date(),
        score=0.5,
        reason={},
        sent_by=make_staff(session).id or 0,
    )
    session.add(proposal)
    session.flush()
    return application, given, received, report, proposal


def make_world(session: Session) -> World:
    employer = make_employer(session)
    worker = make_worker(session, certificates=("health",), name="王师傅")
    other = make_worker(session, name="赵师傅")
    session.add(
        AvailableDay(worker_id=worker.id or 0, start_at=NOW, end_at=NOW + timedelta(hours=9))
    )
    done = make_job(session, employer=employer, start_at=WORKED, title="刷墙", headcount=2)
    coming = make_job(session, employer=employer, start_at=NOW + timedelta(days=1), title="补漆")
    application, given, received, report, proposal = _everything(
        session, worker, employer, done, "我"
    )
    _everything(session, other, employer, done, "他")
    pending = make_application(session, job=coming, worker=worker, status="applied", hired=False)
    return World(employer, worker, other, done, coming, application, pending, given, received,
                 report, proposal)  # fmt: skip


def ids(rows: list[dict[str, object]]) -> list[object]:
    return sorted(row["id"] for row in rows)  # type: ignore[type-var]


# ---------------------------------------------------------------- export


def test_export_of_a_worker_holds_all_their_data_and_nobody_elses(db: Session) -> None:
    world = make_world(db)
    before = snapshot(db)
    data = privacy_service.export_user_data(session=db, user=world.worker)
    assert snapshot(db) == before  # a read
    text = json.dumps(data, ensure_ascii=False)  # plain JSON throughout
    assert data["account"]["id"] == world.worker.id
    assert data["account"]["phone"] == world.worker.phone and data["account"]["name"] == "王师傅"
    assert "password_hash" not in data["account"] and "argon2" not in text
    assert data["worker_profile"]["user_id"] == world.worker.id
    assert data["worker_profile"]["home_lat"] == pytest.approx(YANTAI[0])
    assert "lock_version" not in data["worker_profile"]
    assert [(t["trade"], t["level"]) for t in data["trades"]] == [("painter", 2)]
    assert [c["code"] for c in data["certificates"]] == ["health"]
    assert len(data["weekly_availability"]) == 7 and len(data["available_days"]) == 1
    assert ids(data["applications"]) == sorted(
        [world.done_application.id, world.pending_application.id]
    )
    titles = {a["id"]: (a["job_title"], a["job_address"]) for a in data["applications"]}
    assert titles[world.pending_application.id] == ("补漆", "烟台市芝罘区南大街")
    assert ids(data["ratings_given"]) == [world.rating_given.id]
    assert ids(data["ratings_received"]) == [world.rating_received.id]
    assert ids(data["reports"]) == [world.report.id]
    assert data["membership"]["user_id"] == world.worker.id
    assert data["membership"]["status"] == "approved"
    assert ids(data["dispatch_proposals"]) == [world.proposal.id]
    assert "employer_profile" not in data and "jobs_posted" not in data
    # the other worker on the same job: none of their rows, none of their words
    assert world.other.phone not in text and "赵师傅" not in text and "他：" not in text


def test_export_of_an_employer_holds_their_profile_and_only_their_jobs(db: Session) -> None:
    world = make_world(db)
    make_job(db, title="别人的活")  # another employer's
    data = privacy_service.export_user_data(session=db, user=world.employer)
    assert data["employer_profile"]["user_id"] == world.employer.id
    assert ids(data["jobs_posted"]) == sorted([world.done.id, world.coming.id])
    assert "worker_profile" not in data and data["applications"] == []
    assert len(data["ratings_given"]) == len(data["ratings_received"]) == 2
    assert data["reports"] == [] and data["membership"] is None
    assert "别人的活" not in json.dumps(data, ensure_ascii=False)


# ---------------------------------------------------------------- delete


def _count(session: Session, model: type, **where: object) -> int:
    query = select(model)
    for field, value in where.items():
        query = query.where(col(getattr(model, field)) == value)
    return len(session.exec(query).all())


def test_deleting_a_worker_erases_the_person_and_keeps_the_market_history(db: Session) -> None:
    world = make_world(db)
    worker, uid, phone = world.worker, world.worker.id or 0, world.worker.phone
    accounts.session_create(session=db, user=worker)
    accounts.session_create(session=db, user=world.other)
    db.add(IdempotencyRecord(user_id=uid, route="POST /api/v1/x", key="k", request_hash="h",
                             status_code=201))  # fmt: skip
    profile = db.get(WorkerProfile, uid)
    assert profile is not None
    profile.available_now, profile.now_lat, profile.now_lon = True, 37.5, 121.3
    profile.now_until = NOW + timedelta(hours=4)
    db.add(profile)
    mark = last_event_id(db)
    privacy_service.account_delete(session=db, user=worker, now=NOW)
    db.expire_all()
    gone = db.get(User, uid)
    assert gone is not None
    assert (gone.name, gone.phone, gone.is_active, gone.deleted_at) == (
        "", f"deleted-{uid}", False, NOW
    )  # fmt: skip
    with pytest.raises(Unauthenticated):
        accounts.user_authenticate(session=db, phone=phone, password=PASSWORD)
    profile = db.get(WorkerProfile, uid)
    assert profile is not None and profile.updated_at == NOW
    assert (profile.home_lat, profile.home_lon, profile.now_lat, profile.now_lon) == (None,) * 4
    assert (profile.available_now, profile.now_until) == (False, None)
    for model in (WorkerTrade, WorkerCertificate, WeeklyAvailability, AvailableDay):
        assert _count(db, model, worker_id=uid) == 0, model
    assert _count(db, UserSession, user_id=uid) == _count(db, IdempotencyRecord, user_id=uid) == 0
    # the history stays: the finished hire, the stars, the report, the membership
    assert db.get(Application, world.done_application.id).status == "completed"  # type: ignore[union-attr]
    given, received = (
        db.get(Rating, world.rating_given.id),
        db.get(Rating, world.rating_received.id),
    )
    assert given is not None and (given.stars, given.comment) == (4, "")
    assert received is not None and received.comment == "我：干活细"
    report = db.get(Report, world.report.id)
    assert report is not None and report.description == "我：工钱没结"
    assert db.get(Membership, uid) is not None
    # the employer no longer sees a pending applicant who is gone
    pending = db.get(Application, world.pending_application.id)
    assert pending is not None
    assert (pending.status, pending.cancelled_by, pending.cancel_reason) == (
        "withdrawn", "worker", "account deleted"
    )  # fmt: skip
    events = events_after(db, mark)
    assert [(e.kind, e.worker_id) for e in events] == [
        ("application.withdrawn", uid),
        ("dispatch.declined", uid),  # their morning proposal's slot goes to someone else
        ("logins.ended", None),  # every replica forgets their logins
        ("user.deleted", None),
    ]
    assert events[-1].payload == {"role": "worker"}
    # the other worker keeps everything
    assert _count(db, WorkerTrade, worker_id=world.other.id) == 1
    assert _count(db, UserSession, user_id=world.other.id) == 1
    assert db.get(User, world.other.id).name == "赵师傅"  # type: ignore[union-attr]


def test_deleting_an_employer_erases_the_name_and_keeps_the_finished_jobs(db: Session) -> None:
    employer = make_employer(db, name="钱老板")
    done = make_job(db, employer=employer, start_at=WORKED)
    done.status = "completed"
    db.add(done)
    privacy_service.account_delete(session=db, user=employer, now=NOW)
    db.expire_all()
    profile = db.get(EmployerProfile, employer.id)
    assert profile is not None and profile.org_name == ""
    user = db.get(User, employer.id)
    assert user is not None and (user.name, user.is_active) == ("", False)
    assert db.get(Job, done.id) is not None


def test_deleting_after_the_hired_shift_is_over_is_allowed(db: Session) -> None:
    worker = make_worker(db)
    make_application(db, job=make_job(db, start_at=WORKED), worker=worker, status="confirmed")
    privacy_service.account_delete(session=db, user=worker, now=NOW)
    assert worker.deleted_at == NOW


def test_deleting_a_worker_hired_for_work_not_yet_over_is_refused(db: Session) -> None:
    worker = make_worker(db)
    hire(db, job=make_job(db, start_at=NOW + timedelta(days=1)), worker=worker, now=NOW)
    refused(
        db,
        lambda: privacy_service.account_delete(session=db, user=worker, now=NOW),
        Conflict,
        "Cancel your confirmed work that is not over yet, then delete your account",
    )
    assert worker.is_active and worker.deleted_at is None


@pytest.mark.parametrize("status", ["open", "filled"])
def test_deleting_an_employer_with_a_job_not_yet_over_is_refused(db: Session, status: str) -> None:
    employer = make_employer(db)
    # started two hours ago, ends in six: a job still running counts too
    job = make_job(db, employer=employer, start_at=NOW - timedelta(hours=2), hours=8)
    job.status = status
    db.add(job)
    refused(
        db,
        lambda: privacy_service.account_delete(session=db, user=employer, now=NOW),
        Conflict,
        "Cancel your open or staffed jobs first, then delete your account",
    )


def test_deleting_a_staff_account_is_not_allowed(db: Session) -> None:
    staff = make_staff(db)
    refused(
        db,
        lambda: privacy_service.account_delete(session=db, user=staff, now=NOW),
        NotAllowed,
        "Union staff accounts are closed by the union office",
    )


def test_deleting_a_worker_gives_their_proposed_slots_back_to_the_dispatch(db: Session) -> None:
    day = date(2030, 3, 5)
    start = datetime(2030, 3, 5, 7, tzinfo=market_tz())
    job = make_job(db, headcount=1, start_at=start)
    leaving = make_worker(db)
    (proposal,) = dispatch_service.dispatch_send(session=db, staff=make_staff(db), day=day, now=NOW)
    assert proposal.worker_id == leaving.id
    privacy_service.account_delete(session=db, user=leaving, now=NOW)
    newcomer = make_worker(db)
    plan = dispatch_service.plan_dispatch(session=db, day=day, now=NOW)
    assert [(r.job.id, r.worker.id) for r in plan.assignments] == [(job.id, newcomer.id)]


def test_no_event_names_the_deleted_user_by_phone_or_name(db: Session) -> None:
    worker = make_worker(db, name="孙师傅")
    phone = worker.phone
    mark = last_event_id(db)
    privacy_service.account_delete(session=db, user=worker, now=NOW)
    payloads = json.dumps([e.payload for e in events_after(db, mark)], ensure_ascii=False)
    assert phone not in payloads and "孙师傅" not in payloads
    kinds = db.exec(select(Event.kind).where(col(Event.id) > mark)).all()
    assert kinds == ["logins.ended", "user.deleted"]
