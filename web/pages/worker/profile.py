"""A worker's profile: trade tiles, certificates, where (radius, district or GPS), when, wage."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData

from market.errors import N_, Invalid
from market.membership import service as membership_service
from market.models import User
from market.workers import identity as identity_service
from market.workers import service as worker_service
from market.workers import views as worker_views
from market.workers.schemas import WorkerProfileUpdate
from web.deps import CurrentWorker, SessionDep
from web.errors.pages import FormInvalid, PageRoute, form_errors
from web.i18n import locale_of
from web.pages import places
from web.pages.deps import PageForm
from web.pages.rendering import render

router = APIRouter(route_class=PageRoute)

RADII = (3, 5, 10, 20, 50)
WEEKDAYS = (
    N_("Mon"),
    N_("Tue"),
    N_("Wed"),
    N_("Thu"),
    N_("Fri"),
    N_("Sat"),
    N_("Sun"),
)
MEMBERSHIP_FLASH = {
    "union": N_("Application sent. Union staff will look at it soon."),
    "identity": N_("Your legal name and ID number are saved."),
}


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def values_of(view: worker_service.WorkerView) -> dict[str, object]:
    p = view.profile
    weekly = view.weekly
    return {
        "name": view.user.name,
        "trades": [t.trade for t in view.trades],
        "certificates": list(view.certificates),
        "radius_km": int(p.radius_km),
        "min_wage": p.min_wage,
        "days": sorted({w.weekday for w in weekly}),
        "start": _hhmm(min((w.start_minute for w in weekly), default=7 * 60)),
        "end": _hhmm(max((w.end_minute for w in weekly), default=19 * 60)).replace(
            "24:00", "23:59"
        ),
        "district": p.district,
        "home_lat": p.home_lat,
        "home_lon": p.home_lon,
    }


def values_from(form: FormData) -> dict[str, object]:
    def text(key: str) -> str:
        value = form.get(key)
        return value.strip() if isinstance(value, str) else ""

    return {
        "name": text("name"),
        "trades": [v for v in form.getlist("trades") if isinstance(v, str)],
        "certificates": [v for v in form.getlist("certificates") if isinstance(v, str)],
        "radius_km": text("radius_km"),
        "min_wage": text("min_wage") or "0",
        "days": [int(v) for v in form.getlist("days") if isinstance(v, str) and v.isdigit()],
        "start": text("start"),
        "end": text("end"),
        "district": text("district"),
        "home_lat": text("home_lat"),
        "home_lon": text("home_lon"),
    }


def update_of(values: dict[str, object], levels: dict[str, int]) -> WorkerProfileUpdate:
    """The service's input from the form; a trade already held keeps its level."""
    trades = values["trades"]
    assert isinstance(trades, list)
    if not trades:
        raise Invalid(N_("Choose at least one trade"), field="trades")
    days = values["days"]
    assert isinstance(days, list)
    if not days:
        raise Invalid(N_("Choose at least one day"), field="days")
    data: dict[str, object] = {
        "name": values["name"],
        "trades": [{"code": t, "level": levels.get(str(t), 1)} for t in trades],
        "certificates": values["certificates"],
        "radius_km": values["radius_km"],
        "min_wage": values["min_wage"],
        "weekly": [{"weekday": d, "start": values["start"], "end": values["end"]} for d in days],
    }
    district = str(values["district"])
    if values["home_lat"] and values["home_lon"]:
        data.update(home_lat=values["home_lat"], home_lon=values["home_lon"])
    elif district in places.BY_NAME:
        place = places.BY_NAME[district]
        data.update(home_lat=place.lat, home_lon=place.lon)
    else:
        raise Invalid(N_("Share your location or choose your district"), field="district")
    data["district"] = district
    return WorkerProfileUpdate.model_validate(data)


def profile_save_values(
    session: Session, worker: User, view: worker_service.WorkerView, values: dict[str, object]
) -> None:
    """Save the profile form's values (the worker's own page and the station's page for them)."""
    data = update_of(values, {t.trade: t.level for t in view.trades})
    worker_service.worker_profile_update(session=session, worker=worker, data=data)


def _context(
    values: dict[str, object], welcome: bool, page: worker_views.ProfilePage
) -> dict[str, object]:
    return {
        "values": values,
        "radii": RADII,
        "weekdays": WEEKDAYS,
        "welcome": welcome,
        "membership": page.membership,
        "stations": page.stations,
        "identity": _identity_values(page.identity),
    }


def _identity_values(identity: identity_service.Identity | None) -> dict[str, str]:
    """The identity form's fields: the full number, on this one form only."""
    if identity is None:
        return {"legal_name": "", "id_number": "", "masked": ""}
    return {
        "legal_name": identity.legal_name,
        "id_number": identity.id_number,
        "masked": identity.masked,
    }


@router.get("/profile")
def profile_form(
    request: Request,
    worker: CurrentWorker,
    session: SessionDep,
    welcome: Annotated[bool, Query()] = False,
    ok: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """My trades, certificates, area, hours and lowest day wage; joining the union."""
    page = worker_views.get_profile_page(session=session, worker_id=worker.id or 0)
    context = _context(values_of(page.view), welcome, page)
    context["flash"] = MEMBERSHIP_FLASH.get(ok or "")
    return render(request, "worker/profile.html", context)


@router.post("/profile")
def profile_save(
    request: Request, form: PageForm, worker: CurrentWorker, session: SessionDep
) -> Response:
    """Save the profile and show the jobs that now fit."""
    values = values_from(form)
    page = worker_views.get_profile_page(session=session, worker_id=worker.id or 0)
    try:
        profile_save_values(session, worker, page.view, values)
    except (ValidationError, Invalid) as exc:
        errors = form_errors(exc, locale_of(request))
        welcome = form.get("welcome") == "1"
        raise FormInvalid("worker/profile.html", _context(values, welcome, page), errors) from exc
    return RedirectResponse("/feed?ok=saved", status_code=303)


@router.post("/profile/identity")
def identity_save(
    request: Request, form: PageForm, worker: CurrentWorker, session: SessionDep
) -> Response:
    """Give or change my legal name and ID number (for evidence sheets and legal aid)."""
    legal_name, id_number = form.get("legal_name"), form.get("id_number")
    try:
        identity_service.identity_set(
            session=session,
            worker=worker,
            legal_name=legal_name if isinstance(legal_name, str) else "",
            id_number=id_number if isinstance(id_number, str) else "",
        )
    except Invalid as exc:
        page = worker_views.get_profile_page(session=session, worker_id=worker.id or 0)
        context = _context(values_of(page.view), False, page)
        context["identity"] = {
            "legal_name": legal_name if isinstance(legal_name, str) else "",
            "id_number": id_number if isinstance(id_number, str) else "",
            "masked": context["identity"]["masked"],  # type: ignore[index]
        }
        errors = form_errors(exc, locale_of(request))
        raise FormInvalid("worker/profile.html", context, errors) from exc
    return RedirectResponse("/profile?ok=identity#identity", status_code=303)


@router.post("/profile/union")
def union_apply(worker: CurrentWorker, session: SessionDep) -> Response:
    """Apply to join the trade union (staff approve or reject)."""
    membership_service.membership_apply(session=session, worker=worker)
    return RedirectResponse("/profile?ok=union#union", status_code=303)
