"""The work record: attendance (签到/签退) and the pay record (记工记账) of a hire.

A record's id is its hire's application id. Its worker and the job's employer read and
write it (each their part); union staff read it; anyone else gets 404.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from market.work import arrears as arrears_service
from market.work import overview as overview_service
from market.work import record as record_service
from market.work import service as work_service
from market.work import standing as standing_service
from market.work.schemas import (
    AnswerCreate,
    AttendanceCorrection,
    CheckIn,
    HoldCreate,
    PaymentCreate,
    PaymentDispute,
)
from web.api import console_router
from web.api.schemas.work import (
    AnswerOut,
    ArrearsGroupOut,
    AttendanceOut,
    CodeOut,
    HoldOut,
    JobDayOut,
    OpenCaseOut,
    PayBookOut,
    PaymentOut,
    RecordOut,
    SweepOut,
    attendance_out,
    book_out,
    case_out,
    given,
    group_out,
    job_day_out,
    payment_out,
    record_out,
)
from web.deps import (
    CurrentEmployer,
    CurrentStaff,
    CurrentUser,
    CurrentWorker,
    EmployerRecordDep,
    Id,
    OwnedJobDep,
    PartyEntryDep,
    PartyRecordDep,
    RecordDep,
    SessionDep,
    WorkerPaymentDep,
)
from web.security.rate_limits import AttendanceCodeLimit

router = APIRouter()
records = APIRouter(prefix="/work", tags=["work"])
# union staff and wage arrears: open cases, sums by employer, trade and district, the sweep
# on demand, and stopping an employer in arrears from posting
console = console_router()
CREATED = status.HTTP_201_CREATED


@records.get("/jobs/{job_id}/code")
def job_code(job: OwnedJobDep) -> CodeOut:
    """Today's attendance code of my job, to show the workers on the site (a new one daily)."""
    day, code = record_service.get_job_code(job=job)
    return CodeOut(job=job.id or 0, day=day, code=code)


@records.get("/jobs/{job_id}")
def job_day(job: OwnedJobDep, session: SessionDep) -> JobDayOut:
    """My job's day: today's code and every hired worker's attendance and pay."""
    return job_day_out(record_service.get_job_day(session=session, job=job))


@records.get("/records/{record_id}")
def record_get(application: RecordDep, session: SessionDep) -> RecordOut:
    """One hire's work record: agreed pay, attendance, payments and their answers."""
    return record_out(
        record_service.get_record(session=session, application_id=application.id or 0)
    )


@records.post("/records/{record_id}/check-in", status_code=CREATED)
def check_in(
    data: CheckIn,
    application: PartyRecordDep,
    user: CurrentUser,
    session: SessionDep,
    _limit: AttendanceCodeLimit,
) -> AttendanceOut:
    """签到: the worker with the day's code (location optional), or the employer for them."""
    entry = work_service.attendance_record(
        session=session, application=application, user=user, kind="check_in", data=data
    )
    return attendance_out(entry)


@records.post("/records/{record_id}/check-out", status_code=CREATED)
def check_out(
    data: CheckIn,
    application: PartyRecordDep,
    user: CurrentUser,
    session: SessionDep,
    _limit: AttendanceCodeLimit,
) -> AttendanceOut:
    """签退: as the check-in; only after one."""
    entry = work_service.attendance_record(
        session=session, application=application, user=user, kind="check_out", data=data
    )
    return attendance_out(entry)


@records.post("/records/{record_id}/corrections", status_code=CREATED)
def correction(
    data: AttendanceCorrection, application: PartyRecordDep, user: CurrentUser, session: SessionDep
) -> AttendanceOut:
    """Put a recorded time right; the other side confirms or disputes the correction."""
    entry = work_service.attendance_correct(
        session=session, application=application, user=user, data=data
    )
    return attendance_out(entry)


@records.post("/attendance/{entry_id}/confirm")
def attendance_confirm(
    entry: PartyEntryDep, user: CurrentUser, session: SessionDep, data: AnswerCreate | None = None
) -> AnswerOut:
    """The other side agrees with an entry made without the day's code."""
    answer = work_service.attendance_answer(
        session=session, entry=entry, user=user, verdict="confirmed", data=data or AnswerCreate()
    )
    return given(answer)


