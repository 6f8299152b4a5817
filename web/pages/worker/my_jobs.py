"""My jobs: applications and hires, the employer's phone once hired, cancel, rate."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from market.applications import ratings as rating_service
from market.applications import service as application_service
from market.applications import terms as terms_service
from market.applications import views as application_views
from market.errors import N_
from market.invites import service as invite_service
from market.models import ApplicationStatus
from market.notifications import reminders as reminder_service
from market.standby import service as standby_service
from web.deps import AfterQuery, ApplicationDep, CurrentWorker, SessionDep
from web.errors.pages import PageRoute
from web.pages.deps import PageForm
from web.pages.forms import cancel_reason, stars_of
from web.pages.rendering import render

router = APIRouter(route_class=PageRoute)
S = ApplicationStatus

FLASH = {
    "claimed": N_("Done! The job is yours. The employer's phone number is below."),
    "applied": N_("Applied. The employer will confirm or decline soon."),
    "cancelled": N_("Cancelled. The employer has been told."),
    "withdrawn": N_("Your application is withdrawn."),
    "rated": N_("Thank you for rating."),
    "accepted": N_("You accepted the new terms. The employer can now hire you."),
    "standby_declined": N_("Declined. The place goes to the next worker on the list."),
    "standby_left": N_("You left the standby list."),
    "coming": N_("Thank you: the employer sees that you are coming."),
}
# the worker's reasons to call off, offered as one tap each
CANCEL_REASONS = (
    N_("I am ill"),
    N_("Family matters"),
    N_("I found other work"),
    N_("Too far away"),
)
SECTIONS = (
    ("confirmed", N_("Confirmed: go to work"), (S.confirmed,)),
    ("applied", N_("Waiting for the employer"), (S.applied,)),
    ("done", N_("Done"), (S.completed, S.no_show)),
    ("closed", N_("Declined or cancelled"), (S.declined, S.cancelled, S.withdrawn)),
)
TERMS_CHANGED = N_("Terms changed: your answer is needed")


def _my_jobs_context(
    session: SessionDep, worker: CurrentWorker, *, stations: bool = False, after: str | None = None
) -> dict[str, object]:
    mine = application_views.get_worker_jobs(
        session=session, worker_id=worker.id or 0, stations=stations, after=after
    )
    # changed terms wait for the worker, not the employer: they come first, on their own
    changed = [row for row in mine.rows if terms_service.needs_acceptance(row[0], row[1])]
    sections = [("terms", TERMS_CHANGED, changed)] + [
        (key, title, [row for row in mine.rows if row[0].status in statuses and row not in changed])
        for key, title, statuses in SECTIONS
    ]
    context: dict[str, object] = {
        "sections": sections,
        "rated": mine.rated,
        "reasons": CANCEL_REASONS,
        "contact_visible": application_service.contact_visible,
        "needs_acceptance": terms_service.needs_acceptance,
        "coming": reminder_service.coming_of(
            session=session, application_ids=[row[0].id or 0 for row in mine.rows]
        ),
        "remind_before": reminder_service.EARLY,
        "next": mine.next,
        "more_path": "/my/jobs",  # the list is also refreshed alone, from /my/jobs/list
        # standby places and offers lead the list (first page only), so an offer shows live
        "standby": []
        if after
        else standby_service.list_worker_standby(session=session, worker_id=worker.id or 0),
        "invites": []
        if after
        else invite_service.list_worker_invites(session=session, worker_id=worker.id or 0),
    }
    if stations:
        context["stations"] = mine.stations
    return context


@router.get("/my/jobs")
def my_jobs(
    request: Request,
    worker: CurrentWorker,
    session: SessionDep,
    ok: Annotated[str | None, Query(max_length=20)] = None,
    after: AfterQuery = None,
) -> Response:
    """A page of my applications and hires, grouped by what I should do next."""
    context = _my_jobs_context(session, worker, stations=True, after=after)
    context["flash"], context["after"] = FLASH.get(ok or ""), after
    return render(request, "worker/my_jobs.html", context)


@router.get("/my/jobs/list")
def my_jobs_list(
    request: Request, worker: CurrentWorker, session: SessionDep, after: AfterQuery = None
) -> Response:
    """Only the list: the page refreshes it when an employer hires, declines or cancels."""
    context = _my_jobs_context(session, worker, after=after)
    return render(request, "worker/_my_jobs_list.html", context)


@router.post("/my/applications/{application_id}/cancel")
def cancel(
    request: Request,
    form: PageForm,
    worker: CurrentWorker,
    application: ApplicationDep,
    session: SessionDep,
) -> Response:
    """Withdraw an application or call off a hire, with a reason the employer sees."""
    reason = cancel_reason(form)
    done = application_service.application_cancel(
        session=session, application=application, user=worker, reason=reason
    )
    return RedirectResponse(f"/my/jobs?ok={done.status}", status_code=303)


@router.post("/my/applications/{application_id}/rate")
def rate(
    request: Request,
    form: PageForm,
    worker: CurrentWorker,
    application: ApplicationDep,
    session: SessionDep,
) -> Response:
    """Rate the employer after the work, once."""
    rating_service.rating_create(
        session=session,
        application=application,
        rater=worker,
        stars=stars_of(form),
        comment=str(form.get("comment") or "")[:200],
    )
    return RedirectResponse("/my/jobs?ok=rated", status_code=303)


@router.post("/my/applications/{application_id}/coming")
def coming(worker: CurrentWorker, application: ApplicationDep, session: SessionDep) -> Response:
    """One tap before a shift: I am coming (确认到岗); the employer sees it."""
    reminder_service.shift_coming(session=session, application=application, worker=worker)
    return RedirectResponse("/my/jobs?ok=coming", status_code=303)
