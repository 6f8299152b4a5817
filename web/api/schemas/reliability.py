"""A worker's strikes and appeals, and their standby places, as the API shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from market.models import Job, Standby, StrikeAppeal
from market.reliability.service import (
    CLEAN_SHIFTS_TO_EXPIRE,
    KIND_LABELS,
    OpenAppeal,
    StrikeView,
    WorkerRecord,
)
from web.i18n import translate


class AppealOut(BaseModel):
    id: int
    strike_id: int
    text: str
    status: str  # open, upheld (the strike is voided) or rejected (it stands)
    created_at: datetime
    decided_at: datetime | None
    decision_reason: str


class StrikeOut(BaseModel):
    id: int
    kind: str  # late_cancel or no_show
    why: str  # the rule it broke, in the request's language
    occurred_at: datetime
    hours_before: float | None  # a late call-off: how long before the start
    job_id: int
    job_title: str
    job_start_at: datetime
    state: str  # active, expired (clean shifts) or voided (appeal upheld)
    clean_shifts: int
    clean_shifts_left: int  # until it expires (0 once expired)
    can_appeal: bool
    appeal: AppealOut | None


class RecordOut(BaseModel):
    active_strikes: int
    clean_shifts_to_expire: int  # the rule: a strike expires after this many shifts worked
    strikes: list[StrikeOut]  # newest first


class OpenAppealOut(BaseModel):
    appeal: AppealOut
    strike: StrikeOut
    worker_id: int
    worker_name: str
    active_strikes: int  # the worker's strikes that still count, this one included


class StandbyOut(BaseModel):
    id: int
    job_id: int
    job_title: str
    job_start_at: datetime
    status: str  # waiting, offered, accepted, declined, expired, left or closed
    joined_at: datetime
    offer_deadline: datetime | None  # offered: take the place before this
    application_id: int | None  # accepted: the hire


def appeal_out(a: StrikeAppeal) -> AppealOut:
    return AppealOut(
        id=a.id or 0,
        strike_id=a.strike_id,
        text=a.text,
        status=a.status,
        created_at=a.created_at,
        decided_at=a.decided_at,
        decision_reason=a.decision_reason,
    )


def strike_out(v: StrikeView, locale: str) -> StrikeOut:
    s = v.strike
    return StrikeOut(
        id=s.id or 0,
        kind=s.kind,
        why=translate(locale, KIND_LABELS[s.kind]),
        occurred_at=s.occurred_at,
        hours_before=s.hours_before,
        job_id=v.job.id or 0,
        job_title=v.job.title,
        job_start_at=v.job.start_at,
        state=v.state,
        clean_shifts=v.clean_shifts,
        clean_shifts_left=v.clean_shifts_left,
        can_appeal=v.can_appeal,
        appeal=appeal_out(v.appeal) if v.appeal is not None else None,
    )


def record_out(record: WorkerRecord, locale: str) -> RecordOut:
    return RecordOut(
        active_strikes=record.active,
        clean_shifts_to_expire=CLEAN_SHIFTS_TO_EXPIRE,
        strikes=[strike_out(v, locale) for v in record.strikes],
    )


def open_appeal_out(o: OpenAppeal, locale: str) -> OpenAppealOut:
    return OpenAppealOut(
        appeal=appeal_out(o.appeal),
        strike=strike_out(o.strike, locale),
        worker_id=o.worker.id or 0,
        worker_name=o.worker.name,
        active_strikes=o.active_strikes,
    )


def standby_out(entry: Standby, job: Job) -> StandbyOut:
    return StandbyOut(
        id=entry.id or 0,
        job_id=entry.job_id,
        job_title=job.title,
        job_start_at=job.start_at,
        status=entry.status,
        joined_at=entry.created_at,
        offer_deadline=entry.offer_deadline,
        application_id=entry.application_id,
    )
