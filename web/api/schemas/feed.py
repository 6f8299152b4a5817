"""Ranked lists as the API shows them: a worker's feed, an employer's candidates."""

from __future__ import annotations

from pydantic import BaseModel

from market.feed.candidates import Candidate
from market.feed.service import FeedItem
from market.jobs.schemas import JobPublic
from web.api.schemas.jobs import job_out
from web.api.schemas.workers import TradeOut, trades_out
from web.i18n import reason_text


class FeedItemOut(BaseModel):
    job: JobPublic
    score: float
    distance_km: float
    reason: str
    my_status: str | None


class FeedOut(BaseModel):
    items: list[FeedItemOut]
    missing: list[str]


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


def feed_item_out(item: FeedItem, locale: str) -> FeedItemOut:
    return FeedItemOut(
        job=item.public or job_out(item.job, item.certificates),
        score=round(item.match.score, 4),
        distance_km=round(item.match.reason.distance_km, 1),
        reason=reason_text(item.match.reason, locale),
        my_status=item.my_status,
    )


def candidate_out(c: Candidate, locale: str) -> CandidateOut:
    return CandidateOut(
        worker_id=c.view.profile.user_id,
        name=c.view.user.name,
        trades=trades_out(c.view),
        certificates=c.view.certificates,
        district=c.view.profile.district,
        distance_km=c.distance_km,
        rating=c.view.rating,
        reliability=c.view.reliability,
        completed=c.view.profile.completed_total,
        score=round(c.match.score, 4),
        reason=reason_text(c.match.reason, locale),
    )
