"""Morning dispatch: the proposed assignment for a day and district, sent to workers' phones."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from market.dispatch import service as dispatch_service
from market.dispatch import views as dispatch_views
from market.errors import N_, DomainError, Invalid
from market.stats import periods as period_service
from web.api.schemas.dispatch import PROPOSAL_STATUS, proposal_reason
from web.deps import CurrentStaff, SessionDep
from web.errors.pages import FormInvalid, PageRoute, form_errors
from web.i18n import locale_of
from web.pages import places
from web.pages.deps import PageForm
from web.pages.rendering import render

router = APIRouter(prefix="/staff/dispatch", route_class=PageRoute)

DayQuery = Annotated[str | None, Query(max_length=10)]
DistrictQuery = Annotated[str, Query(max_length=40)]
FLASH = {"sent": N_("Sent. The workers see the proposals on their phones.")}


def _day(text: str | None) -> date:
    """The market day asked for (today when none)."""
    if not text:
        return period_service.today()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise Invalid(N_("Give dates as YYYY-MM-DD"), field="day") from exc


def _district(text: str) -> str:
    if text and text not in places.BY_NAME:
        raise Invalid(N_("Choose a district from the list"), field="district")
    return text


def _context(session: SessionDep, day: date, district: str, *, plan: bool) -> dict[str, Any]:
    board = dispatch_views.get_dispatch_day(session=session, day=day, district=district, plan=plan)
    return {
        "market_day": board.day,
        "district": board.district,
        "plan": board.plan,
        "sent": board.sent,
        "rotation": board.rotation,
        "proposal_status": PROPOSAL_STATUS,
        "proposal_reason": proposal_reason,
        "query": f"day={day.isoformat()}&district={district}",
    }


@router.get("")
def dispatch_page(
    request: Request,
    session: SessionDep,
    staff: CurrentStaff,
    day: DayQuery = None,
    district: DistrictQuery = "",
    ok: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Pick a day and district; see the plan with reasons, the unfilled slots, what was sent."""
    try:
        chosen_day, chosen_district = _day(day), _district(district)
    except Invalid as exc:
        context = _context(session, period_service.today(), "", plan=False)
        context["values"] = {"market_day": day, "district": district}
        raise FormInvalid(
            "staff/dispatch.html", context, form_errors(exc, locale_of(request))
        ) from exc
    context = _context(session, chosen_day, chosen_district, plan=day is not None)
    context["notice"] = FLASH.get(ok or "")
    return render(request, "staff/dispatch.html", context)


def _pairs(form: Any) -> list[tuple[int, int]]:
    pairs = []
    for value in form.getlist("pair"):
        job, _, worker = str(value).partition(":")
        if job.isdigit() and worker.isdigit():
            pairs.append((int(job), int(worker)))
    return pairs


@router.post("/send")
def dispatch_send(
    request: Request, form: PageForm, staff: CurrentStaff, session: SessionDep
) -> Response:
    """Send the ticked assignments (planned afresh, so nothing stale goes out)."""
    raw_day, raw_district = str(form.get("day") or ""), str(form.get("district") or "")
    try:
        day, district = _day(raw_day or None), _district(raw_district)
        pairs = _pairs(form)
        if not pairs:
            raise Invalid(N_("Tick at least one assignment to send"), field="_form")
        dispatch_service.dispatch_send(
            session=session, staff=staff, day=day, district=district, only=pairs
        )
    except DomainError as exc:
        errors = form_errors(exc, locale_of(request))
        safe_day = _safe(raw_day)
        context = _context(
            session, safe_day, raw_district if raw_district in places.BY_NAME else "", plan=True
        )
        raise FormInvalid("staff/dispatch.html", context, errors) from exc
    return RedirectResponse(
        f"/staff/dispatch?day={day.isoformat()}&district={district}&ok=sent#sent", status_code=303
    )


def _safe(text: str) -> date:
    try:
        return _day(text or None)
    except Invalid:
        return period_service.today()


@router.get("/print")
def dispatch_print(
    request: Request,
    session: SessionDep,
    staff: CurrentStaff,
    day: DayQuery = None,
    district: DistrictQuery = "",
) -> Response:
    """The day's list for the physical gig market, laid out for paper."""
    chosen_day, chosen_district = _day(day), _district(district)
    context = _context(session, chosen_day, chosen_district, plan=False)
    return render(request, "staff/dispatch_print.html", context)
