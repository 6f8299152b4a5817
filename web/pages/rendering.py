"""Jinja2 set-up for the pages: one environment, per-request helpers bound to the locale."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from babel.dates import format_skeleton
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from market.i18n import local
from market.models import STATUS_LABELS
from market.types import utcnow
from matching import trades as catalogue
from matching.model import Reason
from web.i18n import certificate_name, reason_parts, trade_name, translate
from web.pages import assets, places, speech

WEB_DIR = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = WEB_DIR / "templates"
STATIC_DIR = assets.STATIC_DIR
LANGUAGES = (("zh_CN", "中文"), ("en", "English"))
TEXT_SIZE_COOKIE = "text_size"  # "large": the whole page in bigger type (set on the profile)


def static_url(path: str) -> str:
    """`/static/<path>?v=<content hash>`: cached for a year, refetched when it changes."""
    return assets.url(path)


district_name = speech.district_name


# plain-text glue where a line must not break (works in attributes and translations too)
NBSP = "\u00a0"
WJ = "\u2060"  # word joiner: no break on either side of the dash in "07:00–15:00"


def nowrap(text: str) -> Markup:
    """A token a line must not break inside ("07:00–15:00", "4.4 km", "日薪 240")."""
    return Markup('<span class="nowrap">{}</span>').format(text)


def fields_of(view: Any) -> dict[str, Any]:
    """A market view's fields as template variables (shallow: its rows stay rows)."""
    return {f.name: getattr(view, f.name) for f in dataclasses.fields(view)}


# form posts whose page lives at another address (for the language switch's way back)
POST_TARGETS = {"/available-now": "/feed"}


def _here(request: Request) -> str:
    """The address of the page being shown, for links that come back to it."""
    path = request.url.path
    if request.method != "GET":
        return POST_TARGETS.get(path, path)
    return path + (f"?{request.url.query}" if request.url.query else "")


def _helpers(request: Request) -> dict[str, Any]:
    locale: str = getattr(request.state, "locale", None) or "zh_CN"
    zh = locale.startswith("zh")
    now = utcnow()

    def _(message: str, **params: Any) -> str:
        return translate(locale, message, **params)

    def trade_icon(code: str) -> str:
        trade = catalogue.TRADE_BY_CODE.get(code)
        return "🛠️" if trade is None else trade.icon

    def day(moment: datetime) -> str:
        date = local(moment).date()
        offset = (date - local(now).date()).days
        named = {0: _("Today"), 1: _("Tomorrow"), 2: _("Day after tomorrow")}
        return named.get(offset) or format_skeleton("MMMEd", date, locale=locale)

    def hm(moment: datetime) -> str:
        return local(moment).strftime("%H:%M")

    def shift(start: datetime, end: datetime) -> str:
        overnight = local(end).date() != local(start).date()
        tail = _("(next day)") if overnight else ""
        return f"{day(start)} {hm(start)}{WJ}–{WJ}{hm(end)}{tail}"

    def km(distance: float | None) -> str:
        return "" if distance is None else f"{distance:.1f}{NBSP}km"

    def reason(match_reason: Reason, *, to_worker: bool = True) -> Markup:
        parts = reason_parts(match_reason, locale, to_worker=to_worker)
        # the dot stays at the end of a line, never at the start of the next
        last = len(parts) - 1
        return Markup(" ").join(nowrap(p if i == last else f"{p} ·") for i, p in enumerate(parts))

    def status_label(status: str) -> str:
        return _(STATUS_LABELS.get(status, status))

    def more_url(cursor: str, path: str | None = None) -> str:
        """This list's next page: the same filters, `after` the last row shown."""
        url = request.url.remove_query_params("ok").include_query_params(after=cursor)
        return f"{path or url.path}?{url.query}"

    def speak(job: speech.SpokenJob, distance: float | None) -> str:
        return speech.job_speech(job=job, distance_km=distance, locale=locale, now=now)

    return {
        "_": _,
        "locale": locale,
        "html_lang": "zh-CN" if zh else "en",
        "text_large": request.cookies.get(TEXT_SIZE_COOKIE) == "large",
        "speak": speak,
        "languages": LANGUAGES,
        "user": getattr(request.state, "user", None),
        "csrf_token": getattr(request.state, "csrf_token", None),
        "path": request.url.path,
        "this_page": _here(request),
        "static": static_url,
        "module_script": assets.module_script,
        # catalogue-wide lists; "all_" so they never shadow a route's own variables
        "all_trades": catalogue.TRADES,
        "all_certificates": catalogue.CERTIFICATES,
        "all_places": places.PLACES,
        "trade_name": lambda code: trade_name(code, locale),
        "trade_icon": trade_icon,
        "certificate_name": lambda code: certificate_name(code, locale),
        "district_name": lambda name: district_name(name, locale),
        "day": day,
        "hm": hm,
        "shift": shift,
        "km": km,
        "reason": reason,
        "status_label": status_label,
        "more_url": more_url,
        "money": lambda amount: f"¥{amount:,}",
        "nowrap": nowrap,
        "local": local,
        "now": now,
        "timedelta": timedelta,
    }


templates = Jinja2Templates(directory=TEMPLATE_DIR, context_processors=[_helpers])
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    private: bool = True,
) -> HTMLResponse:
    """Render a page. Pages of a logged-in user are never stored by browsers or proxies.

    A whole page (not a `_partial`) of a logged-in user shows the unread badge: one COUNT.
    """
    context = context or {}
    counter = getattr(request.state, "unread", None)
    if counter is not None and status_code < 400 and not name.rpartition("/")[2].startswith("_"):
        context.setdefault("unread_count", counter())
    # the last live event the replica had dispatched before this page read anything: a new
    # tab's live socket asks for every event after it, so none made while it loads is lost
    context.setdefault("live_seq", getattr(request.state, "live_seq", None))
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["Cache-Control"] = "private, no-store" if private else "no-cache"
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response
