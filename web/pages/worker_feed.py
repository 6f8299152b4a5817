"""A worker's feed of jobs, a job's page with its map, claiming, and "available now"."""

from __future__ import annotations

import contextlib
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from market.applications import service as application_service
from market.errors import N_, Invalid
from market.feed import service as feed_service
from market.feed.schemas import FeedFilter
from market.jobs import service as job_service
from market.models import Station
from market.reports import service as protection_service
from market.stations import service as station_service
from market.types import MAX_ID, utcnow
from market.workers import service as worker_service
from market.workers.schemas import AvailableNow
from matching.geo import haversine_km
from web.deps import JobDep, JobId, SessionDep
from web.errors import locale_of
from web.observability import count_matches
from web.pages import places
from web.pages.deps import PageForm, PageWorker
from web.pages.rendering import render
from web.pages.route import FormInvalid, PageRoute, form_errors

router = APIRouter(route_class=PageRoute)

FLASH = {
    "now_on": N_("You are available now: jobs near you come first."),
    "now_off": N_("Switched off. Your usual hours apply again."),
    "saved": N_("Saved. Here are the jobs that fit you."),
}
DISTANCES = (3, 5, 10, 20)


def _filters(
    day: str | None, trade: str | None, max_km: str | None
) -> tuple[FeedFilter, dict[str, object]]:
    """The feed's filters from the query string; a value that makes no sense is ignored."""
    chosen: dict[str, object] = {"day": day or None, "trade": trade or None, "max_km": None}
    with contextlib.suppress(ValueError):
        chosen["max_km"] = float(max_km) if max_km else None
    try:
        return FeedFilter.model_validate({k: v for k, v in chosen.items() if v}), chosen
    except ValidationError:
        return FeedFilter(), {"day": None, "trade": None, "max_km": None}


DayQuery = Annotated[str | None, Query(max_length=10)]
TradeQuery = Annotated[str | None, Query(max_length=24)]
KmQuery = Annotated[str | None, Query(max_length=10)]
# the job's terms version the page showed: a claim on terms changed since is refused
TermsQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def nearest_stations(
    session: SessionDep, view: worker_service.WorkerView
) -> list[tuple[Station, float]]:
    """The open union stations nearest to where the worker is now (or lives)."""
    p = view.profile
    use_now = p.available_now and p.now_lat is not None and p.now_lon is not None
    lat, lon = (p.now_lat, p.now_lon) if use_now else (p.home_lat, p.home_lon)
    if lat is None or lon is None:
        return []
    return list(station_service.list_nearest_stations(session=session, lat=lat, lon=lon, k=3))


def _feed_context(
    session: SessionDep, worker: PageWorker, day: str | None, trade: str | None, km: str | None
) -> dict[str, object]:
    data, chosen = _filters(day, trade, km)
    feed = feed_service.list_feed(session=session, worker_id=worker.id or 0, data=data)
    view = worker_service.get_worker(session=session, user_id=worker.id or 0)
    p = view.profile
    now_on = bool(p.available_now and p.now_until is not None and p.now_until > utcnow())
    return {
        "feed": feed,
        "view": view,
        "chosen": chosen,
        "distances": DISTANCES,
        "now_on": now_on,
        "stations": nearest_stations(session, view),
    }


