"""What the work-record API returns. No phone numbers: the parties have them from the hire."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from market.models import Attendance, Payment, WorkAnswer
from market.work.ledger import Entry, PaymentEntry
from market.work.overview import ArrearsGroup, OpenCase
from market.work.record import JobDay, PayBook, Record, Totals


class AnswerOut(BaseModel):
    verdict: str
    received: int | None
    note: str
    answered_at: datetime


class AttendanceOut(BaseModel):
    id: int
    kind: str
    revision: int
    at: datetime
    method: str
    by: str  # "worker" or "employer"
    recorded_at: datetime
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    note: str
    answer: AnswerOut | None
    standing: bool  # this entry's time holds (not disputed; a correction, once confirmed)


class PaymentOut(BaseModel):
    id: int
    amount: int
    method: str
    paid_at: datetime
    recorded_at: datetime
    note: str
    state: str  # recorded (waiting for the worker), confirmed, disputed
    answer: AnswerOut | None


class PartyOut(BaseModel):
    id: int
    name: str


class JobBriefOut(BaseModel):
    id: int
    title: str
    trade: str
    address: str
    district: str
    start_at: datetime
    end_at: datetime


class CaseOut(BaseModel):
    report: int
    status: str


class RecordOut(BaseModel):
    """One hire's work record: figures in whole yuan; `paid` counts confirmed payments."""

    id: int
    status: str
    job: JobBriefOut
    worker: PartyOut
    employer: PartyOut
    employer_org: str
    agreed_wage: int
    paid: int
    unanswered: int
    owed: int
    disputed: bool
    pay_due_at: datetime
    case: CaseOut | None
    attendance: list[AttendanceOut]
    payments: list[PaymentOut]


class TotalsOut(BaseModel):
    days: int
    agreed: int
    paid: int
    unanswered: int
    owed: int


class PayGroupOut(BaseModel):
    key: int  # the employer's id (a worker's page) or the job's id (an employer's)
    title: str
    totals: TotalsOut
    records: list[RecordOut]


class PayBookOut(BaseModel):
    groups: list[PayGroupOut]
    totals: TotalsOut


class CodeOut(BaseModel):
    job: int
    day: date
    code: str | None  # None when today is not the shift's day


class JobDayOut(CodeOut):
    records: list[RecordOut]


class ArrearsGroupOut(BaseModel):
    key: str
    label: str
    cases: int
    amount: int
    days_max: int
    days_mean: float
    employer_id: int | None
    posting_stopped: bool


class OpenCaseOut(BaseModel):
    report: int
    status: str
    reason: str
    record: RecordOut
    days_outstanding: int
    posting_stopped: bool


class SweepOut(BaseModel):
    opened: list[int]  # the new cases' report ids


class HoldOut(BaseModel):
    employer_id: int
    reason: str
    placed_at: datetime


PAYMENT_FIELDS = {"id", "amount", "method", "paid_at", "recorded_at", "note"}


def answer_out(answer: WorkAnswer | None) -> AnswerOut | None:
    return None if answer is None else given(answer)


def given(answer: WorkAnswer) -> AnswerOut:
    """An answer just given."""
    return AnswerOut.model_validate(answer, from_attributes=True)


def attendance_out(entry: Entry | Attendance) -> AttendanceOut:
    """An entry (just written, or read with its answer)."""
    if isinstance(entry, Attendance):
        entry = Entry(entry, None)
    row = entry.row
    return AttendanceOut(
        **row.model_dump(exclude={"application_id", "job_id", "worker_id", "recorded_by"}),
        by="worker" if row.recorded_by == row.worker_id else "employer",
        answer=answer_out(entry.answer),
        standing=entry.standing,
    )


def payment_out(entry: PaymentEntry | Payment) -> PaymentOut:
    if isinstance(entry, Payment):
        entry = PaymentEntry(entry, None)
    return PaymentOut(
        **entry.row.model_dump(include=PAYMENT_FIELDS),
        state=entry.state,
        answer=answer_out(entry.answer),
    )


def record_out(record: Record) -> RecordOut:
    ledger, job = record.ledger, record.job
    return RecordOut(
        id=record.application.id or 0,
        status=record.application.status,
        job=JobBriefOut.model_validate(job, from_attributes=True),
        worker=PartyOut(id=record.worker.id or 0, name=record.worker.name),
        employer=PartyOut(id=record.employer.id or 0, name=record.employer.name),
        employer_org=record.org_name,
        agreed_wage=ledger.agreed,
        paid=ledger.paid,
        unanswered=ledger.unanswered,
        owed=ledger.owed,
        disputed=ledger.disputed,
        pay_due_at=record.due_at,
        case=CaseOut(report=record.case.id or 0, status=record.case.status)
        if record.case
        else None,
        attendance=[attendance_out(e) for e in ledger.entries],
        payments=[payment_out(p) for p in ledger.payments],
    )


def totals_out(totals: Totals) -> TotalsOut:
    return TotalsOut.model_validate(totals, from_attributes=True)


def book_out(book: PayBook) -> PayBookOut:
    return PayBookOut(
        groups=[
            PayGroupOut(
                key=g.key,
                title=g.title,
                totals=totals_out(g.totals),
                records=[record_out(r) for r in g.records],
            )
            for g in book.groups
        ],
        totals=totals_out(book.totals),
    )


def job_day_out(day: JobDay) -> JobDayOut:
    return JobDayOut(
        job=day.job.id or 0,
        day=day.today,
        code=day.code,
        records=[record_out(r) for r in day.records],
    )


def group_out(group: ArrearsGroup) -> ArrearsGroupOut:
    return ArrearsGroupOut.model_validate(group, from_attributes=True)


def case_out(case: OpenCase) -> OpenCaseOut:
    return OpenCaseOut(
        report=case.report.id or 0,
        status=case.report.status,
        reason=str(case.report.job_record.get("reason", "reported")),
        record=record_out(case.record),
        days_outstanding=case.days_outstanding,
        posting_stopped=case.posting_stopped,
    )
