"""Wage arrears for union staff: open cases by employer, trade and district (count,
amount, days outstanding), the evidence sheets, and stopping an employer's postings."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from market.errors import N_, DomainError
from market.work import arrears as arrears_service
from market.work import overview as overview_service
from market.work import standing as standing_service
from market.work.arrears import REASONS
from market.work.schemas import HoldCreate
from web.deps import CurrentStaff, Id, SessionDep
from web.errors.pages import FormInvalid, PageRoute, form_errors
from web.i18n import locale_of
from web.pages.deps import PageForm
from web.pages.rendering import render

router = APIRouter(prefix="/staff/arrears", route_class=PageRoute)

ByQuery = Annotated[Literal["employer", "trade", "district"], Query()]
GROUPINGS = {"employer": N_("By employer"), "trade": N_("By trade"), "district": N_("By district")}
FLASH = {
    "swept": N_("Checked: every unpaid shift that is due now has its case."),
    "stopped": N_("The employer can no longer post until the wages are settled."),
    "resumed": N_("The employer can post again."),
}


def _context(session: SessionDep, by: str) -> dict[str, Any]:
    return {
        "by": by,
        "groupings": GROUPINGS,
        "groups": overview_service.arrears_by(session=session, by=by),  # type: ignore[arg-type]
        "cases": overview_service.list_open_cases(session=session),
        "reasons": {**REASONS, "reported": N_("Reported by the worker")},
        "days": arrears_service.arrears_days(),
        "values": {},
    }


@router.get("")
def arrears_page(
    request: Request,
    session: SessionDep,
    staff: CurrentStaff,
    by: ByQuery = "employer",
    ok: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Open arrears summed by employer, trade or district, and every open case."""
    context = _context(session, by)
    context["notice"] = FLASH.get(ok or "")
    return render(request, "staff/arrears.html", context)


@router.post("/sweep")
def sweep(form: PageForm, staff: CurrentStaff, session: SessionDep) -> Response:
    """Open the cases due now (the app also does this every minute)."""
    arrears_service.arrears_sweep(session=session)
    return RedirectResponse("/staff/arrears?ok=swept", status_code=303)


@router.post("/employers/{employer_id}/stop")
def stop_posting(
    request: Request,
    form: PageForm,
    staff: CurrentStaff,
    employer_id: Id,
    session: SessionDep,
) -> Response:
    """Stop an employer with an open case posting until the wages are settled."""
    values = {"reason": str(form.get("reason") or "").strip()}
    try:
        data = HoldCreate.model_validate(values)
        standing_service.posting_hold_place(
            session=session, staff=staff, employer_id=employer_id, reason=data.reason
        )
    except (ValidationError, DomainError) as exc:
        errors = {
            f"employer-{employer_id}": next(iter(form_errors(exc, locale_of(request)).values()))
        }
        context = {**_context(session, "employer"), "values": values}
        status = 409 if isinstance(exc, DomainError) else 422
        raise FormInvalid("staff/arrears.html", context, errors, status_code=status) from exc
    return RedirectResponse("/staff/arrears?ok=stopped", status_code=303)


@router.post("/employers/{employer_id}/resume")
def resume_posting(
    form: PageForm, staff: CurrentStaff, employer_id: Id, session: SessionDep
) -> Response:
    """Let the employer post again."""
    standing_service.posting_hold_lift(session=session, staff=staff, employer_id=employer_id)
    return RedirectResponse("/staff/arrears?ok=resumed", status_code=303)
