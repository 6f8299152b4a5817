"""Reading the work record's forms (check-in, corrections, payments, disputes) into the
services' input shapes. Times are typed in the market's local time."""

from __future__ import annotations

from datetime import date, datetime, time

from pydantic import ValidationError
from starlette.datastructures import FormData

from market.errors import N_, Invalid
from market.i18n import market_tz
from market.work.schemas import (
    AnswerCreate,
    AttendanceCorrection,
    CheckIn,
    PaymentCreate,
    PaymentDispute,
)


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _number(form: FormData, name: str) -> str | None:
    return text(form, name) or None


def local_moment(day: str, clock: str, field: str) -> datetime:
    """A local day ("2026-12-01") and clock time ("08:30") as an aware moment."""
    try:
        return datetime.combine(
            date.fromisoformat(day), time.fromisoformat(clock), tzinfo=market_tz()
        )
    except ValueError as exc:
        raise Invalid(N_("Give the day and the time, e.g. 08:00"), field=field) from exc


def check_in_of(form: FormData) -> CheckIn:
    """The worker's code and, when they allowed it, the phone's position."""
    values: dict[str, object] = {"code": text(form, "code"), "scanned": form.get("scanned") == "1"}
    if form.get("share_place") == "1":
        values.update(
            lat=_number(form, "lat"), lon=_number(form, "lon"), accuracy_m=_number(form, "accuracy")
        )
    try:
        return CheckIn.model_validate(values)
    except ValidationError:  # a broken position never blocks a check-in: drop it
        return CheckIn.model_validate({"code": values["code"], "scanned": values["scanned"]})


def employer_check_of(form: FormData) -> CheckIn:
    """The employer's entry for a worker: when it happened (now, when left empty)."""
    clock = text(form, "time")
    return CheckIn(at=local_moment(text(form, "day"), clock, "time") if clock else None)


def correction_of(form: FormData) -> AttendanceCorrection:
    kind = text(form, "kind")
    at = local_moment(text(form, "day"), text(form, "time"), "time")
    return AttendanceCorrection.model_validate({"kind": kind, "at": at, "note": text(form, "note")})


def payment_of(form: FormData) -> PaymentCreate:
    clock, day = text(form, "time"), text(form, "day")
    values: dict[str, object] = {
        "amount": text(form, "amount"),
        "method": text(form, "method"),
        "note": text(form, "note"),
    }
    if day:
        values["paid_at"] = local_moment(day, clock or "12:00", "paid_at")
    return PaymentCreate.model_validate(values)


def dispute_of(form: FormData) -> PaymentDispute:
    return PaymentDispute.model_validate(
        {"received": text(form, "received"), "note": text(form, "note")}
    )


def answer_of(form: FormData) -> tuple[str, AnswerCreate]:
    """The other side's answer to an entry: its verdict (confirmed unless disputed) and note."""
    verdict = "disputed" if form.get("verdict") == "disputed" else "confirmed"
    return verdict, AnswerCreate(note=text(form, "note")[:200])
