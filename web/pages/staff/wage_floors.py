"""The union's wage floor (工会最低工资标准) per trade and district, and who tried under it."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from market.errors import N_, DomainError
from market.models import WageFloor
from market.stats import periods as period_service
from market.wages import service as wage_service
from market.wages.schemas import WageFloorSet
from web.deps import CurrentStaff, Id, SessionDep
from web.errors.pages import FormInvalid, PageRoute, form_errors
from web.i18n import locale_of
from web.pages.deps import PageForm
from web.pages.rendering import render

router = APIRouter(prefix="/staff/wage-floors", route_class=PageRoute)

FLASH = {"saved": N_("Wage floor saved."), "removed": N_("Wage floor removed.")}
ATTEMPT_DAYS = 30  # the refusals listed beside the floors


def _floor(session: SessionDep, staff: CurrentStaff, floor_id: Id) -> WageFloor:
    return wage_service.get_wage_floor(session=session, floor_id=floor_id)


PageFloor = Annotated[WageFloor, Depends(_floor)]


def _values_from(form: FormData) -> dict[str, Any]:
    return {k: str(form.get(k) or "").strip() for k in ("trade", "district", "daily_wage")}


def _context(session: SessionDep, values: dict[str, Any]) -> dict[str, Any]:
    last = period_service.today()
    period = period_service.period_of(first=last - timedelta(days=ATTEMPT_DAYS - 1), last=last)
    return {
        "floors": wage_service.list_wage_floors(session=session),
        "attempts": wage_service.list_floor_attempts(
            session=session, start=period.start, end=period.end
        ),
        "attempt_days": ATTEMPT_DAYS,
        "values": values,
    }


@router.get("")
def wage_floors(
    request: Request,
    session: SessionDep,
    staff: CurrentStaff,
    ok: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Every floor, the form to set one, and the jobs refused under them lately."""
    context = _context(session, {"trade": "", "district": "", "daily_wage": ""})
    context["notice"] = FLASH.get(ok or "")
    return render(request, "staff/wage_floors.html", context)


@router.post("")
def wage_floor_set(
    request: Request, form: PageForm, staff: CurrentStaff, session: SessionDep
) -> Response:
    """Set the floor of a trade, everywhere or in one district (replacing the one there)."""
    values = _values_from(form)
    try:
        data = WageFloorSet.model_validate(values)
        floor = wage_service.wage_floor_set(session=session, staff=staff, data=data)
    except (ValidationError, DomainError) as exc:
        errors = form_errors(exc, locale_of(request))
        raise FormInvalid("staff/wage_floors.html", _context(session, values), errors) from exc
    return RedirectResponse(f"/staff/wage-floors?ok=saved#floor-{floor.id}", status_code=303)


@router.post("/{floor_id}/delete")
def wage_floor_delete(form: PageForm, floor: PageFloor, session: SessionDep) -> Response:
    """Remove a floor."""
    wage_service.wage_floor_delete(session=session, floor=floor)
    return RedirectResponse("/staff/wage-floors?ok=removed", status_code=303)
