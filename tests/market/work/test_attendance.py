"""Attendance: the day's code, the check-in/check-out state machine, corrections and answers."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from market.errors import Conflict, Invalid, NotFound
from market.models import (
    Application,
    ApplicationStatus,
    Attendance,
    Event,
    Job,
    User,
    WorkAnswer,
)
from market.work import service as work_service
from market.work.codes import attendance_code, normalise_code
from market.work.ledger import load_ledger
from market.work.schemas import AnswerCreate, AttendanceCorrection, CheckIn
from tests.factories import make_worker
from tests.market.service_helpers import refused
from tests.market.work.work_factories import HOUR, code_on, local_at, make_hire

SHIFT = local_at(0, 8)  # today 08:00-16:00, market time
NOW = local_at(0, 9)


def check(session: Session, application, user, kind="check_in", now=NOW, **fields):  # type: ignore[no-untyped-def]
    return work_service.attendance_record(
        session=session,
        application=application,
        user=user,
        kind=kind,
        data=CheckIn(**fields),
        now=now,
    )


def _worker(session: Session, application: Application) -> User:
    return session.get_one(User, application.worker_id)


def _employer(session: Session, job: Job) -> User:
    return session.get_one(User, job.employer_id)


def test_the_code_is_six_digits_new_each_day_and_per_job() -> None:
    today = SHIFT.date()
    code = attendance_code(job_id=7, day=today)
    assert len(code) == 6 and code.isdigit()
    assert code == attendance_code(job_id=7, day=today)
    assert code != attendance_code(job_id=7, day=today - timedelta(days=1))
    assert code != attendance_code(job_id=8, day=today)
    assert attendance_code(job_id=7, day=today, secret="another") != code
    assert normalise_code(" １２3 456 ") == "123456"
    assert normalise_code("12²3٤5") == "12345"  # a superscript is no digit; Arabic-Indic is


def test_worker_checks_in_and_out_with_the_day_code_and_both_sides_hear(session: Session) -> None:
    application, job = make_hire(session, start_at=SHIFT)
    worker = _worker(session, application)
    entry = check(
        session, application, worker, code=code_on(job, NOW), lat=37.5, lon=121.2, accuracy_m=4800
    )
    assert (entry.kind, entry.method, entry.revision, entry.at) == ("check_in", "code", 0, NOW)
    assert (entry.lat, entry.lon, entry.accuracy_m) == (37.5, 121.2, 4800)  # a poor fix is kept
    later = NOW + 7 * HOUR
    out = check(session, application, worker, "check_out", now=later, code=code_on(job, later))
    assert out.at == later
    events = session.exec(select(Event).where(Event.job_id == job.id).order_by(col(Event.id))).all()
    assert [(e.kind, e.worker_id, e.employer_id, e.payload["kind"]) for e in events] == [
        ("attendance.recorded", worker.id, job.employer_id, "check_in"),
        ("attendance.recorded", worker.id, job.employer_id, "check_out"),
    ]


def test_a_scanned_code_is_recorded_as_a_qr_check_in(session: Session) -> None:
    application, job = make_hire(session, start_at=SHIFT)
    worker = _worker(session, application)
    entry = check(session, application, worker, code=code_on(job, NOW), scanned=True)
    assert entry.method == "qr" and entry.lat is None


def test_check_out_before_check_in_is_refused(session: Session) -> None:
    application, job = make_hire(session, start_at=SHIFT)
    worker = _worker(session, application)
    refused(
        session,
        lambda: check(session, application, worker, "check_out", code=code_on(job, NOW)),
        Conflict,
        "Check in first; a check-out needs a check-in",
    )


def test_a_second_check_in_is_refused(session: Session) -> None:
    application, job = make_hire(session, start_at=SHIFT)
    worker, employer = _worker(session, application), _employer(session, job)
    check(session, application, worker, code=code_on(job, NOW))
    refused(
        session,
        lambda: check(session, application, worker, code=code_on(job, NOW), now=NOW + HOUR),
        Conflict,
        "Already checked in at {time}",
    )
    refused(  # the employer cannot record one on top either: that is a correction
        session,
        lambda: check(session, application, employer, at=NOW),
        Conflict,
        "Already checked in at {time}",
    )


def test_yesterdays_code_is_refused_as_expired(session: Session) -> None:
    night = local_at(-1, 20)  # yesterday 20:00 to today 04:00
    application, job = make_hire(session, start_at=night, hours=8)
    worker = _worker(session, application)
    now = local_at(0, 2)
    refused(
        session,
        lambda: check(session, application, worker, now=now, code=code_on(job, night)),
        Invalid,
        "This code has expired; ask the employer for today's code",
    )
    assert check(session, application, worker, now=now, code=code_on(job, now)).at == now
    day_after = local_at(1, 9)
    refused(
        session,
        lambda: check(
            session, application, worker, "check_out", now=day_after, code=code_on(job, now)
        ),
        Invalid,
        "This code has expired; ask the employer for today's code",
    )


def test_a_wrong_code_or_the_wrong_day_is_refused(session: Session) -> None:
    application, job = make_hire(session, start_at=SHIFT + timedelta(days=1))
    worker = _worker(session, application)
    refused(
        session,
        lambda: check(session, application, worker, code=code_on(job, NOW)),
        Conflict,
        "The shift is on {day}; check in on that day",
    )
    other, job2 = make_hire(session, start_at=SHIFT)
    wrong = str((int(code_on(job2, NOW)) + 1) % 1_000_000).zfill(6)
    refused(
        session,
        lambda: check(session, other, _worker(session, other), code=wrong),
        Invalid,
        "Wrong code; check the code on the employer's phone",
    )
    refused(
        session,
        lambda: check(session, other, _worker(session, other), code="  "),
        Invalid,
        "Type the 6-digit code shown on the employer's phone",
    )


def test_only_a_hired_worker_of_this_job_checks_in(session: Session) -> None:
    application, job = make_hire(session, start_at=SHIFT, status=ApplicationStatus.applied)
    refused(
        session,
        lambda: check(session, application, _worker(session, application), code=code_on(job, NOW)),
        Conflict,
        "Only a hired worker's attendance and pay are recorded",
    )
    hired, job2 = make_hire(session, start_at=SHIFT)
    stranger = make_worker(session)
    refused(
        session,
        lambda: check(session, hired, stranger, code=code_on(job2, NOW)),
        NotFound,
        "Work record not found",
    )
    no_show, job3 = make_hire(session, start_at=SHIFT, status=ApplicationStatus.no_show)
    refused(
        session,
        lambda: check(session, no_show, _employer(session, job3), at=NOW),
        Conflict,
        "Only a hired worker's attendance and pay are recorded",
    )


def test_the_employer_records_for_a_worker_without_a_phone_but_not_in_the_future(
    session: Session,
) -> None:
    application, job = make_hire(session, start_at=SHIFT)
    employer = _employer(session, job)
    refused(
        session,
        lambda: check(session, application, employer, at=NOW + HOUR),
        Invalid,
        "The time cannot be in the future",
    )
    refused(
        session,
        lambda: check(session, application, employer, at=SHIFT - timedelta(days=1)),
        Invalid,
        "The time cannot be before the shift's day ({day})",
    )
    entry = check(session, application, employer, at=SHIFT, lat=1.0, lon=2.0)
    assert (entry.method, entry.at, entry.recorded_by, entry.lat) == (
        "employer",
        SHIFT,
        employer.id,
        None,  # the employer's phone is not where the worker is
    )
    refused(
        session,
        lambda: check(session, application, employer, "check_out", at=SHIFT - HOUR / 2),
        Invalid,
        "The check-out cannot be before the check-in ({time})",
    )


def test_a_correction_waits_for_the_other_side_and_then_holds(session: Session) -> None:
    application, job = make_hire(session, start_at=SHIFT)
    worker, employer = _worker(session, application), _employer(session, job)
    later = NOW + 6 * HOUR

    def correct(user, at, kind="check_out"):  # type: ignore[no-untyped-def]
        data = AttendanceCorrection(kind=kind, at=at, note="忘了签退，五点走的")
        return work_service.attendance_correct(
            session=session, application=application, user=user, data=data, now=later
        )

    refused(
        session,
        lambda: correct(worker, later),
        Conflict,
        "There is no {what} to correct yet; record it first",
    )
    check(session, application, worker, code=code_on(job, NOW))
    check(session, application, worker, "check_out", now=later, code=code_on(job, later))
    fix = correct(worker, later - HOUR)
    assert (fix.revision, fix.method) == (1, "correction")
    refused(
        session,
        lambda: correct(employer, later - 2 * HOUR),
        Conflict,
        "A correction of the {what} is waiting for the other side's answer",
    )
    ledger = load_ledger(session=session, application=application, job=job)
    assert ledger.standing("check_out").at == later  # type: ignore[union-attr]

    def answer(user, verdict="confirmed", note=""):  # type: ignore[no-untyped-def]
        return work_service.attendance_answer(
            session=session, entry=fix, user=user, verdict=verdict, data=AnswerCreate(note=note)
        )

    refused(
        session,
        lambda: answer(worker),
        Conflict,
        "You made this entry; the other side confirms or disputes it",
    )
    refused(session, lambda: answer(employer, "disputed"), Invalid, "Say what is wrong with it")
    answer(employer)
    refused(session, lambda: answer(employer), Conflict, "This entry has already been answered")
    ledger = load_ledger(session=session, application=application, job=job)
    assert ledger.standing("check_out").at == later - HOUR  # type: ignore[union-attr]
    refused(
        session,
        lambda: correct(worker, NOW - HOUR, kind="check_out"),
        Invalid,
        "The check-out cannot be before the check-in ({time})",
    )
    code_entry = session.exec(
        select(Attendance).where(Attendance.application_id == application.id)
    ).first()
    refused(
        session,
        lambda: work_service.attendance_answer(
            session=session,
            entry=code_entry,  # type: ignore[arg-type]
            user=employer,
            verdict="confirmed",
            data=AnswerCreate(),
        ),
        Conflict,
        "This entry was made with the day's code; there is nothing to confirm",
    )
    kinds = session.exec(select(Event.kind).where(Event.job_id == job.id)).all()
    assert kinds.count("attendance.confirmed") == 1
    assert len(session.exec(select(WorkAnswer)).all()) >= 1


def test_a_disputed_employer_entry_no_longer_holds(session: Session) -> None:
    application, job = make_hire(session, start_at=SHIFT)
    worker, employer = _worker(session, application), _employer(session, job)
    entry = check(session, application, employer, at=SHIFT)
    work_service.attendance_answer(
        session=session,
        entry=entry,
        user=worker,
        verdict="disputed",
        data=AnswerCreate(note="我九点才到"),
    )
    ledger = load_ledger(session=session, application=application, job=job)
    assert ledger.standing("check_in") is None and ledger.checked_in
