"""My jobs: the employer changed a job's terms before hiring me; I accept them (or withdraw)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from market.applications import terms as terms_service
from market.errors import N_, Invalid
from market.types import MAX_ID
from web.deps import ApplicationDep, CurrentWorker, SessionDep
from web.errors.pages import PageRoute
from web.pages.deps import PageForm

router = APIRouter(route_class=PageRoute)


def terms_version_of(form: FormData) -> int | None:
    """The terms version the page showed (absent: whatever the job's terms are now)."""
    value = form.get("terms_version")
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise Invalid(N_("The page is out of date; reload it and try again"), field="terms_version")
    return int(value)


@router.post("/my/applications/{application_id}/accept-terms")
def accept_terms(
    form: PageForm, worker: CurrentWorker, application: ApplicationDep, session: SessionDep
) -> Response:
    """Accept the job's new terms, as the page showed them; the employer may then hire me."""
    terms_service.application_accept_terms(
        session=session,
        application=application,
        worker=worker,
        terms_version=terms_version_of(form),
    )
    return RedirectResponse(f"/my/jobs?ok=accepted#application-{application.id}", 303)
