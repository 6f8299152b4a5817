"""Writing the work record: check-in and out, corrections, payments and their answers.

Every write first locks the hire's application row (`ledger.lock_application`), so two
writes to one hire queue: two check-ins at once make one, a confirmation racing a dispute
ends with exactly one answer. The unique constraints (`attendance`: one entry per hire,
kind and revision; `work_answer`: one answer per entry or payment) hold the same line
should a write ever skip the lock. Each write records its outbox event; nothing is ever
updated or deleted.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from market.errors import N_, Conflict, Invalid, NotAllowed, NotFound
from market.events.service import event_record
from market.i18n import local
from market.models import (
    Application,
    Attendance,
    AttendanceKind,
    AttendanceMethod,
    Job,
    Payment,
    User,
    Verdict,
    WorkAnswer,
)
from market.types import utcnow
from market.work import arrears
from market.work.codes import code_matches, normalise_code
from market.work.ledger import (
    SKEW,
    Ledger,
    get_application_and_job,
    hm,
    is_working,
    load_ledger,
    lock_application,
    work_days,
)
from market.work.models import ANSWERABLE
from market.work.schemas import AnswerCreate, AttendanceCorrection, CheckIn, PaymentCreate
from market.work.schemas import PaymentDispute as PaymentDisputeIn

KIND_WORDS = {AttendanceKind.check_in: N_("check-in"), AttendanceKind.check_out: N_("check-out")}


def side_of(application: Application, job: Job, user: User) -> str:
    """ "worker" or "employer" of this hire; anyone else is told it does not exist."""
    if user.id == application.worker_id:
        return "worker"
    if user.id == job.employer_id:
        return "employer"
    raise NotFound(N_("Work record not found"))


def _ledger(session: Session, application: Application, job: Job) -> Ledger:
    """The hire, locked, with its record; refused unless the worker is (still) hired."""
    application = lock_application(session=session, application_id=application.id or 0)
    if not is_working(application, job):
        raise Conflict(N_("Only a hired worker's attendance and pay are recorded"))
    return load_ledger(session=session, application=application, job=job)


def _check_moment(job: Job, moment: datetime, now: datetime, field: str) -> None:
    """Not in the future, and on the shift's day(s)."""
    first, last = work_days(job)
    if moment > now + SKEW:
        raise Invalid(N_("The time cannot be in the future"), field=field)
    day = local(moment).date()
    if day < first:
        raise Invalid(
            N_("The time cannot be before the shift's day ({day})"), field=field, day=str(first)
        )
    if day > last:
        raise Invalid(N_("The time must be on the shift's day ({day})"), field=field, day=str(last))


def _check_code(job: Job, typed: str | None, now: datetime) -> None:
    """The day's code, typed or scanned on the site: today's, on the shift's day."""
    code = normalise_code(typed or "")
    if not code:
        raise Invalid(N_("Type the 6-digit code shown on the employer's phone"), field="code")
    first, last = work_days(job)
    today = local(now).date()
    job_id = job.id or 0
    if first <= today <= last and code_matches(job_id=job_id, day=today, code=code):
        return
    earlier = [first, last, date.fromordinal(today.toordinal() - 1)]
    if any(code_matches(job_id=job_id, day=d, code=code) for d in earlier if d < today):
        raise Invalid(N_("This code has expired; ask the employer for today's code"), field="code")
    if today < first:
        raise Conflict(N_("The shift is on {day}; check in on that day"), day=str(first))
    if today > last:
        raise Conflict(
            N_("The shift's day is over; ask the employer to record your attendance"),
        )
    raise Invalid(N_("Wrong code; check the code on the employer's phone"), field="code")


def _emit(session: Session, event_kind: str, ledger: Ledger, **payload: Any) -> None:
    application, job = ledger.application, ledger.job
    event_record(
        session=session,
        kind=event_kind,
        job_id=job.id,
        worker_id=application.worker_id,
        employer_id=job.employer_id,
        payload={"application": application.id, "job": job.id, **payload},
    )


def _add(session: Session, row: Attendance | Payment | WorkAnswer, clash: str) -> None:
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # a racing twin that skipped the lock
        raise Conflict(clash) from exc


