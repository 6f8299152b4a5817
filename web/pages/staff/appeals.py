"""Appeals against strikes: the queue of open ones, each decided with a reason."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from market.errors import N_, Invalid
from market.reliability import service as reliability_service
from web.deps import CurrentStaff, Id, SessionDep
from web.errors.pages import PageRoute
from web.pages.deps import PageForm
from web.pages.rendering import render

router = APIRouter(prefix="/staff/appeals", route_class=PageRoute)
FLASH = {
    "upheld": N_("Appeal upheld: the strike is voided and the worker is told."),
    "rejected": N_("Appeal rejected: the strike stands and the worker is told why."),
}
OUTCOMES = {"upheld": True, "rejected": False}


@router.get("")
def appeals_page(
    request: Request,
    session: SessionDep,
    staff: CurrentStaff,
    ok: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Open appeals, oldest first, each with the worker's active strikes."""
    context = {
        "appeals": reliability_service.list_open_appeals(session=session),
        "kinds": reliability_service.KIND_LABELS,
        "notice": FLASH.get(ok or ""),
    }
    return render(request, "staff/appeals.html", context)


@router.post("/{appeal_id}/decide")
def decide(appeal_id: Id, form: PageForm, staff: CurrentStaff, session: SessionDep) -> Response:
    """Uphold (void the strike) or reject (keep it), saying why."""
    outcome = str(form.get("outcome") or "")
    if outcome not in OUTCOMES:
        raise Invalid(N_("Choose to uphold or reject the appeal"), field="outcome")
    reason = str(form.get("reason") or "").strip()
    if not reason or len(reason) > 300:
        raise Invalid(N_("Give the worker a reason (at most 300 characters)"), field="reason")
    reliability_service.appeal_decide(
        session=session, appeal_id=appeal_id, staff=staff, upheld=OUTCOMES[outcome], reason=reason
    )
    return RedirectResponse(f"/staff/appeals?ok={outcome}", status_code=303)
