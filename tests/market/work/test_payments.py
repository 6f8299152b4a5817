"""The pay record: the employer records, the worker confirms or disputes, payments add up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import Session, col, select

from market.errors import Conflict, Invalid, NotAllowed, NotFound
from market.models import Application, Event, Job, Payment, Report, User
from market.work import record as record_service
from market.work import service as work_service
from market.work.ledger import load_ledger
from market.work.schemas import PaymentCreate, PaymentDispute
from tests.factories import make_employer
from tests.market.service_helpers import refused
from tests.market.work.work_factories import HOUR, local_at, make_hire

SHIFT = local_at(-1, 8)  # yesterday 08:00-16:00
NOW = local_at(0, 10)


def _people(session: Session, application: Application, job: Job) -> tuple[User, User]:
    return session.get_one(User, application.worker_id), session.get_one(User, job.employer_id)


def pay(session: Session, application: Application, user: User, amount: int = 300, **fields):  # type: ignore[no-untyped-def]
    data = PaymentCreate(amount=amount, method=fields.pop("method", "wechat"), **fields)
    return work_service.payment_record(
        session=session, application=application, user=user, data=data, now=NOW
    )


@pytest.mark.parametrize("amount", [-1, 0, 20_001, 10**9])
def test_negative_zero_or_absurd_amounts_are_refused_by_the_input_shape(amount: int) -> None:
    with pytest.raises(ValidationError):
        PaymentCreate(amount=amount, method="cash")
    with pytest.raises(ValidationError):
        PaymentCreate(amount=100, method="bitcoin")  # type: ignore[arg-type]


def test_partial_payments_add_up_once_confirmed(session: Session) -> None:
    application, job = make_hire(session, start_at=SHIFT, wage=350)
    worker, employer = _people(session, application, job)
    first = pay(session, application, employer, 200, method="cash")
    second = pay(session, application, employer, 150, paid_at=NOW - HOUR)
    ledger = load_ledger(session=session, application=application, job=job)
    assert (ledger.agreed, ledger.paid, ledger.unanswered, ledger.owed) == (350, 0, 350, 350)
    for payment in (first, second):
        work_service.payment_confirm(session=session, payment=payment, user=worker, now=NOW)
    ledger = load_ledger(session=session, application=application, job=job)
    assert (ledger.paid, ledger.unanswered, ledger.owed) == (350, 0, 0)
    kinds = session.exec(
        select(Event.kind).where(Event.job_id == job.id).order_by(col(Event.id))
    ).all()
    assert kinds == ["payment.recorded"] * 2 + ["payment.confirmed"] * 2
    book = record_service.get_worker_pay(session=session, worker_id=worker.id or 0, now=NOW)
    assert (book.totals.days, book.totals.agreed, book.totals.paid, book.totals.owed) == (
        1,
        350,
        350,
        0,
    )


def test_only_the_employer_records_and_only_after_the_shift_started(session: Session) -> None:
    application, job = make_hire(session, start_at=local_at(1, 8))
    worker, employer = _people(session, application, job)
    refused(
        session,
        lambda: pay(session, application, worker),
        NotAllowed,
        "Only the employer records a payment; you confirm or dispute it",
    )
    refused(
        session,
        lambda: pay(session, application, employer),
        Invalid,
        "The time cannot be before the shift's day ({day})",
    )
    refused(
        session,
        lambda: pay(session, application, employer, paid_at=local_at(1, 9)),
        Invalid,
        "The time cannot be in the future",
    )
    stranger = make_employer(session)
    refused(
        session,
        lambda: pay(session, application, stranger),
        NotFound,
        "Work record not found",
    )


def test_a_payment_is_answered_once_by_the_worker_only(session: Session) -> None:
    application, job = make_hire(session, start_at=SHIFT)
    worker, employer = _people(session, application, job)
    payment = pay(session, application, employer, 300)
    refused(
        session,
        lambda: work_service.payment_confirm(session=session, payment=payment, user=employer),
        NotAllowed,
        "Only the worker confirms or disputes a payment",
    )
    work_service.payment_confirm(session=session, payment=payment, user=worker, now=NOW)
    refused(
        session,
        lambda: work_service.payment_confirm(session=session, payment=payment, user=worker),
        Conflict,
        "This payment has already been answered",
    )
    refused(
        session,
        lambda: work_service.payment_dispute(
            session=session, payment=payment, user=worker, data=PaymentDispute(received=0)
        ),
        Conflict,
        "This payment has already been answered",
    )


def test_a_dispute_says_what_was_received_and_opens_a_union_case(session: Session) -> None:
    application, job = make_hire(session, start_at=SHIFT, wage=400)
    worker, employer = _people(session, application, job)
    payment = pay(session, application, employer, 400)
    refused(
        session,
        lambda: work_service.payment_dispute(
            session=session, payment=payment, user=worker, data=PaymentDispute(received=400)
        ),
        Invalid,
        "You received all of it: confirm the payment instead",
    )
    answer = work_service.payment_dispute(
        session=session,
        payment=payment,
        user=worker,
        data=PaymentDispute(received=100, note="只给了一百"),
        now=NOW,
    )
    assert (answer.verdict, answer.received) == ("disputed", 100)
    case = session.exec(select(Report).where(Report.application_id == application.id)).one()
    assert (case.kind, case.work_record_id, case.status, case.agreed_wage) == (
        "unpaid",
        application.id,
        "open",
        400,
    )
    assert case.job_record["reason"] == "disputed" and case.job_record["owed"] == 400
    opened = session.exec(select(Event).where(Event.kind == "arrears.opened")).one()
    assert (opened.worker_id, opened.employer_id, opened.payload["report"]) == (
        worker.id,
        employer.id,
        case.id,
    )
    second = pay(session, application, employer, 100, method="cash")
    work_service.payment_dispute(
        session=session, payment=second, user=worker, data=PaymentDispute(received=50), now=NOW
    )
    assert len(session.exec(select(Report).where(Report.application_id == application.id)).all())
    assert session.exec(select(Payment).where(Payment.application_id == application.id)).all()
    cases = session.exec(select(Report).where(Report.application_id == application.id)).all()
    assert len(cases) == 1  # one case per hire, however many disputes


def test_the_employer_page_shows_what_is_owed_per_job(session: Session) -> None:
    application, job = make_hire(session, start_at=SHIFT, wage=300)
    employer = _people(session, application, job)[1]
    make_hire(session, start_at=SHIFT - timedelta(days=2), wage=200, employer=employer)
    pay(session, application, employer, 100)
    book = record_service.get_employer_owed(session=session, employer_id=employer.id or 0, now=NOW)
    assert [(g.title, g.totals.owed, g.totals.unanswered) for g in book.groups] == [
        (job.title, 300, 100),
        (job.title, 200, 0),
    ]
    assert book.totals.owed == 500
