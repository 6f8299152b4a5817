"""Deciding on applications: confirm, decline, cancel, no-show, rate."""

from __future__ import annotations

from fastapi import APIRouter, status

from market.applications import ratings as rating_service
from market.applications import service as application_service
from market.applications import terms as terms_service
from market.applications.schemas import AcceptTermsRequest, CancelRequest, RatingCreate
from web.api.schemas.applications import ApplicationOut, application_out
from web.deps import ApplicationDep, CurrentEmployer, CurrentUser, CurrentWorker, SessionDep

router = APIRouter(prefix="/applications", tags=["applications"])


@router.get("/{application_id}")
def application_get(application: ApplicationDep) -> ApplicationOut:
    """One application (its worker and the job's employer only)."""
    return application_out(application)


@router.post("/{application_id}/confirm")
def application_confirm(
    application: ApplicationDep, employer: CurrentEmployer, session: SessionDep
) -> ApplicationOut:
    """Hire this applicant."""
    return application_out(
        application_service.application_confirm(
            session=session, application=application, employer=employer
        )
    )


@router.post("/{application_id}/decline")
def application_decline(
    application: ApplicationDep, employer: CurrentEmployer, session: SessionDep
) -> ApplicationOut:
    """Turn this applicant down."""
    return application_out(
        application_service.application_decline(
            session=session, application=application, employer=employer
        )
    )


@router.post("/{application_id}/cancel")
def application_cancel(
    data: CancelRequest, application: ApplicationDep, user: CurrentUser, session: SessionDep
) -> ApplicationOut:
    """Withdraw an application, or call off a confirmed hire (either side), with a reason."""
    return application_out(
        application_service.application_cancel(
            session=session, application=application, user=user, reason=data.reason
        )
    )


@router.post("/{application_id}/no-show")
def application_no_show(
    application: ApplicationDep, employer: CurrentEmployer, session: SessionDep
) -> ApplicationOut:
    """Record that the hired worker did not come."""
    return application_out(
        application_service.application_no_show(
            session=session, application=application, employer=employer
        )
    )


@router.post("/{application_id}/rating", status_code=status.HTTP_201_CREATED)
def application_rate(
    data: RatingCreate, application: ApplicationDep, user: CurrentUser, session: SessionDep
) -> dict[str, int]:
    """Rate the other side of a completed job, once."""
    rating = rating_service.rating_create(
        session=session, application=application, rater=user, stars=data.stars, comment=data.comment
    )
    return {"id": rating.id or 0, "stars": rating.stars}


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