def attendance_record(
    *,
    session: Session,
    application: Application,
    user: User,
    kind: str,
    data: CheckIn,
    now: datetime | None = None,
) -> Attendance:
    """Check in or out: the worker with the day's code, or the employer for the worker."""
    now = now or utcnow()
    job = get_application_and_job(session=session, application_id=application.id or 0)[1]
    side = side_of(application, job, user)
    if side == "worker":
        _check_code(job, data.code, now)
        at, method = now, AttendanceMethod.qr if data.scanned else AttendanceMethod.code
        place = (data.lat, data.lon, data.accuracy_m)
    else:  # the employer's phone is not where the worker is: no place
        at, method, place = data.at or now, AttendanceMethod.employer, (None, None, None)
        _check_moment(job, at, now, "at")
    ledger = _ledger(session, application, job)
    _check_sequence(ledger, kind, at)
    row = Attendance(
        application_id=application.id or 0,
        job_id=job.id or 0,
        worker_id=application.worker_id,
        kind=kind,
        revision=0,
        at=at,
        method=method,
        recorded_by=user.id or 0,
        recorded_at=now,
        lat=place[0],
        lon=place[1],
        accuracy_m=place[2],
    )
    _add(session, row, N_("This is already recorded"))
    _emit(session, "attendance.recorded", ledger, entry=row.id, kind=kind, by=side, method=method)
    session.flush()
    return row


def _check_sequence(ledger: Ledger, kind: str, at: datetime) -> None:
    """No check-in twice, no check-out twice, no check-out before a check-in."""
    done = ledger.standing(kind) or next((e.row for e in ledger.of_kind(kind)), None)
    if done is not None:
        message = (
            N_("Already checked in at {time}")
            if kind == AttendanceKind.check_in
            else N_("Already checked out at {time}")
        )
        raise Conflict(message, time=hm(done.at))
    if kind == AttendanceKind.check_out:
        checked_in = ledger.standing(AttendanceKind.check_in)
        if not ledger.checked_in:
            raise Conflict(N_("Check in first; a check-out needs a check-in"))
        if checked_in is not None and at < checked_in.at:
            raise Invalid(
                N_("The check-out cannot be before the check-in ({time})"),
                field="at",
                time=hm(checked_in.at),
            )


def attendance_correct(
    *,
    session: Session,
    application: Application,
    user: User,
    data: AttendanceCorrection,
    now: datetime | None = None,
) -> Attendance:
    """Put a recorded time right: a new entry the other side confirms or disputes."""
    now = now or utcnow()
    job = get_application_and_job(session=session, application_id=application.id or 0)[1]
    side = side_of(application, job, user)
    _check_moment(job, data.at, now, "at")
    ledger = _ledger(session, application, job)
    kind, what = data.kind, KIND_WORDS[AttendanceKind(data.kind)]
    entries = ledger.of_kind(kind)
    if not entries:
        raise Conflict(N_("There is no {what} to correct yet; record it first"), what=what)
    if ledger.pending(kind) is not None:
        raise Conflict(
            N_("A correction of the {what} is waiting for the other side's answer"), what=what
        )
    other = AttendanceKind.check_out if kind == AttendanceKind.check_in else AttendanceKind.check_in
    held = ledger.standing(other)
    if held is not None and (kind == AttendanceKind.check_out) == (data.at < held.at):
        message = (
            N_("The check-out cannot be before the check-in ({time})")
            if kind == AttendanceKind.check_out
            else N_("The check-in cannot be after the check-out ({time})")
        )
        raise Invalid(message, field="at", time=hm(held.at))
    row = Attendance(
        application_id=application.id or 0,
        job_id=job.id or 0,
        worker_id=application.worker_id,
        kind=kind,
        revision=max(e.row.revision for e in entries) + 1,
        at=data.at,
        method=AttendanceMethod.correction,
        recorded_by=user.id or 0,
        recorded_at=now,
        note=data.note,
    )
    _add(session, row, N_("Another correction was just recorded; reload and try again"))
    _emit(
        session,
        "attendance.recorded",
        ledger,
        entry=row.id,
        kind=kind,
        by=side,
        method=AttendanceMethod.correction,
    )
    session.flush()
    return row


def get_entry(*, session: Session, entry_id: int) -> Attendance:
    """The attendance entry, or NotFound."""
    entry = session.get(Attendance, entry_id)
    if entry is None:
        raise NotFound(N_("Work record not found"))
    return entry


def get_payment(*, session: Session, payment_id: int) -> Payment:
    """The payment, or NotFound."""
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(N_("Work record not found"))
    return payment


