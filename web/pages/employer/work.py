"""An employer's work record on the phone: today's code and its QR code for the workers on
the site, each hire's attendance (recorded for a worker without a phone), the pay record,
and what I owe across my jobs."""

from __future__ import annotations

from typing import Annotated, Any

import segno
from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError

from market.errors import N_, DomainError, Invalid
from market.jobs import service as job_service
from market.models import Job
from market.types import utcnow
from market.work import record as record_service
from market.work import service as work_service
from web.deps import CurrentEmployer, MyJobHireDep, OwnedJobDep, PartyEntryDep, SessionDep
from web.errors.messages import STATUS
from web.errors.pages import FormInvalid, PageRoute, form_errors
from web.i18n import locale_of
from web.pages.deps import PageForm
from web.pages.rendering import render
from web.pages.work_forms import answer_of, correction_of, employer_check_of, payment_of, text
from web.pages.worker.work import LABELS

router = APIRouter(prefix="/employer", route_class=PageRoute)

FLASH = {
    "check_in": N_("Check-in recorded."),
    "check_out": N_("Check-out recorded."),
    "corrected": N_("Correction sent; the worker will confirm it."),
    "paid": N_("Payment recorded. The worker is asked to confirm it."),
    "confirmed": N_("Confirmed. Thank you."),
    "disputed": N_("Your objection is recorded."),
}
OkQuery = Annotated[str | None, Query(max_length=20)]


def qr_svg(url: str) -> Markup:
    """The QR code of `url` as inline SVG (drawn here: no image service, no JavaScript)."""
    svg = segno.make(url, error="m").svg_inline(scale=6, border=2, dark="#111", light="#fff")
    return Markup(svg)  # segno's own markup around our URL, which it escapes


def day_context(request: Request, session: SessionDep, job: Job) -> dict[str, Any]:
    day = record_service.get_job_day(session=session, job=job)
    scan_url = f"{str(request.base_url).rstrip('/')}/work/scan?job={job.id}&code={day.code}"
    return {
        "job_day": day,
        "job": job,
        "scan_url": scan_url,
        "qr": qr_svg(scan_url) if day.code else None,
        "now": utcnow(),
        "values": {},
        **LABELS,
    }


def _refused(
    request: Request, session: SessionDep, job_id: int, exc: DomainError | ValidationError, key: str
) -> FormInvalid:
    status = 422
    if isinstance(exc, DomainError) and not isinstance(exc, Invalid):
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
    errors = {key: next(iter(form_errors(exc, locale_of(request)).values()))}
    context = day_context(request, session, job_service.get_job(session=session, job_id=job_id))
    return FormInvalid("work/job_day.html", context, errors, status_code=status)


def _back(job_id: int, ok: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/employer/jobs/{job_id}/work?ok={ok}#{anchor}", status_code=303)


@router.get("/jobs/{job_id}/work")
def job_day(
    request: Request,
    employer: CurrentEmployer,
    job: OwnedJobDep,
    session: SessionDep,
    ok: OkQuery = None,
) -> Response:
    """The job's day: the code and QR code to show, each worker's attendance and pay."""
    context = day_context(request, session, job)
    context["flash"] = FLASH.get(ok or "")
    return render(request, "work/job_day.html", context)


@router.get("/jobs/{job_id}/work/part")
def job_day_part(
    request: Request, employer: CurrentEmployer, job: OwnedJobDep, session: SessionDep
) -> Response:
    """Only the workers' list: the page swaps it in as workers check in and answer."""
    return render(request, "work/_job_day_list.html", day_context(request, session, job))


@router.post("/work/{record_id}/attendance")
def record_attendance(
    request: Request,
    form: PageForm,
    employer: CurrentEmployer,
    application: MyJobHireDep,
    session: SessionDep,
) -> Response:
    """Check a worker without a phone in or out (now, or at the time given)."""
    kind = "check_out" if text(form, "kind") == "check_out" else "check_in"
    try:
        work_service.attendance_record(
            session=session,
            application=application,
            user=employer,
            kind=kind,
            data=employer_check_of(form),
        )
    except (DomainError, ValidationError) as exc:
        raise _refused(request, session, application.job_id, exc, f"hire-{application.id}") from exc
    return _back(application.job_id, kind, f"hire-{application.id}")


@router.post("/work/{record_id}/correction")
def correction(
    request: Request,
    form: PageForm,
    employer: CurrentEmployer,
    application: MyJobHireDep,
    session: SessionDep,
) -> Response:
    """A recorded time is wrong: say when it really was; the worker answers."""
    try:
        work_service.attendance_correct(
            session=session, application=application, user=employer, data=correction_of(form)
        )
    except (DomainError, ValidationError) as exc:
        raise _refused(request, session, application.job_id, exc, f"hire-{application.id}") from exc
    return _back(application.job_id, "corrected", f"hire-{application.id}")


@router.post("/work/{record_id}/payments")
def payment(
    request: Request,
    form: PageForm,
    employer: CurrentEmployer,
    application: MyJobHireDep,
    session: SessionDep,
) -> Response:
    """Record what I paid this worker; they confirm it or say what they received."""
    try:
        work_service.payment_record(
            session=session, application=application, user=employer, data=payment_of(form)
        )
    except (DomainError, ValidationError) as exc:
        raise _refused(request, session, application.job_id, exc, f"pay-{application.id}") from exc
    return _back(application.job_id, "paid", f"hire-{application.id}")


@router.post("/work/attendance/{entry_id}/answer")
def attendance_answer(
    request: Request,
    form: PageForm,
    employer: CurrentEmployer,
    entry: PartyEntryDep,
    session: SessionDep,
) -> Response:
    """Agree with, or object to, a correction the worker sent."""
    verdict, answer = answer_of(form)
    try:
        work_service.attendance_answer(
            session=session, entry=entry, user=employer, verdict=verdict, data=answer
        )
    except DomainError as exc:
        raise _refused(request, session, entry.job_id, exc, f"entry-{entry.id}") from exc
    return _back(entry.job_id, verdict, f"entry-{entry.id}")


@router.get("/pay")
def owed(request: Request, employer: CurrentEmployer, session: SessionDep) -> Response:
    """What I owe: each job's workers, agreed, paid (confirmed by them) and still owed."""
    book = record_service.get_employer_owed(session=session, employer_id=employer.id or 0)
    return render(request, "work/owed.html", {"book": book, **LABELS})
