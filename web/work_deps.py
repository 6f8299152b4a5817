"""Look-ups of the work record with their checks, written once (the `web/deps.py` pattern).

A work record (a hire's attendance and pay) is visible to its worker, the job's employer
and union staff; to anyone else it does not exist (404, nothing leaked). Which side may
do what (the worker confirms a payment, the employer records one) the services decide.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path
from sqlmodel import Session

from market.errors import N_, NotAllowed, NotFound
from market.models import Application, Attendance, Payment, Role, User
from market.types import MAX_ID
from market.work import ledger as ledger_service
from market.work import service as work_service
from web.deps import CurrentUser, SessionDep

RecordId = Annotated[
    int, Path(ge=1, le=MAX_ID, description="The work record's id: its hire's application id")
]
EntryId = Annotated[int, Path(ge=1, le=MAX_ID, description="Attendance entry id")]
PaymentId = Annotated[int, Path(ge=1, le=MAX_ID, description="Payment id")]


def visible_record(session: Session, user: User, application_id: int) -> Application:
    """The hire, if `user` is one of its two sides or staff; NotFound otherwise."""
    application, job = ledger_service.get_application_and_job(
        session=session, application_id=application_id
    )
    if user.role != Role.staff and user.id not in (application.worker_id, job.employer_id):
        raise NotFound(N_("Work record not found"))
    return application


def _record(session: SessionDep, user: CurrentUser, record_id: RecordId) -> Application:
    return visible_record(session, user, record_id)


RecordDep = Annotated[Application, Depends(_record)]  # its worker, its employer or staff


def _entry(session: SessionDep, user: CurrentUser, entry_id: EntryId) -> Attendance:
    entry = work_service.get_entry(session=session, entry_id=entry_id)
    visible_record(session, user, entry.application_id)
    return entry


def _payment(session: SessionDep, user: CurrentUser, payment_id: PaymentId) -> Payment:
    payment = work_service.get_payment(session=session, payment_id=payment_id)
    visible_record(session, user, payment.application_id)
    return payment


EntryDep = Annotated[Attendance, Depends(_entry)]
PaymentDep = Annotated[Payment, Depends(_payment)]


def _side(session: Session, user: User, application: Application) -> str:
    job = ledger_service.get_application_and_job(
        session=session, application_id=application.id or 0
    )[1]
    if user.role == Role.staff:
        raise NotAllowed(N_("Union staff read work records; the two sides write them"))
    return work_service.side_of(application, job, user)


def _party_record(session: SessionDep, user: CurrentUser, record: RecordDep) -> Application:
    _side(session, user, record)
    return record


def _party_entry(session: SessionDep, user: CurrentUser, entry: EntryDep) -> Attendance:
    _side(session, user, visible_record(session, user, entry.application_id))
    return entry


def _employer_record(session: SessionDep, user: CurrentUser, record: RecordDep) -> Application:
    if _side(session, user, record) != "employer":
        raise NotAllowed(N_("Only the employer records a payment; you confirm or dispute it"))
    return record


def _worker_payment(session: SessionDep, user: CurrentUser, payment: PaymentDep) -> Payment:
    if _side(session, user, visible_record(session, user, payment.application_id)) != "worker":
        raise NotAllowed(N_("Only the worker confirms or disputes a payment"))
    return payment


PartyRecordDep = Annotated[Application, Depends(_party_record)]  # its worker or employer
EmployerRecordDep = Annotated[Application, Depends(_employer_record)]
PartyEntryDep = Annotated[Attendance, Depends(_party_entry)]
WorkerPaymentDep = Annotated[Payment, Depends(_worker_payment)]


def _my_hire(session: SessionDep, user: CurrentUser, record: RecordDep) -> Application:
    """The worker's own hire (their pages); anyone else's is not found."""
    if record.worker_id != user.id:
        raise NotFound(N_("Work record not found"))
    return record


def _my_job_hire(session: SessionDep, user: CurrentUser, record: RecordDep) -> Application:
    """A hire on the employer's own job (their pages); anyone else's is not found."""
    if _side(session, user, record) != "employer":
        raise NotFound(N_("Work record not found"))
    return record


MyHireDep = Annotated[Application, Depends(_my_hire)]
MyJobHireDep = Annotated[Application, Depends(_my_job_hire)]