def attendance_answer(
    *,
    session: Session,
    entry: Attendance,
    user: User,
    verdict: str,
    data: AnswerCreate,
    now: datetime | None = None,
) -> WorkAnswer:
    """The other side confirms or disputes an entry made without the day's code."""
    now = now or utcnow()
    application, job = get_application_and_job(session=session, application_id=entry.application_id)
    side_of(application, job, user)
    if verdict == Verdict.disputed and not data.note:
        raise Invalid(N_("Say what is wrong with it"), field="note")
    if entry.method not in ANSWERABLE:
        raise Conflict(N_("This entry was made with the day's code; there is nothing to confirm"))
    if entry.recorded_by == user.id:
        raise Conflict(N_("You made this entry; the other side confirms or disputes it"))
    ledger = _ledger(session, application, job)
    if next(e for e in ledger.entries if e.row.id == entry.id).answer is not None:
        raise Conflict(N_("This entry has already been answered"))
    answer = WorkAnswer(
        attendance_id=entry.id,
        verdict=verdict,
        note=data.note,
        answered_by=user.id or 0,
        answered_at=now,
    )
    _add(session, answer, N_("This entry has already been answered"))
    _emit(session, f"attendance.{verdict}", ledger, entry=entry.id, kind=entry.kind)
    session.flush()
    return answer


def payment_record(
    *,
    session: Session,
    application: Application,
    user: User,
    data: PaymentCreate,
    now: datetime | None = None,
) -> Payment:
    """The employer records what was paid; the worker then confirms or disputes it."""
    now = now or utcnow()
    job = get_application_and_job(session=session, application_id=application.id or 0)[1]
    if side_of(application, job, user) != "employer":
        raise NotAllowed(N_("Only the employer records a payment; you confirm or dispute it"))
    paid_at = data.paid_at or now
    _check_paid_at(job, paid_at, now)
    if now < job.start_at:
        raise Conflict(N_("Record pay once the shift has started"))
    ledger = _ledger(session, application, job)
    payment = Payment(
        application_id=application.id or 0,
        job_id=job.id or 0,
        worker_id=application.worker_id,
        employer_id=job.employer_id,
        amount=data.amount,
        method=data.method,
        paid_at=paid_at,
        recorded_by=user.id or 0,
        recorded_at=now,
        note=data.note,
    )
    _add(session, payment, N_("This is already recorded"))
    _emit(
        session,
        "payment.recorded",
        ledger,
        payment=payment.id,
        amount=payment.amount,
        method=payment.method,
    )
    session.flush()
    return payment


def _check_paid_at(job: Job, paid_at: datetime, now: datetime) -> None:
    if paid_at > now + SKEW:
        raise Invalid(N_("The time cannot be in the future"), field="paid_at")
    first = work_days(job)[0]
    if local(paid_at).date() < first:
        raise Invalid(
            N_("The time cannot be before the shift's day ({day})"), field="paid_at", day=str(first)
        )


def _answer_payment(
    session: Session,
    payment: Payment,
    user: User,
    verdict: str,
    *,
    received: int | None,
    note: str,
    now: datetime,
) -> tuple[WorkAnswer, Ledger]:
    application, job = get_application_and_job(
        session=session, application_id=payment.application_id
    )
    if side_of(application, job, user) != "worker":
        raise NotAllowed(N_("Only the worker confirms or disputes a payment"))
    if received is not None and received >= payment.amount:
        raise Invalid(N_("You received all of it: confirm the payment instead"), field="received")
    ledger = _ledger(session, application, job)
    answered = next(p for p in ledger.payments if p.row.id == payment.id).answer
    if answered is not None:
        raise Conflict(N_("This payment has already been answered"))
    answer = WorkAnswer(
        payment_id=payment.id,
        verdict=verdict,
        received=received,
        note=note,
        answered_by=user.id or 0,
        answered_at=now,
    )
    _add(session, answer, N_("This payment has already been answered"))
    _emit(
        session,
        f"payment.{verdict}",
        ledger,
        payment=payment.id,
        amount=payment.amount,
        received=received,
    )
    session.flush()
    return answer, ledger


def payment_confirm(
    *, session: Session, payment: Payment, user: User, now: datetime | None = None
) -> WorkAnswer:
    """The worker confirms they received this payment; paid in full closes an arrears case."""
    now = now or utcnow()
    answer, ledger = _answer_payment(
        session, payment, user, Verdict.confirmed, received=None, note="", now=now
    )
    ledger = load_ledger(session=session, application=ledger.application, job=ledger.job)
    arrears.case_settle(session=session, ledger=ledger, now=now)
    return answer


def payment_dispute(
    *,
    session: Session,
    payment: Payment,
    user: User,
    data: PaymentDisputeIn,
    now: datetime | None = None,
) -> WorkAnswer:
    """The worker disputes a payment, saying what they received; the union opens a case."""
    now = now or utcnow()
    answer, ledger = _answer_payment(
        session, payment, user, Verdict.disputed, received=data.received, note=data.note, now=now
    )
    if not arrears.has_case(session=session, application_id=payment.application_id):
        ledger = load_ledger(session=session, application=ledger.application, job=ledger.job)
        arrears.case_open(session=session, ledger=ledger, reason=arrears.DISPUTED, now=now)
    return answer
