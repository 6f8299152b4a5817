"""The station's home: its workers, and registering a worker who has no smartphone."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from market.errors import N_, DomainError
from market.stations import assisted as assisted_service
from market.stations import views as station_views
from market.stations.schemas import AssistedRegistration
from web.deps import CurrentStationStaff, SessionDep
from web.errors.pages import FormInvalid, PageRoute, form_errors
from web.i18n import locale_of
from web.pages.deps import PageForm
from web.pages.rendering import render

router = APIRouter(prefix="/station", route_class=PageRoute)


@router.get("")
def station_home(request: Request, staff: CurrentStationStaff, session: SessionDep) -> Response:
    """The workers this station registered, and the button to register one."""
    home = station_views.get_station_home(session=session, staff=staff)
    return render(request, "station/home.html", {"home": home})


@router.get("/workers/new")
def register_form(request: Request, staff: CurrentStationStaff, session: SessionDep) -> Response:
    """Register a worker: phone, name and the worker's consent."""
    station = assisted_service.get_staff_station(session=session, user=staff)
    return render(request, "station/register.html", {"station": station, "values": {}})


@router.post("/workers")
def register(
    request: Request, form: PageForm, staff: CurrentStationStaff, session: SessionDep
) -> Response:
    """Register the worker (with their consent); then fill in their trades and area."""
    values = {k: str(form.get(k) or "").strip() for k in ("phone", "name")}
    consent = form.get("consent") == "1"
    try:
        data = AssistedRegistration.model_validate({**values, "consent": consent})
        worker = assisted_service.assisted_register(session=session, staff=staff, data=data)
    except (ValidationError, DomainError) as exc:
        station = assisted_service.get_staff_station(session=session, user=staff)
        context = {"station": station, "values": {**values, "consent": consent}}
        errors = form_errors(exc, locale_of(request))
        raise FormInvalid("station/register.html", context, errors) from exc
    return RedirectResponse(f"/station/workers/{worker.id}?ok=registered", status_code=303)


OkQuery = Annotated[str | None, Query(max_length=20)]
FLASH = {
    "registered": N_("Registered. Now choose their trades and where they wait for work."),
    "saved": N_("Profile saved."),
    "password": N_("New password set. The worker was told by text message."),
    "claimed": N_("Done: the worker is hired. Print the slip for them."),
    "applied": N_("Applied for the worker. Print the slip; they will get a text when hired."),
}
