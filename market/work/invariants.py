"""The work record's invariants, part of `linggong check-invariants` (market/invariants.py).

What the services in market/work guarantee: attendance only for a hired worker, a
check-out only after a check-in, one answer per entry or payment and only from the other
side, payments only for a hire and to its job's employer's worker, one arrears case per
hire, and every row's outbox event.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlmodel import Session, col

from market.applications.models import HIRED
from market.checks import violations
from market.models import (
    Application,
    ApplicationStatus,
    Attendance,
    AttendanceKind,
    Event,
    Job,
    Payment,
    Report,
    WorkAnswer,
)


def _was_hired() -> Any:
    """The application is a hire, or was one before its job was called off."""
    return or_(
        col(Application.status).in_(HIRED),
        and_(
            col(Application.status) == ApplicationStatus.cancelled,
            col(Application.decided_at).is_not(None),
        ),
    )


def check_attendance_hired(session: Session) -> list[str]:
    """Attendance only for a hired worker, of that hire's worker and job."""
    return violations(
        session,
        select(col(Attendance.id), col(Attendance.application_id), col(Application.status))
        .join(Application, col(Application.id) == col(Attendance.application_id))
        .where(
            or_(
                ~_was_hired(),
                col(Attendance.worker_id) != col(Application.worker_id),
                col(Attendance.job_id) != col(Application.job_id),
            )
        )
        .order_by(col(Attendance.id)),
        lambda r: (
            f"attendance {r.id}: application {r.application_id} is {r.status}, not a hire "
            "(or the entry names another worker or job)"
        ),
        "attendance of an unhired worker",
    )


def check_check_out_after_check_in(session: Session) -> list[str]:
    """Every check-out follows a check-in of the same hire; each first entry is unique."""
    check_in = Attendance.__table__.alias("check_in")  # type: ignore[attr-defined]
    return violations(
        session,
        select(col(Attendance.id), col(Attendance.application_id))
        .where(
            col(Attendance.kind) == AttendanceKind.check_out,
            ~exists().where(
                check_in.c.application_id == col(Attendance.application_id),
                check_in.c.kind == AttendanceKind.check_in,
                check_in.c.id < col(Attendance.id),
            ),
        )
        .order_by(col(Attendance.id)),
        lambda r: (
            f"attendance {r.id}: a check-out of application {r.application_id} "
            "with no check-in before it"
        ),
        "check-out without check-in",
    )


def check_answers(session: Session) -> list[str]:
    """An entry or payment is answered once, by the other side."""
    lines = violations(
        session,
        select(col(WorkAnswer.attendance_id), col(WorkAnswer.payment_id), func.count().label("n"))
        .group_by(col(WorkAnswer.attendance_id), col(WorkAnswer.payment_id))
        .having(func.count() > 1),
        lambda r: (
            f"payment {r.payment_id}: answered {r.n} times"
            if r.payment_id is not None
            else f"attendance {r.attendance_id}: answered {r.n} times"
        ),
        "answered twice",
    )
    return lines + violations(
        session,
        select(col(WorkAnswer.id), col(WorkAnswer.payment_id), col(WorkAnswer.attendance_id))
        .outerjoin(Payment, col(Payment.id) == col(WorkAnswer.payment_id))
        .outerjoin(Attendance, col(Attendance.id) == col(WorkAnswer.attendance_id))
        .where(
            or_(
                and_(
                    col(WorkAnswer.payment_id).is_not(None),
                    col(WorkAnswer.answered_by) != col(Payment.worker_id),
                ),
                and_(
                    col(WorkAnswer.attendance_id).is_not(None),
                    col(WorkAnswer.answered_by) == col(Attendance.recorded_by),
                ),
            )
        )
        .order_by(col(WorkAnswer.id)),
        lambda r: (
            f"answer {r.id}: given by someone other than the other side "
            f"(payment {r.payment_id}, attendance {r.attendance_id})"
        ),
        "answers from the wrong side",
    )


def check_payments(session: Session) -> list[str]:
    """Payments only for a hire, from its job's employer to its worker."""
    return violations(
        session,
        select(col(Payment.id), col(Payment.application_id))
        .join(Application, col(Application.id) == col(Payment.application_id))
        .join(Job, col(Job.id) == col(Application.job_id))
        .where(
            or_(
                ~_was_hired(),
                col(Payment.worker_id) != col(Application.worker_id),
                col(Payment.job_id) != col(Job.id),
                col(Payment.employer_id) != col(Job.employer_id),
            )
        )
        .order_by(col(Payment.id)),
        lambda r: (
            f"payment {r.id}: application {r.application_id} is not a hire of this "
            "worker and employer"
        ),
        "payments",
    )


def check_cases(session: Session) -> list[str]:
    """At most one arrears case per hire, linked to its own application."""
    lines = violations(
        session,
        select(col(Report.work_record_id), func.count().label("n"))
        .where(col(Report.work_record_id).is_not(None))
        .group_by(col(Report.work_record_id))
        .having(func.count() > 1),
        lambda r: f"application {r.work_record_id}: {r.n} arrears cases",
        "cases per hire",
    )
    return lines + violations(
        session,
        select(col(Report.id), col(Report.work_record_id)).where(
            col(Report.work_record_id).is_not(None),
            col(Report.work_record_id) != col(Report.application_id),
        ),
        lambda r: (
            f"report {r.id}: linked to the work record of another application ({r.work_record_id})"
        ),
        "case links",
    )


def _has_event(kind: Any, job: Any, key: str, value: Any) -> Any:
    return exists().where(
        col(Event.job_id) == job,
        col(Event.kind) == kind,
        col(Event.payload)[key].as_integer() == value,
    )


def check_work_events(session: Session) -> list[str]:
    """Every entry, payment, answer and arrears case has its outbox event."""
    checks: list[tuple[str, Any]] = [
        (
            "attendance {id} has no attendance.recorded event",
            select(col(Attendance.id)).where(
                ~_has_event("attendance.recorded", Attendance.job_id, "entry", Attendance.id)
            ),
        ),
        (
            "payment {id} has no payment.recorded event",
            select(col(Payment.id)).where(
                ~_has_event("payment.recorded", Payment.job_id, "payment", Payment.id)
            ),
        ),
        (
            "the answer to payment {id} has no payment.confirmed or payment.disputed event",
            select(col(Payment.id))
            .join(WorkAnswer, col(WorkAnswer.payment_id) == col(Payment.id))
            .where(
                ~_has_event(
                    "payment." + col(WorkAnswer.verdict), Payment.job_id, "payment", Payment.id
                )
            ),
        ),
        (
            "the answer to attendance {id} has no attendance.confirmed or .disputed event",
            select(col(Attendance.id))
            .join(WorkAnswer, col(WorkAnswer.attendance_id) == col(Attendance.id))
            .where(
                ~_has_event(
                    "attendance." + col(WorkAnswer.verdict),
                    Attendance.job_id,
                    "entry",
                    Attendance.id,
                )
            ),
        ),
        (
            "arrears case {id} has no arrears.opened event",
            select(col(Report.id)).where(
                col(Report.work_record_id).is_not(None),
                ~_has_event("arrears.opened", Report.job_id, "report", Report.id),
            ),
        ),
    ]
    lines: list[str] = []
    for sentence, query in checks:
        lines += violations(session, query, partial(_say, sentence), "work events")
    return lines


def _say(sentence: str, row: Any) -> str:
    return sentence.format(id=row[0])


CHECKS: tuple[Callable[[Session], list[str]], ...] = (
    check_attendance_hired,
    check_check_out_after_check_in,
    check_answers,
    check_payments,
    check_cases,
    check_work_events,
)
