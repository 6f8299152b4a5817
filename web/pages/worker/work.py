"""A worker's work record on the phone: 签到/签退 with the day's code (typed or scanned),
corrections, confirming or disputing pay, and 我的工钱 (what each employer owes me)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from market.errors import N_, DomainError, Invalid
from market.models import Application
from market.work import record as record_service
from market.work import service as work_service
from market.work.models import KIND_LABELS, METHOD_LABELS, PAYMENT_LABELS
from web.deps import CurrentWorker, MyHireDep, PartyEntryDep, SessionDep, WorkerPaymentDep
from web.errors.messages import STATUS
from web.errors.pages import FormInvalid, PageRoute, form_errors
from web.i18n import locale_of
from web.pages.deps import PageForm
from web.pages.rendering import render
from web.pages.work_forms import answer_of, check_in_of, correction_of, dispute_of
from web.security.rate_limits import AttendanceCodeLimit

router = APIRouter(route_class=PageRoute)

FLASH = {
    "check_in": N_("Checked in. Have a good day's work."),
    "check_out": N_("Checked out. Your hours are recorded."),
    "corrected": N_("Correction sent; the employer will confirm it."),
    "confirmed": N_("Confirmed. Thank you."),
    "disputed": N_("Your objection is recorded."),
    "dispute": N_("Your objection is recorded; the union has opened a case and will call you."),
}
LABELS = {"kinds": KIND_LABELS, "methods": METHOD_LABELS, "pay_methods": PAYMENT_LABELS}
OkQuery = Annotated[str | None, Query(max_length=20)]


def record_context(session: SessionDep, application_id: int) -> dict[str, Any]:
    record = record_service.get_record(session=session, application_id=application_id)
    return {"record": record, "values": {}, **LABELS}


def refused_again(
    request: Request,
    session: SessionDep,
    application_id: int,
    exc: DomainError | ValidationError,
    form: str,
    template: str = "work/record.html",
) -> FormInvalid:
    """The record page again, with the refusal next to the form it came from."""
    status = 422
    if isinstance(exc, DomainError) and not isinstance(exc, Invalid):
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
    errors = {form: next(iter(form_errors(exc, locale_of(request)).values()))}
    context = record_context(session, application_id)
    return FormInvalid(template, context, errors, status_code=status)


def _back(application_id: int | None, ok: str) -> RedirectResponse:
    return RedirectResponse(f"/my/work/{application_id}?ok={ok}#record", status_code=303)


@router.get("/my/pay")
def my_pay(request: Request, worker: CurrentWorker, session: SessionDep) -> Response:
    """我的工钱: days worked, agreed, paid and owed, per employer, with totals."""
    book = record_service.get_worker_pay(session=session, worker_id=worker.id or 0)
    return render(request, "work/my_pay.html", {"book": book, **LABELS})


@router.get("/my/work/{record_id}")
def record_page(
    request: Request,
    worker: CurrentWorker,
    application: MyHireDep,
    session: SessionDep,
    ok: OkQuery = None,
) -> Response:
    """One shift: check in and out with the day's code, the record, the pay."""
    context = record_context(session, application.id or 0)
    context["flash"] = FLASH.get(ok or "")
    return render(request, "work/record.html", context)


@router.get("/my/work/{record_id}/part")
def record_part(
    request: Request, worker: CurrentWorker, application: MyHireDep, session: SessionDep
) -> Response:
    """Only the record: the page swaps it in when the employer records something."""
    return render(request, "work/_record.html", record_context(session, application.id or 0))


def _attend(
    request: Request, form: PageForm, user: CurrentWorker, application: Application, session: Any
) -> Response:
    kind = "check_out" if request.url.path.endswith("/check-out") else "check_in"
    try:
        data = check_in_of(form)
        work_service.attendance_record(
            session=session, application=application, user=user, kind=kind, data=data
        )
    except (DomainError, ValidationError) as exc:
        raise refused_again(request, session, application.id or 0, exc, "code") from exc
    return _back(application.id, kind)


@router.post("/my/work/{record_id}/check-in")
def check_in(
    request: Request,
    form: PageForm,
    worker: CurrentWorker,
    application: MyHireDep,
    session: SessionDep,
    _limit: AttendanceCodeLimit,
) -> Response:
    """签到 with the day's code; the phone's position only when the worker ticked the box."""
    return _attend(request, form, worker, application, session)


@router.post("/my/work/{record_id}/check-out")
def check_out(
    request: Request,
    form: PageForm,
    worker: CurrentWorker,
    application: MyHireDep,
    session: SessionDep,
    _limit: AttendanceCodeLimit,
) -> Response:
    """签退 with the day's code."""
    return _attend(request, form, worker, application, session)


@router.post("/my/work/{record_id}/correction")
def correction(
    request: Request,
    form: PageForm,
    worker: CurrentWorker,
    application: MyHireDep,
    session: SessionDep,
) -> Response:
    """The recorded time is wrong: say when it really was; the employer answers."""
    try:
        work_service.attendance_correct(
            session=session, application=application, user=worker, data=correction_of(form)
        )
    except (DomainError, ValidationError) as exc:
        raise refused_again(request, session, application.id or 0, exc, "correction") from exc
    return _back(application.id, "corrected")


@router.post("/my/work/attendance/{entry_id}/answer")
def attendance_answer(
    request: Request,
    form: PageForm,
    worker: CurrentWorker,
    entry: PartyEntryDep,
    session: SessionDep,
) -> Response:
    """Agree with, or object to, a time the employer recorded."""
    verdict, answer = answer_of(form)
    try:
        work_service.attendance_answer(
            session=session, entry=entry, user=worker, verdict=verdict, data=answer
        )
    except DomainError as exc:
        raise refused_again(
            request, session, entry.application_id, exc, f"entry-{entry.id}"
        ) from exc
    return _back(entry.application_id, verdict)


@router.post("/my/work/payments/{payment_id}/confirm")
def payment_confirm(
    form: PageForm, worker: CurrentWorker, payment: WorkerPaymentDep, session: SessionDep
) -> Response:
    """I received this payment."""
    work_service.payment_confirm(session=session, payment=payment, user=worker)
    return _back(payment.application_id, "confirmed")


@router.post("/my/work/payments/{payment_id}/dispute")
def payment_dispute(
    request: Request,
    form: PageForm,
    worker: CurrentWorker,
    payment: WorkerPaymentDep,
    session: SessionDep,
) -> Response:
    """I did not receive this: say what I did receive. The union opens a case."""
    try:
        work_service.payment_dispute(
            session=session, payment=payment, user=worker, data=dispute_of(form)
        )
    except (DomainError, ValidationError) as exc:
        raise refused_again(
            request, session, payment.application_id, exc, f"payment-{payment.id}"
        ) from exc
    return _back(payment.application_id, "dispute")


@router.get("/work/scan")
def scan(
    request: Request,
    worker: CurrentWorker,
    session: SessionDep,
    job: Annotated[int, Query(ge=1, le=2**31 - 1)],
    code: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Where the QR code on the employer's phone leads: one tap to check in (or out)."""
    application = record_service.get_my_hire(session=session, worker_id=worker.id or 0, job_id=job)
    context = record_context(session, application.id or 0)
    context["scanned_code"] = code
    return render(request, "work/scan.html", context)
