"""Input shapes of the work record: check-in and out, corrections, payments, answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, Field, model_validator

from market.errors import N_
from market.fields import Latitude, Longitude, Strict
from market.work.models import MAX_PAYMENT

Note = Field(default="", max_length=200)


def _recent(moment: datetime) -> datetime:
    """A moment of the work record: this century (a year 1 or 9999 is a typing mistake,
    and beyond the calendar once moved to the market's time zone)."""
    if not 2000 <= moment.year <= 2100:
        raise ValueError(N_("Give a date and time like 2026-12-01T08:00:00+08:00"))
    return moment


Moment = Annotated[AwareDatetime, AfterValidator(_recent)]
MAX_ACCURACY_M = 1_000_000  # a fix this poor is still kept; beyond it the value is nonsense


class Place(Strict):
    """Where the phone was, when the worker allowed it: kept as evidence, never required."""

    lat: Latitude | None = None
    lon: Longitude | None = None
    accuracy_m: float | None = Field(default=None, ge=0, le=MAX_ACCURACY_M, allow_inf_nan=False)

    @model_validator(mode="after")
    def _both_or_neither(self) -> Place:
        if (self.lat is None) != (self.lon is None):
            raise ValueError(N_("Give both lat and lon"))
        return self


class CheckIn(Place):
    """A worker on the site: the day's code from the employer's phone, typed or scanned.

    The employer records a check-in or out for a worker without a phone: no code, and
    optionally the time it happened (default: now)."""

    code: str | None = Field(default=None, max_length=20, description="the day's 6-digit code")
    at: Moment | None = Field(default=None, description="employer only: when it happened")
    scanned: bool = Field(default=False, description="the code came from the QR code")


class AttendanceCorrection(Strict):
    """A recorded time put right; the other side confirms or disputes it."""

    kind: Literal["check_in", "check_out"]
    at: Moment
    note: str = Field(min_length=1, max_length=200, description="why the recorded time is wrong")


class PaymentCreate(Strict):
    amount: int = Field(ge=1, le=MAX_PAYMENT, description="whole yuan")
    method: Literal["cash", "wechat", "alipay", "bank"]
    paid_at: Moment | None = Field(default=None, description="when it was paid (now)")
    note: str = Note


class PaymentDispute(Strict):
    received: int = Field(ge=0, le=MAX_PAYMENT, description="what the worker actually received")
    note: str = Note


class AnswerCreate(Strict):
    note: str = Note


class HoldCreate(Strict):
    reason: str = Field(default="", max_length=200, description="shown in the moderation log")
