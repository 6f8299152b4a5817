"""The worker's answer when a job's terms change before the hire: accept them (or withdraw)."""

from __future__ import annotations

from fastapi import APIRouter

from market.applications import terms as terms_service
from market.applications.schemas import AcceptTermsRequest
from web.deps import ApplicationDep, CurrentWorker, SessionDep
from web.schemas import ApplicationOut, application_out

router = APIRouter(prefix="/applications", tags=["applications"])


@router.post("/{application_id}/accept-terms")
def application_accept_terms(
    application: ApplicationDep,
    worker: CurrentWorker,
    session: SessionDep,
    data: AcceptTermsRequest | None = None,
) -> ApplicationOut:
    """Accept the job's present terms after the employer changed them (my application only).

    Send the job's `terms_version` you showed me: if it changed again meanwhile, the answer
    is 409 and nothing is accepted. To turn the new terms down, withdraw (`/cancel`).
    """
    return application_out(
        terms_service.application_accept_terms(
            session=session,
            application=application,
            worker=worker,
            terms_version=data.terms_version if data is not None else None,
        )
    )
