"""The employer's decisions on an applicant: hire, decline, no-show, call off, rate."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from market.applications import ratings as rating_service
from market.applications import service as application_service
from market.models import Application
from web.deps import ApplicationDep, CurrentEmployer, SessionDep
from web.errors.pages import PageRoute
from web.pages.deps import PageForm
from web.pages.forms import cancel_reason, stars_of

router = APIRouter(prefix="/employer/applications", route_class=PageRoute)


def _back(application: Application, done: str) -> RedirectResponse:
    return RedirectResponse(
        f"/employer/jobs/{application.job_id}?ok={done}#application-{application.id}", 303
    )


@router.post("/{application_id}/confirm")
def confirm(
    form: PageForm, employer: CurrentEmployer, application: ApplicationDep, session: SessionDep
) -> Response:
    """Hire this applicant."""
    application_service.application_confirm(
        session=session, application=application, employer=employer
    )
    return _back(application, "confirmed")


@router.post("/{application_id}/decline")
def decline(
    form: PageForm, employer: CurrentEmployer, application: ApplicationDep, session: SessionDep
) -> Response:
    """Turn this applicant down."""
    application_service.application_decline(
        session=session, application=application, employer=employer
    )
    return _back(application, "declined")


@router.post("/{application_id}/no-show")
def no_show(
    form: PageForm, employer: CurrentEmployer, application: ApplicationDep, session: SessionDep
) -> Response:
    """The hired worker did not come."""
    application_service.application_no_show(
        session=session, application=application, employer=employer
    )
    return _back(application, "no_show")


@router.post("/{application_id}/cancel")
def cancel_hire(
    form: PageForm, employer: CurrentEmployer, application: ApplicationDep, session: SessionDep
) -> Response:
    """Call off one hire, with a reason the worker sees."""
    application_service.application_cancel(
        session=session, application=application, user=employer, reason=cancel_reason(form)
    )
    return _back(application, "cancelled")


@router.post("/{application_id}/rate")
def rate(
    form: PageForm, employer: CurrentEmployer, application: ApplicationDep, session: SessionDep
) -> Response:
    """Rate the worker after the work, once."""
    rating_service.rating_create(
        session=session,
        application=application,
        rater=employer,
        stars=stars_of(form),
        comment=str(form.get("comment") or "")[:200],
    )
    return _back(application, "rated")
