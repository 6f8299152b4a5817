"""The job-posting form: its defaults, and its fields read into the service's input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from pydantic import ValidationError
from starlette.datastructures import FormData

from market.errors import N_, DomainError, Invalid
from market.i18n import local, market_tz
from market.jobs.schemas import JobCreate
from market.types import utcnow
from matching import trades as catalogue
from web.errors.pages import form_errors
from web.i18n import trade_name, translate
from web.pages import places

SHIFTS = (
    ("day", N_("Full day"), "08:00", "17:00"),
    ("morning", N_("Morning"), "08:00", "12:00"),
    ("afternoon", N_("Afternoon"), "13:00", "17:00"),
    ("night", N_("Night"), "20:00", "06:00"),
)


# the market's rules for a job's trade, district, wage, start and end (None: not readable)
DomainCheck = Callable[..., list[Invalid]]


class FormErrors(Exception):
    """Several fields' messages, already in the page's language."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


def defaults() -> dict[str, object]:
    """An empty form: a full day tomorrow in the default district, one worker at ¥300."""
    tomorrow = local(utcnow()).date() + timedelta(days=1)
    return {
        "trade": "",
        "title": "",
        "description": "",
        "address": "",
        "district": places.DEFAULT.name,
        "lat": "",
        "lon": "",
        "date": tomorrow.isoformat(),
        "start": "08:00",
        "end": "17:00",
        "headcount": "1",
        "wage": "300",
        "instant": True,
        "certificates": [],
    }


def values_from(form: FormData) -> dict[str, object]:
    """The form as posted, to show again when it is refused."""
    values = defaults()
    for key in values:
        if key in ("instant", "certificates"):
            continue
        raw = form.get(key)
        values[key] = raw.strip() if isinstance(raw, str) else ""
    values["instant"] = form.get("instant") == "1"
    values["certificates"] = [v for v in form.getlist("certificates") if isinstance(v, str)]
    return values


def _shift_of(values: dict[str, object]) -> tuple[datetime, datetime]:
    try:
        day = date.fromisoformat(str(values["date"]))
    except ValueError as exc:
        raise Invalid(N_("Choose the day of the work"), field="start_at") from exc
    try:
        start_t, end_t = (
            time.fromisoformat(str(values["start"])),
            time.fromisoformat(str(values["end"])),
        )
    except ValueError as exc:
        raise Invalid(N_("Give the start and end time, e.g. 08:00"), field="start_at") from exc
    tz = market_tz()
    start = datetime.combine(day, start_t, tzinfo=tz)
    end = datetime.combine(day, end_t, tzinfo=tz)
    if end <= start:  # a night shift ends the next morning
        end += timedelta(days=1)
    return start, end


def _wage_of(values: dict[str, object]) -> int | None:
    try:
        return int(str(values["wage"]))
    except ValueError:
        return None


def job_create(
    values: dict[str, object], locale: str, check: DomainCheck | None = None
) -> JobCreate:
    """The service's input from the form; every field's problem is reported at once.

    `check` adds the market's rules (shift in the future, union wage floor, ...) to the
    form's own, so an employer never fixes one field only to meet the next refusal.
    """
    errors: dict[str, str] = {}
    trade = catalogue.TRADE_BY_CODE.get(str(values["trade"]))
    if trade is None:
        errors["trade"] = translate(locale, N_("Choose the trade you need"))
    shift: tuple[datetime, datetime] | None = None
    try:
        shift = _shift_of(values)
    except Invalid as exc:
        errors.update(form_errors(exc, locale))
    start, end = shift or (utcnow(), utcnow())
    lat, lon = values["lat"], values["lon"]
    if not (lat and lon):
        place = places.BY_NAME.get(str(values["district"]))
        if place is None:
            errors["district"] = translate(locale, N_("Put a pin on the map or choose a district"))
        lat, lon = (place.lat, place.lon) if place else (0.0, 0.0)
    default_title = "" if trade is None else trade_name(trade.code, locale)
    fields = {
        "trade": trade.code if trade else "general",
        "title": values["title"] or default_title or "--",
        "description": values["description"],
        "lat": lat,
        "lon": lon,
        "address": values["address"],
        "district": values["district"],
        "start_at": start,
        "end_at": end,
        "headcount": values["headcount"],
        "wage": values["wage"],
        "instant": values["instant"],
        "certificates": values["certificates"],
    }
    try:
        data = JobCreate.model_validate(fields)
    except ValidationError as exc:
        errors = {**form_errors(exc, locale), **errors}
    if not values["address"]:
        errors["address"] = translate(locale, N_("This field is required"))
    problems: list[Invalid] = []
    if check is not None:
        code = trade.code if trade else None
        start_at, end_at = shift or (None, None)
        district, wage = str(values["district"]), _wage_of(values)
        problems = check(trade=code, district=district, wage=wage, start=start_at, end=end_at)
    for problem in problems:
        for field, message in form_errors(problem, locale).items():
            errors.setdefault(field, message)
    if errors:
        # a refusal's trace (the wage floor's count) rides on the error chain
        traced: DomainError | None = next((p for p in problems if p.trace), None)
        raise FormErrors(errors) from traced
    return data
