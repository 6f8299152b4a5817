"""Moderation: hide a posting with a reason, suspend or reinstate an account, verify employers."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from market.errors import N_, DomainError
from market.models import Job, User
from market.moderation import service as moderation_service
from market.moderation import views as moderation_views
from market.moderation.schemas import ModerationReason
from web.deps import CurrentStaff, JobDep, SessionDep, TargetUserDep
from web.errors.pages import FormInvalid, PageRoute, form_errors
from web.i18n import locale_of
from web.pages.deps import PageForm
from web.pages.rendering import fields_of, render

router = APIRouter(prefix="/staff/moderation", route_class=PageRoute)

SearchQuery = Annotated[str, Query(max_length=50)]
FLASH = {
    "hidden": N_("The posting is hidden; the employer sees the reason."),
    "unhidden": N_("The posting is back on the market."),
    "suspended": N_("The account is suspended and logged out."),
    "reinstated": N_("The account is active again."),
    "verified": N_("The employer now shows the verified badge."),
    "unverified": N_("The verified badge is taken back."),
}
ACTIONS = {
    "job.hidden": N_("Posting hidden"),
    "job.unhidden": N_("Posting put back"),
    "user.suspended": N_("Account suspended"),
    "user.reinstated": N_("Account reinstated"),
    "employer.verified": N_("Employer verified"),
    "employer.unverified": N_("Verification taken back"),
}


def _context(session: SessionDep, q: str) -> dict[str, Any]:
    board = moderation_views.get_moderation_board(session=session, query=q)
    return {**fields_of(board), "q": board.query, "actions": ACTIONS, "values": {}}


@router.get("")
def moderation_page(
    request: Request,
    session: SessionDep,
    staff: CurrentStaff,
    q: SearchQuery = "",
    ok: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Find an account or posting and act on it; what was hidden; the moderation log."""
    context = _context(session, q.strip())
    context["notice"] = FLASH.get(ok or "")
    return render(request, "staff/moderation.html", context)


@router.get("/jobs/{job_id}")
def job_record(request: Request, session: SessionDep, staff: CurrentStaff, job: JobDep) -> Response:
    """One posting: what it offers, who posted it, and the hide or put-back form."""
    record = moderation_views.get_job_record(session=session, job=job)
    context = {**fields_of(record), "q": str(job.id), "values": {}}
    return render(request, "staff/job.html", context)


def _back(form: FormData, done: str) -> RedirectResponse:
    q = str(form.get("q") or "")
    return RedirectResponse(f"/staff/moderation?q={quote(q)}&ok={done}", status_code=303)


def _refuse(
    request: Request, session: SessionDep, form: FormData, key: str, exc: Exception
) -> FormInvalid:
    """The page again, the message next to the row acted on, nothing changed."""
    assert isinstance(exc, ValidationError | DomainError)
    message = next(iter(form_errors(exc, locale_of(request)).values()))
    context = _context(session, str(form.get("q") or "").strip())
    context["values"] = {key: str(form.get("reason") or "")}
    return FormInvalid("staff/moderation.html", context, {key: message})


def _reason(form: FormData) -> str:
    return ModerationReason.model_validate({"reason": str(form.get("reason") or "").strip()}).reason


@router.post("/jobs/{job_id}/hide")
def job_hide(
    request: Request, form: PageForm, staff: CurrentStaff, job: JobDep, session: SessionDep
) -> Response:
    """Take a posting down, saying why."""
    try:
        moderation_service.job_hide(session=session, staff=staff, job=job, reason=_reason(form))
    except (ValidationError, DomainError) as exc:
        raise _refuse(request, session, form, _key(job), exc) from exc
    return _back(form, "hidden")


@router.post("/jobs/{job_id}/unhide")
def job_unhide(
    request: Request, form: PageForm, staff: CurrentStaff, job: JobDep, session: SessionDep
) -> Response:
    """Put a hidden posting back."""
    try:
        moderation_service.job_unhide(session=session, staff=staff, job=job)
    except DomainError as exc:
        raise _refuse(request, session, form, _key(job), exc) from exc
    return _back(form, "unhidden")


@router.post("/users/{user_id}/suspend")
def user_suspend(
    request: Request, form: PageForm, staff: CurrentStaff, user: TargetUserDep, session: SessionDep
) -> Response:
    """Suspend a worker or employer account, saying why."""
    try:
        moderation_service.user_suspend(
            session=session, staff=staff, user=user, reason=_reason(form)
        )
    except (ValidationError, DomainError) as exc:
        raise _refuse(request, session, form, _key(user), exc) from exc
    return _back(form, "suspended")


@router.post("/users/{user_id}/reinstate")
def user_reinstate(
    request: Request, form: PageForm, staff: CurrentStaff, user: TargetUserDep, session: SessionDep
) -> Response:
    """Lift a suspension."""
    try:
        moderation_service.user_reinstate(session=session, staff=staff, user=user)
    except DomainError as exc:
        raise _refuse(request, session, form, _key(user), exc) from exc
    return _back(form, "reinstated")


@router.post("/users/{user_id}/verify")
def employer_verify(
    request: Request, form: PageForm, staff: CurrentStaff, user: TargetUserDep, session: SessionDep
) -> Response:
    """Give (verified=1) or take back (verified=0) an employer's verified badge."""
    verified = form.get("verified") != "0"
    try:
        moderation_service.employer_verify(
            session=session, staff=staff, employer_id=user.id or 0, verified=verified
        )
    except DomainError as exc:
        raise _refuse(request, session, form, _key(user), exc) from exc
    return _back(form, "verified" if verified else "unverified")


def _key(target: Job | User) -> str:
    return f"job-{target.id}" if isinstance(target, Job) else f"user-{target.id}"