@router.get("/feed")
def feed(
    request: Request,
    session: SessionDep,
    worker: PageWorker,
    day: DayQuery = None,
    trade: TradeQuery = None,
    max_km: KmQuery = None,
    ok: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Jobs for me: ranked cards, filters, the available-now switch."""
    context = _feed_context(session, worker, day, trade, max_km)
    count_matches(request, "feed", len(getattr(context["feed"], "items", ())))
    context["flash"] = FLASH.get(ok or "")
    return render(request, "worker/feed.html", context)


@router.get("/feed/cards")
def feed_cards(
    request: Request,
    session: SessionDep,
    worker: PageWorker,
    day: DayQuery = None,
    trade: TradeQuery = None,
    max_km: KmQuery = None,
) -> Response:
    """Only the list of cards: the page script swaps it in when new jobs arrive."""
    context = _feed_context(session, worker, day, trade, max_km)
    count_matches(request, "feed", len(getattr(context["feed"], "items", ())))
    return render(request, "worker/_feed_list.html", context)


def _job_context(
    request: Request, session: SessionDep, worker: PageWorker, job: JobDep
) -> dict[str, object]:
    view = worker_service.get_worker(session=session, user_id=worker.id or 0)
    p = view.profile
    use_now = p.available_now and p.now_lat is not None and p.now_lon is not None
    here = (p.now_lat, p.now_lon) if use_now else (p.home_lat, p.home_lon)
    distance = (
        round(haversine_km(here[0], here[1], job.lat, job.lon), 1)
        if here[0] is not None and here[1] is not None
        else None
    )
    mine = next(
        (
            a
            for a, j, _e in application_service.list_worker_applications(
                session=session, worker_id=worker.id or 0
            )
            if j.id == job.id
        ),
        None,
    )
    return {
        "job": job,
        "certificates": job_service.job_certificates(session=session, job_id=job.id or 0),
        "here": here if distance is not None else None,
        "distance": distance,
        "mine": mine,
        "employer": protection_service.get_employer_reliability(
            session=session, employer_id=job.employer_id
        ),
        "tile_url": request.app.state.settings.tile_url,
    }


@router.get("/jobs/{job_id}")
def job_page(request: Request, job: JobDep, worker: PageWorker, session: SessionDep) -> Response:
    """One job: pay, shift, place on a map, my straight-line distance, claim."""
    return render(request, "worker/job.html", _job_context(request, session, worker, job))


@router.get("/jobs/{job_id}/claim")
def claim_confirm(
    request: Request, job: JobDep, worker: PageWorker, session: SessionDep
) -> Response:
    """Are you sure? (the confirmation for phones without JavaScript)"""
    return render(request, "worker/claim.html", _job_context(request, session, worker, job))


@router.post("/jobs/{job_id}/claim")
def claim(
    job_id: JobId, worker: PageWorker, session: SessionDep, terms: TermsQuery = None
) -> Response:
    """Claim (抢单: hired at once) or apply, on the terms the page showed; then My jobs."""
    result = application_service.application_claim(
        session=session, job_id=job_id, worker=worker, terms_version=terms
    )
    done = "claimed" if result.application.status == "confirmed" else "applied"
    return RedirectResponse(f"/my/jobs?ok={done}#application-{result.application.id}", 303)


@router.post("/available-now")
def available_now(
    request: Request, form: PageForm, worker: PageWorker, session: SessionDep
) -> Response:
    """Switch "available now" on from here (browser location or a district) or off."""
    on = form.get("on") == "1"
    values: dict[str, object] = {"on": on}
    lat, lon, district = (str(form.get(k) or "") for k in ("lat", "lon", "district"))
    if on and lat and lon:
        values.update(lat=lat, lon=lon)
    elif on and district in places.BY_NAME:
        place = places.BY_NAME[district]
        values.update(lat=place.lat, lon=place.lon)
    try:
        if on and "lat" not in values:
            view = worker_service.get_worker(session=session, user_id=worker.id or 0)
            if view.profile.home_lat is None:
                raise Invalid(N_("Share your location or choose your district"), field="now")
        data = AvailableNow.model_validate(values)
        worker_service.worker_available_now_set(session=session, worker=worker, data=data)
    except (ValidationError, Invalid) as exc:
        errors = form_errors(exc, locale_of(request))
        context = _feed_context(session, worker, None, None, None)
        raise FormInvalid(
            "worker/feed.html", context, {"now": next(iter(errors.values()))}
        ) from exc
    return RedirectResponse("/feed?ok=" + ("now_on" if on else "now_off"), status_code=303)
