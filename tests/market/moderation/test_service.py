"""Moderation on the service: each step is logged and told; a refusal writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from market.accounts import privacy as privacy_service
from market.accounts import service as accounts
from market.applications import service as application_service
from market.errors import Conflict, NotAllowed, NotFound
from market.models import EmployerProfile, ModerationAction, UserSession
from market.moderation import service as moderation_service
from tests.factories import make_employer, make_job, make_staff, make_worker
from tests.market.service_helpers import events_after, last_event_id, refused

NOW = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)


def actions(session: Session) -> list[tuple[object, ...]]:
    """Every logged action as (staff, action, job, user, reason, when), oldest first."""
    rows = session.exec(select(ModerationAction).order_by(col(ModerationAction.id))).all()
    return [(a.staff_id, a.action, a.job_id, a.user_id, a.reason, a.created_at) for a in rows]


def told(session: Session, mark: int) -> list[tuple[object, ...]]:
    """The events written since `mark` as (kind, job, worker, employer, payload)."""
    return [
        (e.kind, e.job_id, e.worker_id, e.employer_id, e.payload)
        for e in events_after(session, mark)
    ]


# ---------------------------------------------------------------- jobs


def test_hiding_a_job_takes_it_down_logs_it_and_tells_the_employer(db: Session) -> None:
    staff, job = make_staff(db), make_job(db, start_at=NOW + timedelta(days=1))
    mark = last_event_id(db)
    hidden = moderation_service.job_hide(
        session=db, staff=staff, job=job, reason="虚假招工", now=NOW
    )
    db.refresh(hidden)
    assert (hidden.hidden_reason, hidden.updated_at, hidden.status) == ("虚假招工", NOW, "open")
    assert actions(db) == [(staff.id, "job.hidden", job.id, None, "虚假招工", NOW)]
    payload = {"job": job.id, "reason": "虚假招工"}
    assert told(db, mark) == [("job.hidden", job.id, None, job.employer_id, payload)]
    assert moderation_service.list_hidden_jobs(session=db) == [hidden]


def test_a_hidden_job_takes_no_claims(db: Session) -> None:
    staff, job = make_staff(db), make_job(db, start_at=NOW + timedelta(days=1))
    moderation_service.job_hide(session=db, staff=staff, job=job, reason="虚假招工", now=NOW)
    worker = make_worker(db)
    refused(
        db,
        lambda: application_service.application_claim(
            session=db, job_id=job.id or 0, worker=worker, now=NOW
        ),
        Conflict,
        "The union has taken this job down; it takes no applications",
    )


def test_hiding_a_hidden_job_is_refused(db: Session) -> None:
    staff, job = make_staff(db), make_job(db)
    moderation_service.job_hide(session=db, staff=staff, job=job, reason="虚假招工", now=NOW)
    refused(
        db,
        lambda: moderation_service.job_hide(session=db, staff=staff, job=job, reason="又一次"),
        Conflict,
        "This job is already hidden",
    )
    assert job.hidden_reason == "虚假招工"


def test_unhiding_a_job_puts_it_back_logs_it_and_tells_the_employer(db: Session) -> None:
    staff, job = make_staff(db), make_job(db)
    moderation_service.job_hide(session=db, staff=staff, job=job, reason="虚假招工", now=NOW)
    mark, later = last_event_id(db), NOW + timedelta(hours=1)
    shown = moderation_service.job_unhide(session=db, staff=staff, job=job, now=later)
    db.refresh(shown)
    assert (shown.hidden_reason, shown.updated_at) == (None, later)
    assert actions(db)[-1] == (staff.id, "job.unhidden", job.id, None, "", later)
    assert told(db, mark) == [("job.unhidden", job.id, None, job.employer_id, {"job": job.id})]
    assert moderation_service.list_hidden_jobs(session=db) == []


def test_unhiding_a_job_that_is_not_hidden_is_refused(db: Session) -> None:
    staff, job = make_staff(db), make_job(db)
    refused(
        db,
        lambda: moderation_service.job_unhide(session=db, staff=staff, job=job, now=NOW),
        Conflict,
        "This job is not hidden",
    )


# ---------------------------------------------------------------- accounts


@pytest.mark.parametrize("role", ["worker", "employer"])
def test_suspending_an_account_logs_it_out_everywhere_and_tells_its_channel(
    db: Session, role: str
) -> None:
    staff = make_staff(db)
    user = make_worker(db) if role == "worker" else make_employer(db)
    bystander = make_worker(db)
    for who in (user, user, bystander):
        accounts.session_create(session=db, user=who)
    mark = last_event_id(db)
    moderation_service.user_suspend(session=db, staff=staff, user=user, reason="冒用身份", now=NOW)
    db.refresh(user)
    assert user.is_active is False
    sessions = db.exec(select(UserSession.user_id)).all()
    assert sessions == [bystander.id]
    assert actions(db) == [(staff.id, "user.suspended", None, user.id, "冒用身份", NOW)]
    worker_id, employer_id = (user.id, None) if role == "worker" else (None, user.id)
    payload = {"user": user.id, "reason": "冒用身份"}
    assert told(db, mark) == [
        ("logins.ended", None, None, None, {"user": user.id}),  # every replica forgets them
        ("user.suspended", None, worker_id, employer_id, payload),
    ]


def test_suspending_a_staff_account_is_not_allowed(db: Session) -> None:
    staff, other = make_staff(db), make_staff(db)
    accounts.session_create(session=db, user=other)
    refused(
        db,
        lambda: moderation_service.user_suspend(session=db, staff=staff, user=other, reason="x"),
        NotAllowed,
        "Staff accounts cannot be suspended here",
    )


def test_suspending_a_suspended_account_is_refused(db: Session) -> None:
    staff, worker = make_staff(db), make_worker(db)
    moderation_service.user_suspend(session=db, staff=staff, user=worker, reason="冒用身份")
    refused(
        db,
        lambda: moderation_service.user_suspend(session=db, staff=staff, user=worker, reason="x"),
        Conflict,
        "This account is already suspended",
    )


def test_reinstating_lifts_the_suspension_logs_it_and_tells_it(db: Session) -> None:
    staff, worker = make_staff(db), make_worker(db)
    moderation_service.user_suspend(
        session=db, staff=staff, user=worker, reason="冒用身份", now=NOW
    )
    mark, later = last_event_id(db), NOW + timedelta(days=1)
    moderation_service.user_reinstate(session=db, staff=staff, user=worker, now=later)
    db.refresh(worker)
    assert worker.is_active is True
    assert actions(db)[-1] == (staff.id, "user.reinstated", None, worker.id, "", later)
    assert told(db, mark) == [("user.reinstated", None, worker.id, None, {"user": worker.id})]


def test_reinstating_an_account_that_is_not_suspended_is_refused(db: Session) -> None:
    staff, worker = make_staff(db), make_worker(db)
    refused(
        db,
        lambda: moderation_service.user_reinstate(session=db, staff=staff, user=worker, now=NOW),
        Conflict,
        "This account is not suspended",
    )


def test_reinstating_a_deleted_account_is_refused(db: Session) -> None:
    staff, worker = make_staff(db), make_worker(db)
    privacy_service.account_delete(session=db, user=worker, now=NOW)
    with pytest.raises(Conflict):
        moderation_service.user_reinstate(session=db, staff=staff, user=worker, now=NOW)
    db.refresh(worker)
    assert worker.is_active is False
    assert actions(db) == []


def test_get_user_of_an_unknown_account_is_not_found(db: Session) -> None:
    refused(
        db,
        lambda: moderation_service.get_user(session=db, user_id=999_999),
        NotFound,
        "Account not found",
    )


# ---------------------------------------------------------------- employers


def test_verifying_an_employer_gives_the_badge_logs_it_and_tells_them(db: Session) -> None:
    staff, employer = make_staff(db), make_employer(db)
    mark = last_event_id(db)
    profile = moderation_service.employer_verify(
        session=db, staff=staff, employer_id=employer.id or 0, now=NOW
    )
    db.refresh(profile)
    assert profile.verified is True
    assert actions(db) == [(staff.id, "employer.verified", None, employer.id, "", NOW)]
    payload = {"employer": employer.id, "verified": True}
    assert told(db, mark) == [("employer.verified", None, None, employer.id, payload)]


def test_taking_the_badge_back_logs_it_and_tells_them(db: Session) -> None:
    staff, employer = make_staff(db), make_employer(db)
    moderation_service.employer_verify(session=db, staff=staff, employer_id=employer.id or 0)
    mark = last_event_id(db)
    profile = moderation_service.employer_verify(
        session=db, staff=staff, employer_id=employer.id or 0, verified=False, now=NOW
    )
    assert profile.verified is False
    assert actions(db)[-1] == (staff.id, "employer.unverified", None, employer.id, "", NOW)
    payload = {"employer": employer.id, "verified": False}
    assert told(db, mark) == [("employer.unverified", None, None, employer.id, payload)]


@pytest.mark.parametrize(
    ("verified_before", "verify", "message"),
    [
        (True, True, "This employer is already verified"),
        (False, False, "This employer is not verified"),
    ],
)
def test_verifying_to_the_state_it_already_has_is_refused(
    db: Session, verified_before: bool, verify: bool, message: str
) -> None:
    staff, employer = make_staff(db), make_employer(db)
    profile = db.get(EmployerProfile, employer.id)
    assert profile is not None
    profile.verified = verified_before
    db.add(profile)
    refused(
        db,
        lambda: moderation_service.employer_verify(
            session=db, staff=staff, employer_id=employer.id or 0, verified=verify
        ),
        Conflict,
        message,
    )


def test_verifying_a_worker_as_an_employer_is_not_found(db: Session) -> None:
    staff, worker = make_staff(db), make_worker(db)
    refused(
        db,
        lambda: moderation_service.employer_verify(
            session=db, staff=staff, employer_id=worker.id or 0
        ),
        NotFound,
        "Employer not found",
    )


# ---------------------------------------------------------------- reads


def test_the_moderation_log_lists_the_latest_first(db: Session) -> None:
    staff, job, worker = make_staff(db), make_job(db), make_worker(db)
    moderation_service.job_hide(session=db, staff=staff, job=job, reason="虚假招工")
    moderation_service.user_suspend(session=db, staff=staff, user=worker, reason="冒用身份")
    moderation_service.job_unhide(session=db, staff=staff, job=job)
    log = moderation_service.list_moderation_actions(session=db, limit=2).items
    assert [a.action for a in log] == ["job.unhidden", "user.suspended"]


def test_account_search_finds_workers_and_employers_by_name_or_phone_not_staff(
    db: Session,
) -> None:
    worker = make_worker(db, name="周大明")
    employer = make_employer(db, name="周老板")
    make_staff(db).name = "周干事"
    db.flush()
    found = moderation_service.search_accounts(session=db, query=" 周 ")
    assert [(u.id, p is not None) for u, p in found] == [(employer.id, True), (worker.id, False)]
    by_phone = moderation_service.search_accounts(session=db, query=worker.phone[-6:])
    assert [u.id for u, _ in by_phone] == [worker.id]


def test_job_search_finds_by_id_or_by_words_in_title_or_address(db: Session) -> None:
    walls, floor = make_job(db, title="新房刷墙"), make_job(db, title="地板打蜡")
    assert [j.id for j in moderation_service.search_jobs(session=db, query=str(floor.id))] == [
        floor.id
    ]
    assert [j.id for j in moderation_service.search_jobs(session=db, query="刷墙")] == [walls.id]
    assert [j.id for j in moderation_service.search_jobs(session=db)] == [floor.id, walls.id]
