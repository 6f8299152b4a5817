"""A worker's feed of jobs, and switching "available now" on or off."""

from __future__ import annotations

import contextlib
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from market.errors import N_, Invalid
from market.feed import views as feed_views
from market.feed.schemas import FeedFilter
from market.learning.impressions import ImpressionLog
from market.workers import service as worker_service
from market.workers.schemas import AvailableNow
from web.deps import CurrentWorker, FeedModelDep, ImpressionsDep, SessionDep
from web.errors.pages import FormInvalid, PageRoute, form_errors
from web.i18n import locale_of
from web.observability import count_matches
from web.pages import places
from web.pages.deps import PageForm
from web.pages.rendering import fields_of, render

router = APIRouter(route_class=PageRoute)

FLASH = {
    "now_on": N_("You are available now: jobs near you come first."),
    "now_off": N_("Switched off. Your usual hours apply again."),
    "saved": N_("Saved. Here are the jobs that fit you."),
}
DISTANCES = (3, 5, 10, 20)
DayQuery = Annotated[str | None, Query(max_length=10)]
TradeQuery = Annotated[str | None, Query(max_length=24)]
KmQuery = Annotated[str | None, Query(max_length=10)]


def _filters(
    day: str | None, trade: str | None, max_km: str | None
) -> tuple[FeedFilter, dict[str, object]]:
    """The feed's filters from the query string; a value that makes no sense is ignored."""
    chosen: dict[str, object] = {"day": day or None, "trade": trade or None, "max_km": None}
    with contextlib.suppress(ValueError):
        chosen["max_km"] = float(max_km) if max_km else None
    try:
        data = FeedFilter.model_validate({k: v for k, v in chosen.items() if v})
    except ValidationError:
        return FeedFilter(), {"day": None, "trade": None, "max_km": None}
    return data, chosen | {"trade": data.trade}  # its code: a name or an alias checks its chip


def _feed_context(
    session: SessionDep,
    worker: CurrentWorker,
    model: FeedModelDep,
    filters: tuple[str | None, str | None, str | None],
    shown: ImpressionLog | None = None,
) -> dict[str, object]:
    data, chosen = _filters(*filters)
    page = feed_views.get_feed_page(
        session=session, worker_id=worker.id or 0, data=data, model=model, shown=shown
    )
    return {**fields_of(page), "chosen": chosen, "distances": DISTANCES}


@router.get("/feed")
def feed(
    request: Request,
    session: SessionDep,
    worker: CurrentWorker,
    model: FeedModelDep,
    shown: ImpressionsDep,
    day: DayQuery = None,
    trade: TradeQuery = None,
    max_km: KmQuery = None,
    ok: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Jobs for me: ranked cards, filters, the available-now switch."""
    context = _feed_context(session, worker, model, (day, trade, max_km), shown)
    count_matches(request, "feed", len(getattr(context["feed"], "items", ())))
    context["flash"] = FLASH.get(ok or "")
    return render(request, "worker/feed.html", context)


@router.get("/feed/cards")
def feed_cards(
    request: Request,
    session: SessionDep,
    worker: CurrentWorker,
    model: FeedModelDep,
    shown: ImpressionsDep,
    day: DayQuery = None,
    trade: TradeQuery = None,
    max_km: KmQuery = None,
) -> Response:
    """Only the list of cards: the page script swaps it in when new jobs arrive."""
    context = _feed_context(session, worker, model, (day, trade, max_km), shown)
    count_matches(request, "feed", len(getattr(context["feed"], "items", ())))
    return render(request, "worker/_feed_list.html", context)


def _available_now(form: PageForm) -> AvailableNow:
    """On from the browser's location or a district's centre, or off."""
    on = form.get("on") == "1"
    values: dict[str, object] = {"on": on}
    lat, lon, district = (str(form.get(k) or "") for k in ("lat", "lon", "district"))
    if on and lat and lon:
        values.update(lat=lat, lon=lon)
    elif on and district in places.BY_NAME:
        place = places.BY_NAME[district]
        values.update(lat=place.lat, lon=place.lon)
    return AvailableNow.model_validate(values)


@router.post("/available-now")
def available_now(
    request: Request, form: PageForm, worker: CurrentWorker, session: SessionDep
) -> Response:
    """Switch "available now" on from here (browser location or a district) or off."""
    try:
        data = _available_now(form)
        worker_service.worker_available_now_set(session=session, worker=worker, data=data)
    except (ValidationError, Invalid) as exc:
        errors = form_errors(exc, locale_of(request))
        context = _feed_context(session, worker, None, (None, None, None))
        raise FormInvalid(
            "worker/feed.html", context, {"now": next(iter(errors.values()))}
        ) from exc
    return RedirectResponse("/feed?ok=" + ("now_on" if data.on else "now_off"), status_code=303)
