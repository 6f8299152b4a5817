"""Service stations (驿站): list, add, edit, close."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from market.errors import N_, DomainError
from market.models import Station
from market.stations import assisted as assisted_service
from market.stations import service as station_service
from market.stations.schemas import (
    STATION_SERVICES,
    StationCreate,
    StationStaffCreate,
    StationUpdate,
)
from market.stats import assisted as assisted_stats
from web.deps import CurrentStaff, SessionDep, StationDep
from web.errors.pages import FormInvalid, PageRoute, form_errors
from web.i18n import locale_of
from web.pages import places
from web.pages.deps import PageForm
from web.pages.rendering import render

router = APIRouter(prefix="/staff/stations", route_class=PageRoute)

SERVICE_NAMES = {
    "rest": N_("Rest"),
    "water": N_("Drinking water"),
    "charging": N_("Phone charging"),
    "toilet": N_("Toilet"),
    "heating": N_("Warmth and shade"),
    "meals": N_("Hot meals"),
    "first_aid": N_("First aid"),
    "legal_aid": N_("Legal advice"),
    "training": N_("Skills training"),
    "job_info": N_("Job notices"),
}
FLASH = {
    "added": N_("Station added."),
    "saved": N_("Station saved."),
    "staff": N_("Station staff account made. Give them the phone number and password."),
}
TEXT_FIELDS = ("name", "address", "district", "lat", "lon", "hours", "phone")


def _values_from(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in TEXT_FIELDS}
    values["services"] = [v for v in form.getlist("services") if isinstance(v, str)]
    values["active"] = form.get("active") == "1"
    return values


def _values_of(station: Station) -> dict[str, Any]:
    return {k: getattr(station, k) for k in (*TEXT_FIELDS, "services", "active")}


def _data(values: dict[str, Any]) -> dict[str, Any]:
    """The service's input; a blank position takes the district's centre."""
    data = {k: v for k, v in values.items() if k != "active"}
    place = places.BY_NAME.get(values["district"])
    if not values["lat"] and not values["lon"] and place is not None:
        data.update(lat=place.lat, lon=place.lon)
    return data


def _context(
    session: SessionDep, values: dict[str, Any], editing: Station | None
) -> dict[str, Any]:
    return {
        "stations": station_service.list_stations(session=session),
        "values": values,
        "editing": editing,
        "services": STATION_SERVICES,
        "service_names": SERVICE_NAMES,
        "station_staff": assisted_service.list_station_staff(session=session),
        "placements": assisted_stats.assisted_placements(session=session),
        "staff_values": {},
    }


@router.get("")
def station_list(
    request: Request,
    session: SessionDep,
    staff: CurrentStaff,
    ok: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Every station (closed ones too) and the form to add one."""
    context = _context(session, {"services": [], "active": True}, None)
    context["notice"] = FLASH.get(ok or "")
    return render(request, "staff/stations.html", context)


@router.post("")
def station_add(
    request: Request, form: PageForm, staff: CurrentStaff, session: SessionDep
) -> Response:
    """Add a station."""
    values = _values_from(form)
    try:
        station = station_service.station_create(
            session=session, data=StationCreate.model_validate(_data(values))
        )
    except (ValidationError, DomainError) as exc:
        errors = form_errors(exc, locale_of(request))
        raise FormInvalid("staff/stations.html", _context(session, values, None), errors) from exc
    return RedirectResponse(f"/staff/stations?ok=added#station-{station.id}", status_code=303)


@router.get("/{station_id}")
def station_edit(request: Request, station: StationDep, session: SessionDep) -> Response:
    """The station's form, filled in."""
    context = _context(session, _values_of(station), station)
    return render(request, "staff/stations.html", context)


@router.post("/{station_id}")
def station_save(
    request: Request, form: PageForm, staff: CurrentStaff, station: StationDep, session: SessionDep
) -> Response:
    """Save the changes (untick "open" to close the station)."""
    values = _values_from(form)
    try:
        data = StationUpdate.model_validate({**_data(values), "active": values["active"]})
        station_service.station_update(session=session, station=station, data=data)
    except (ValidationError, DomainError) as exc:
        errors = form_errors(exc, locale_of(request))
        context = _context(session, values, station)
        raise FormInvalid("staff/stations.html", context, errors) from exc
    return RedirectResponse(f"/staff/stations?ok=saved#station-{station.id}", status_code=303)


@router.post("/{station_id}/staff")
def station_staff_add(
    request: Request, form: PageForm, staff: CurrentStaff, station: StationDep, session: SessionDep
) -> Response:
    """Make a station-staff account for this station (they register and help workers)."""
    values = {k: str(form.get(k) or "").strip() for k in ("phone", "name", "password")}
    try:
        data = StationStaffCreate.model_validate(values)
        assisted_service.station_staff_create(session=session, station=station, data=data, by=staff)
    except (ValidationError, DomainError) as exc:
        # the station's own form has name and phone fields too: these errors are the staff form's
        errors = {f"staff_{k}": v for k, v in form_errors(exc, locale_of(request)).items()}
        context = _context(session, _values_of(station), station)
        context["staff_values"] = {**values, "password": ""}
        raise FormInvalid("staff/stations.html", context, errors) from exc
    return RedirectResponse(f"/staff/stations?ok=staff#station-{station.id}", status_code=303)
