"""Union membership applications: approve or reject."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from market.errors import N_, DomainError
from market.membership import service as membership_service
from market.membership.schemas import MembershipDecision
from web.deps import CurrentStaff, Id, SessionDep
from web.errors.pages import FormInvalid, PageRoute, form_errors
from web.i18n import locale_of
from web.pages.deps import PageForm
from web.pages.rendering import render

router = APIRouter(prefix="/staff/memberships", route_class=PageRoute)

STATUSES = {"pending": N_("Waiting"), "approved": N_("Approved"), "rejected": N_("Rejected")}
FLASH = {"approved": N_("Welcome to the union: approved."), "rejected": N_("Application rejected.")}
StatusQuery = Annotated[Literal["pending", "approved", "rejected"], Query()]


def _context(session: SessionDep, status: str) -> dict[str, object]:
    rows = membership_service.list_memberships(session=session, status=status)
    return {"rows": rows, "status": status, "statuses": STATUSES, "values": {}}


@router.get("")
def membership_queue(
    request: Request,
    session: SessionDep,
    staff: CurrentStaff,
    status: StatusQuery = "pending",
    ok: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Applications of one status, oldest first."""
    context = _context(session, status)
    context["notice"] = FLASH.get(ok or "")
    return render(request, "staff/memberships.html", context)


@router.post("/{user_id}/decide")
def membership_decide(
    request: Request, form: PageForm, staff: CurrentStaff, user_id: Id, session: SessionDep
) -> Response:
    """Approve (approve=1) or reject (approve=0), with an optional note to the worker."""
    note = str(form.get("note") or "").strip()
    try:
        data = MembershipDecision.model_validate(
            {"approve": form.get("approve") == "1", "note": note}
        )
        decided = membership_service.membership_decide(
            session=session, staff=staff, user_id=user_id, approve=data.approve, note=data.note
        )
    except (ValidationError, DomainError) as exc:
        message = next(iter(form_errors(exc, locale_of(request)).values()))
        context = _context(session, "pending")
        context["values"] = {f"user-{user_id}": note}
        raise FormInvalid("staff/memberships.html", context, {"_form": message}) from exc
    return RedirectResponse(f"/staff/memberships?ok={decided.status}", status_code=303)