@records.post("/attendance/{entry_id}/dispute")
def attendance_dispute(
    data: AnswerCreate, entry: PartyEntryDep, user: CurrentUser, session: SessionDep
) -> AnswerOut:
    """The other side disputes an entry, saying what is wrong."""
    answer = work_service.attendance_answer(
        session=session, entry=entry, user=user, verdict="disputed", data=data
    )
    return given(answer)


@records.post("/records/{record_id}/payments", status_code=CREATED)
def payment_record(
    data: PaymentCreate, application: EmployerRecordDep, user: CurrentUser, session: SessionDep
) -> PaymentOut:
    """The employer records a payment (whole yuan; cash, WeChat, Alipay or bank; when)."""
    payment = work_service.payment_record(
        session=session, application=application, user=user, data=data
    )
    return payment_out(payment)


@records.post("/payments/{payment_id}/confirm")
def payment_confirm(payment: WorkerPaymentDep, user: CurrentUser, session: SessionDep) -> AnswerOut:
    """The worker confirms they received this payment."""
    return given(work_service.payment_confirm(session=session, payment=payment, user=user))


@records.post("/payments/{payment_id}/dispute")
def payment_dispute(
    data: PaymentDispute, payment: WorkerPaymentDep, user: CurrentUser, session: SessionDep
) -> AnswerOut:
    """The worker disputes a payment, saying what they received: the union opens a case."""
    answer = work_service.payment_dispute(session=session, payment=payment, user=user, data=data)
    return given(answer)


@records.get("/pay")
def my_pay(worker: CurrentWorker, session: SessionDep) -> PayBookOut:
    """我的工钱: days worked, agreed, paid (confirmed) and owed, per employer, with totals."""
    return book_out(record_service.get_worker_pay(session=session, worker_id=worker.id or 0))


@records.get("/owed")
def my_owed(employer: CurrentEmployer, session: SessionDep) -> PayBookOut:
    """What I owe my workers, per job and worker, with totals."""
    return book_out(record_service.get_employer_owed(session=session, employer_id=employer.id or 0))


@console.get("/arrears")
def arrears_by(
    session: SessionDep,
    by: Annotated[Literal["employer", "trade", "district"], Query()] = "employer",
) -> list[ArrearsGroupOut]:
    """Open unpaid-wage cases summed per employer, trade or district: count, amount still
    owed (yuan), days outstanding since the shift ended (most and mean)."""
    return [group_out(g) for g in overview_service.arrears_by(session=session, by=by)]


@console.get("/arrears/cases")
def arrears_cases(session: SessionDep) -> list[OpenCaseOut]:
    """Every open unpaid-wage case with its work record, longest outstanding first."""
    return [case_out(c) for c in overview_service.list_open_cases(session=session)]


@console.post("/arrears/sweep")
def arrears_sweep(session: SessionDep) -> SweepOut:
    """Open the cases that are due now (the app also does this in the background)."""
    opened = arrears_service.arrears_sweep(session=session)
    return SweepOut(opened=[r.id or 0 for r in opened])


@console.put("/employers/{employer_id}/posting-hold", status_code=status.HTTP_201_CREATED)
def posting_hold(
    employer_id: Id, data: HoldCreate, staff: CurrentStaff, session: SessionDep
) -> HoldOut:
    """Stop an employer with an open unpaid-wage case posting until it is settled."""
    hold = standing_service.posting_hold_place(
        session=session, staff=staff, employer_id=employer_id, reason=data.reason
    )
    return HoldOut.model_validate(hold, from_attributes=True)


@console.delete("/employers/{employer_id}/posting-hold", status_code=status.HTTP_204_NO_CONTENT)
def posting_hold_lift(employer_id: Id, staff: CurrentStaff, session: SessionDep) -> Response:
    """Let the employer post again."""
    standing_service.posting_hold_lift(session=session, staff=staff, employer_id=employer_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


router.include_router(records)
router.include_router(console)
