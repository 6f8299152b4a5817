"""Reading one hire's work record: its entries with their answers, and what stands.

An entry "stands" unless the other side disputed it; a correction stands only once the
other side confirmed it. The standing time of a check-in or check-out is its latest
standing entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from market.errors import N_, NotFound
from market.i18n import local
from market.models import (
    Application,
    ApplicationStatus,
    Attendance,
    AttendanceKind,
    AttendanceMethod,
    Job,
    JobStatus,
    Payment,
    Verdict,
    WorkAnswer,
)
from market.work.terms import agreed_wage

# hires that may keep a work record: working, or done
WORKING = (ApplicationStatus.confirmed, ApplicationStatus.completed)
SKEW = timedelta(minutes=5)  # a phone's clock a little ahead is not "in the future"


@dataclass(frozen=True)
class Entry:
    row: Attendance
    answer: WorkAnswer | None

    @property
    def standing(self) -> bool:
        if self.answer is not None and self.answer.verdict == Verdict.disputed:
            return False
        if self.row.method == AttendanceMethod.correction:
            return self.answer is not None and self.answer.verdict == Verdict.confirmed
        return True

    @property
    def pending(self) -> bool:
        """A correction still waiting for the other side."""
        return self.row.method == AttendanceMethod.correction and self.answer is None


@dataclass(frozen=True)
class PaymentEntry:
    row: Payment
    answer: WorkAnswer | None

    @property
    def state(self) -> str:
        return "recorded" if self.answer is None else self.answer.verdict


@dataclass(frozen=True)
class Ledger:
    """One hire's work record, as the services and pages read it."""

    application: Application
    job: Job
    entries: list[Entry] = field(default_factory=list)
    payments: list[PaymentEntry] = field(default_factory=list)

    @property
    def agreed(self) -> int:
        return agreed_wage(self.application, self.job)

    def of_kind(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.row.kind == kind]

    def standing(self, kind: str) -> Attendance | None:
        """The time that holds for a check-in or check-out, or None."""
        held = [e.row for e in self.of_kind(kind) if e.standing]
        return max(held, key=lambda r: r.revision) if held else None

    def pending(self, kind: str) -> Entry | None:
        return next((e for e in self.of_kind(kind) if e.pending), None)

    @property
    def paid(self) -> int:
        """Confirmed by the worker."""
        return sum(p.row.amount for p in self.payments if p.state == Verdict.confirmed)

    @property
    def unanswered(self) -> int:
        """Recorded by the employer, not yet confirmed or disputed."""
        return sum(p.row.amount for p in self.payments if p.state == "recorded")

    @property
    def disputed(self) -> bool:
        return any(p.state == Verdict.disputed for p in self.payments)

    @property
    def owed(self) -> int:
        return max(0, self.agreed - self.paid)

    @property
    def checked_in(self) -> bool:
        return bool(self.of_kind(AttendanceKind.check_in))

    @property
    def checked_out(self) -> bool:
        return bool(self.of_kind(AttendanceKind.check_out))


def work_days(job: Job) -> tuple[date, date]:
    """The local days a shift touches: its day, and the next one for a night shift."""
    return local(job.start_at).date(), local(job.end_at).date()


def is_working(application: Application, job: Job) -> bool:
    return application.status in WORKING and job.status != JobStatus.cancelled


def get_application_and_job(*, session: Session, application_id: int) -> tuple[Application, Job]:
    """A hire's application and job, or NotFound."""
    application = session.get(Application, application_id)
    job = session.get(Job, application.job_id) if application is not None else None
    if application is None or job is None:
        raise NotFound(N_("Work record not found"))
    return application, job


def lock_application(*, session: Session, application_id: int) -> Application:
    """The application, row-locked until the transaction ends: one writer per hire at a time.

    On SQLite every writing transaction already holds the database lock (BEGIN IMMEDIATE).
    """
    application = session.exec(
        select(Application)
        .where(col(Application.id) == application_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if application is None:
        raise NotFound(N_("Work record not found"))
    return application


def load_ledger(*, session: Session, application: Application, job: Job) -> Ledger:
    """The hire's entries and payments with their answers, oldest first."""
    ledgers = load_ledgers(session=session, pairs=[(application, job)])
    return ledgers[application.id or 0]


def load_ledgers(
    *, session: Session, pairs: Sequence[tuple[Application, Job]]
) -> dict[int, Ledger]:
    """Ledgers of many hires in four queries, by application id."""
    ids = [a.id for a, _j in pairs if a.id is not None]
    ledgers = {a.id or 0: Ledger(application=a, job=j) for a, j in pairs}
    if not ids:
        return ledgers
    entries = session.exec(
        select(Attendance)
        .where(col(Attendance.application_id).in_(ids))
        .order_by(col(Attendance.id))
    ).all()
    payments = session.exec(
        select(Payment).where(col(Payment.application_id).in_(ids)).order_by(col(Payment.id))
    ).all()
    answers = _answers(session, [e.id or 0 for e in entries], [p.id or 0 for p in payments])
    for row in entries:
        ledgers[row.application_id].entries.append(Entry(row, answers.get(("a", row.id or 0))))
    for pay in payments:
        ledgers[pay.application_id].payments.append(
            PaymentEntry(pay, answers.get(("p", pay.id or 0)))
        )
    return ledgers


def _answers(
    session: Session, entry_ids: list[int], payment_ids: list[int]
) -> dict[tuple[str, int], WorkAnswer]:
    found: dict[tuple[str, int], WorkAnswer] = {}
    if entry_ids:
        for answer in session.exec(
            select(WorkAnswer).where(col(WorkAnswer.attendance_id).in_(entry_ids))
        ):
            found[("a", answer.attendance_id or 0)] = answer
    if payment_ids:
        for answer in session.exec(
            select(WorkAnswer).where(col(WorkAnswer.payment_id).in_(payment_ids))
        ):
            found[("p", answer.payment_id or 0)] = answer
    return found


def hm(moment: datetime) -> str:
    """A time as people say it in messages: local HH:MM (with the date if not today)."""
    return local(moment).strftime("%m-%d %H:%M")
