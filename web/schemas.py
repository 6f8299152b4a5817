"""What the API returns. Privacy lives here too: contact fields are filled only after a hire."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from market.applications.service import contact_visible
from market.applications.terms import needs_acceptance
from market.feed.service import Candidate, FeedItem, rounded_km
from market.models import Application, Job, User
from market.workers.service import WorkerView
from matching import reasons
from web.i18n import matching_lang


class UserOut(BaseModel):
    id: int
    name: str
    role: str
    phone: str
    locale: str


class AuthOut(BaseModel):
    user: UserOut
    token: str
    csrf_token: str


class TradeOut(BaseModel):
    code: str
    level: int


class WeeklyOut(BaseModel):
    weekday: int
    start: str
    end: str


class DayOut(BaseModel):
    start: datetime
    end: datetime


class WorkerProfileOut(BaseModel):
    """The worker's own profile: only they see their exact home location."""

    id: int
    name: str
    phone: str
    home_lat: float | None
    home_lon: float | None
    district: str
    radius_km: float
    min_wage: int
    trades: list[TradeOut]
    certificates: list[str]
    weekly: list[WeeklyOut]
    days: list[DayOut]
    available_now: bool
    now_until: datetime | None
    reliability: float | None
    rating: float | None


class JobOut(BaseModel):
    id: int
    employer_id: int
    trade: str
    title: str
    description: str
    lat: float
    lon: float
    address: str
    district: str
    start_at: datetime
    end_at: datetime
    headcount: int
    slots_left: int
    wage: int
    instant: bool
    status: str
    certificates: list[str]
    cancel_reason: str | None
    created_at: datetime
    terms_version: int  # goes up when the pay is cut or the place or shift moves


class FeedItemOut(BaseModel):
    job: JobOut
    score: float
    distance_km: float
    reason: str
    my_status: str | None


class FeedOut(BaseModel):
    items: list[FeedItemOut]
    missing: list[str]


class ContactOut(BaseModel):
    name: str
    phone: str


class TermsOut(BaseModel):
    """The terms the worker accepted: what holds, whatever the job says now."""

    wage: int
    start_at: datetime
    end_at: datetime
    address: str
    lat: float
    lon: float
    trade: str
    version: int  # the job's terms version accepted
    accepted_at: datetime
    confirmed_wage: int | None  # the pay at the hire (it only goes up)


class ApplicationOut(BaseModel):
    id: int
    job_id: int
    worker_id: int
    status: str
    created_at: datetime
    decided_at: datetime | None
    cancel_reason: str | None
    cancelled_by: str | None
    agreed: TermsOut


class MyApplicationOut(ApplicationOut):
    job: JobOut
    employer: ContactOut | None  # only once confirmed
    terms_changed: bool  # pending, and the job's terms changed: accept them or withdraw


class ApplicantOut(ApplicationOut):
    terms_changed: bool  # waiting for the worker to accept the job's new terms
    worker_name: str
    distance_km: float | None  # rounded
    contact: ContactOut | None  # only once confirmed


class CandidateOut(BaseModel):
    worker_id: int
    name: str
    trades: list[TradeOut]
    certificates: list[str]
    district: str
    distance_km: float
    rating: float | None
    reliability: float | None
    completed: int
    score: float
    reason: str


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id or 0, name=user.name, role=user.role, phone=user.phone, locale=user.locale
    )


def job_out(job: Job, certificates: list[str]) -> JobOut:
    return JobOut(
        id=job.id or 0,
        employer_id=job.employer_id,
        trade=job.trade,
        title=job.title,
        description=job.description,
        lat=job.lat,
        lon=job.lon,
        address=job.address,
        district=job.district,
        start_at=job.start_at,
        end_at=job.end_at,
        headcount=job.headcount,
        slots_left=job.headcount - job.confirmed_count,
        wage=job.wage,
        instant=job.instant,
        status=job.status,
        certificates=certificates,
        cancel_reason=job.cancel_reason,
        created_at=job.created_at,
        terms_version=job.terms_version,
    )


def _minutes(value: int) -> str:
    return f"{value // 60:02d}:{value % 60:02d}"


def worker_profile_out(view: WorkerView) -> WorkerProfileOut:
    p = view.profile
    return WorkerProfileOut(
        id=p.user_id,
        name=view.user.name,
        phone=view.user.phone,
        home_lat=p.home_lat,
        home_lon=p.home_lon,
        district=p.district,
        radius_km=p.radius_km,
        min_wage=p.min_wage,
        trades=[TradeOut(code=t.trade, level=t.level) for t in view.trades],
        certificates=view.certificates,
        weekly=[
            WeeklyOut(weekday=w.weekday, start=_minutes(w.start_minute), end=_minutes(w.end_minute))
            for w in view.weekly
        ],
        days=[DayOut(start=d.start_at, end=d.end_at) for d in view.days],
        available_now=p.available_now,
        now_until=p.now_until,
        reliability=view.reliability,
        rating=view.rating,
    )


def feed_item_out(item: FeedItem, locale: str) -> FeedItemOut:
    return FeedItemOut(
        job=job_out(item.job, item.certificates),
        score=round(item.match.score, 4),
        distance_km=round(item.match.reason.distance_km, 1),
        reason=reasons.format_reason(item.match.reason, matching_lang(locale)),
        my_status=item.my_status,
    )


def _application_fields(a: Application) -> dict[str, object]:
    return {
        "id": a.id or 0,
        "job_id": a.job_id,
        "worker_id": a.worker_id,
        "status": a.status,
        "created_at": a.created_at,
        "decided_at": a.decided_at,
        "cancel_reason": a.cancel_reason,
        "cancelled_by": a.cancelled_by,
        "agreed": TermsOut(
            wage=a.agreed_wage,
            start_at=a.agreed_start_at,
            end_at=a.agreed_end_at,
            address=a.agreed_address,
            lat=a.agreed_lat,
            lon=a.agreed_lon,
            trade=a.agreed_trade,
            version=a.terms_version,
            accepted_at=a.terms_accepted_at,
            confirmed_wage=a.confirmed_wage,
        ),
    }


def application_out(a: Application) -> ApplicationOut:
    return ApplicationOut.model_validate(_application_fields(a))


def my_application_out(
    a: Application, job: Job, certificates: list[str], employer: User | None
) -> MyApplicationOut:
    contact = (
        ContactOut(name=employer.name, phone=employer.phone)
        if employer is not None and contact_visible(a)
        else None
    )
    return MyApplicationOut(
        **_application_fields(a),
        job=job_out(job, certificates),
        employer=contact,
        terms_changed=needs_acceptance(a, job),
    )


def applicant_out(a: Application, worker: User, job: Job) -> ApplicantOut:
    return ApplicantOut(
        **_application_fields(a),
        terms_changed=needs_acceptance(a, job),
        worker_name=worker.name,
        distance_km=None if a.distance_km is None else rounded_km(a.distance_km),
        contact=ContactOut(name=worker.name, phone=worker.phone) if contact_visible(a) else None,
    )


def candidate_out(c: Candidate, locale: str) -> CandidateOut:
    return CandidateOut(
        worker_id=c.view.profile.user_id,
        name=c.view.user.name,
        trades=[TradeOut(code=t.trade, level=t.level) for t in c.view.trades],
        certificates=c.view.certificates,
        district=c.view.profile.district,
        distance_km=c.distance_km,
        rating=c.view.rating,
        reliability=c.view.reliability,
        completed=c.view.profile.completed_total,
        score=round(c.match.score, 4),
        reason=reasons.format_reason(c.match.reason, matching_lang(locale)),
    )
