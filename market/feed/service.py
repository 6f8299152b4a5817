"""Ranked lists: a worker's feed of jobs and an employer's candidates for a job.

A worker's feed and an employer's candidates are ranked in memory from the replica's read
model of the open jobs and of the workers (`market.feed.readmodel`: what it promises is
written there); without one the database does the spatial pre-selection (an indexed
bounding box around the worker or the job). The matching module applies the hard
constraints and ranks either way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from market.feed.book import Window
from market.feed.candidates import MAX_CANDIDATE_ROWS
from market.feed.readmodel import CachedWorker, FeedReadModel
from market.feed.schemas import FeedFilter
from market.geo import bounding_box
from market.i18n import market_tz
from market.invites import blocks as block_service
from market.jobs import service as job_service
from market.jobs.schemas import JobPublic
from market.learning import impressions as impression_service
from market.learning import service as learning_service
from market.models import Application, Job, JobStatus
from market.settings import get_settings
from market.types import utcnow
from market.work import standing as work_standing
from market.workers import service as worker_service
from matching import model as m
from matching import rank as ranking
from matching import trades as catalogue
from matching.columns import TRADE_INDEX
from matching.score import MarketContext, Weights


@dataclass(frozen=True)
class FeedItem:
    job: Job
    certificates: list[str]
    match: m.Match
    my_status: str | None  # the worker's application status on this job, if any
    employer_unpaid: bool = False  # the employer has an open unpaid-wage case (有未结工钱)
    public: JobPublic | None = None  # the job as the API shows it, when made already


@dataclass(frozen=True)
class Feed:
    items: list[FeedItem]
    missing: list[str]  # what the worker must fill in before a feed can be made


def job_trades_for(worker_trades: set[str]) -> set[str]:
    """Every job trade a worker with these trades may take."""
    return {
        b
        for b in (t.code for t in catalogue.TRADES)
        if any(catalogue.trade_similarity(a, b) > 0 for a in worker_trades)
    }


def _day_range(day: str, now: datetime) -> tuple[datetime, datetime]:
    tz = market_tz()
    today = now.astimezone(tz).date() + timedelta(days=1 if day == "tomorrow" else 0)
    start = datetime(today.year, today.month, today.day, tzinfo=tz)
    return start, start + timedelta(days=1)


@dataclass(frozen=True)
class FeedContext:
    """What a worker's feed reads besides the job book, all of it cached: their entry
    (profile, busy shifts, statuses, blocks), the weights they are ranked by, and the
    employers with an open unpaid-wage case. Read with the login in one transaction, so
    the ranking that follows (`rank_feed`) does no I/O and can run on the event loop."""

    cached: CachedWorker
    weights_id: int | None
    weights: Weights
    unpaid: frozenset[int]


def cached_feed_context(*, key: str, worker_id: int, model: FeedReadModel) -> FeedContext | None:
    """`feed_context` from the caches alone, when every part is there and fresh (no I/O);
    `key` names the database (`learning_service.cache_key`). None: `feed_context` reads."""
    cached, unpaid = model.cached_worker(worker_id), model.cached_unpaid()
    weights = learning_service.cached_weights(key, worker_id)
    if cached is None or unpaid is None or weights is None:
        return None
    return FeedContext(cached=cached, weights_id=weights[0], weights=weights[1], unpaid=unpaid)


def feed_context(*, session: Session, worker_id: int, model: FeedReadModel) -> FeedContext:
    weights_id, weights = _weights_for(session, worker_id)
    return FeedContext(
        cached=model.worker(session=session, worker_id=worker_id),
        weights_id=weights_id,
        weights=weights,
        unpaid=model.unpaid_employers(session=session),
    )


def list_feed(
    *,
    session: Session,
    worker_id: int,
    data: FeedFilter,
    now: datetime | None = None,
    model: FeedReadModel | None = None,
    shown: impression_service.ImpressionLog | None = None,
) -> Feed:
    """Open jobs that fit the worker, best first, with the reason each fits.

    With a ready read model the jobs come from memory (see `market.feed.readmodel` for
    what that promises); otherwise from the database. Ranked by the live weights, a few
    adjacent cards swapped at random, the first page logged in `shown` (market.learning).
    """
    if model is None or not model.ready:
        return list_feed_from_database(
            session=session, worker_id=worker_id, data=data, now=now, shown=shown
        )
    context = feed_context(session=session, worker_id=worker_id, model=model)
    return rank_feed(
        context=context, worker_id=worker_id, data=data, model=model, now=now, shown=shown
    )


def rank_feed(
    *,
    context: FeedContext,
    worker_id: int,
    data: FeedFilter,
    model: FeedReadModel,
    now: datetime | None = None,
    shown: impression_service.ImpressionLog | None = None,
) -> Feed:
    """`list_feed` from the read model, once its context is read: in memory, no I/O."""
    now = now or utcnow()
    cached = context.cached
    worker: m.Worker | None
    if cached.known is not None:  # in the workers book: located, with a trade
        worker, missing = replace(cached.known.at(now), idle_days=0), []
    else:
        assert cached.view is not None
        busy = [shift for shift in cached.busy if shift[1] > now]
        worker = worker_service.matching_worker(cached.view, now=now, busy=busy)
        missing = _missing_for_feed(cached.view)
    if worker is None:
        return Feed(items=[], missing=missing)
    worker = _within_reach(worker, data)
    window = Window(
        after=now.timestamp(),
        trades=None if data.trade is None else frozenset({TRADE_INDEX.get(data.trade, -1)}),
        employers_out=cached.blocked,
    )
    if data.day is not None:
        start, end = _day_range(data.day, now)
        window = replace(window, since=start.timestamp(), before=end.timestamp())
    ranked = model.book.rank(worker, k=data.limit, window=window, weights=context.weights)
    made = {match.job: model.shown(entry) for match, entry in ranked}
    listed = {match.job: list(entry.certificates) for match, entry in ranked}
    matches = _explored(shown, worker_id, [match for match, _ in ranked], now, context.weights_id)
    items = [
        FeedItem(
            job=made[x.job][0],
            certificates=listed[x.job],
            match=x,
            my_status=cached.statuses.get(int(x.job)),
            employer_unpaid=made[x.job][0].employer_id in context.unpaid,
            public=made[x.job][1],
        )
        for x in matches
    ]
    return Feed(items=items, missing=missing)


def _weights_for(session: Session, worker_id: int) -> tuple[int | None, Weights]:
    """The live weights version's id and the weights the worker's feed ranks by."""
    weights_id, market = learning_service.live_weights(session=session)
    return weights_id, learning_service.worker_weights(
        session=session, worker_id=worker_id, market=market
    )


def _explored(
    shown: impression_service.ImpressionLog | None,
    worker_id: int,
    matches: list[m.Match],
    now: datetime,
    weights_id: int | None,
) -> list[m.Match]:
    return impression_service.feed_shown(
        log=shown,
        worker_id=worker_id,
        matches=matches,
        now=now,
        weights_id=weights_id,
        epsilon=get_settings().learn_explore,
    )


def _within_reach(worker: m.Worker, data: FeedFilter) -> m.Worker:
    """The worker with the radius the feed searches: theirs, the filter's, the cap."""
    radius = min(
        worker.radius_km, data.max_km or worker.radius_km, get_settings().feed_radius_cap_km
    )
    return replace(worker, radius_km=radius)


def list_feed_from_database(
    *,
    session: Session,
    worker_id: int,
    data: FeedFilter,
    now: datetime | None = None,
    shown: impression_service.ImpressionLog | None = None,
) -> Feed:
    """`list_feed` read from the database: open jobs in a box around the worker.

    The reference the read model is checked against, and the path taken while it is not
    ready. Its cost grows with the jobs in the box, and past MAX_CANDIDATE_ROWS (taken in
    start order) nearer jobs can be cut off.
    """
    now = now or utcnow()
    view = worker_service.get_worker(session=session, user_id=worker_id)
    missing = _missing_for_feed(view)
    busy = worker_service.busy_windows(session=session, worker_ids=[worker_id], now=now)
    worker = worker_service.matching_worker(view, now=now, busy=busy[worker_id])
    if worker is None:
        return Feed(items=[], missing=missing)
    worker = _within_reach(worker, data)
    radius = worker.radius_km
    lat0, lat1, lon0, lon1 = bounding_box(worker.lat, worker.lon, radius)
    trades = job_trades_for({t.code for t in worker.trades})
    if data.trade is not None:
        trades &= {data.trade}
    query = select(Job).where(
        Job.status == JobStatus.open,
        col(Job.hidden_reason).is_(None),  # taken down by union staff
        col(Job.start_at) > now,
        col(Job.trade).in_(sorted(trades)),
        col(Job.lat).between(lat0, lat1),
        col(Job.lon).between(lon0, lon1),
    )
    if data.day is not None:
        start, end = _day_range(data.day, now)
        query = query.where(col(Job.start_at) >= start, col(Job.start_at) < end)
    blocked = block_service.blocked_with(session=session, user_id=worker_id)
    if blocked:  # the employers the worker blocked, or who blocked them
        query = query.where(col(Job.employer_id).notin_(sorted(blocked)))
    rows = session.exec(query.order_by(col(Job.start_at)).limit(MAX_CANDIDATE_ROWS)).all()
    certificates = job_service.certificates_by_job(
        session=session, job_ids=[j.id for j in rows if j.id is not None]
    )
    jobs_m = [job_service.matching_job(j, certificates[j.id or 0], j.confirmed_count) for j in rows]
    weights_id, weights = _weights_for(session, worker_id)
    market = _competition(session, [j.id or 0 for j in rows])
    matches = ranking.rank_jobs_for_worker(
        worker, jobs_m, k=data.limit, market=market, weights=weights
    )
    matches = _explored(shown, worker_id, matches, now, weights_id)
    by_id = {str(j.id): j for j in rows}
    listed = {job_id: certificates[int(job_id)] for job_id in by_id}
    return Feed(items=_items(session, worker_id, matches, by_id, listed), missing=missing)


def _items(
    session: Session,
    worker_id: int,
    matches: list[m.Match],
    jobs: dict[str, Job],
    certificates: dict[str, list[str]],
) -> list[FeedItem]:
    """The ranked matches as feed items: the worker's own status, the employer's standing."""
    mine = dict(
        session.exec(
            select(Application.job_id, Application.status).where(
                Application.worker_id == worker_id,
                col(Application.job_id).in_([int(x.job) for x in matches]),
            )
        ).all()
    )
    unpaid = work_standing.employers_in_arrears(
        session=session, employer_ids=[jobs[x.job].employer_id for x in matches]
    )
    return [
        FeedItem(
            job=jobs[x.job],
            certificates=certificates[x.job],
            match=x,
            my_status=mine.get(int(x.job)),
            employer_unpaid=jobs[x.job].employer_id in unpaid,
        )
        for x in matches
    ]


def _competition(session: Session, job_ids: list[int]) -> MarketContext:
    """How contested each job already is: its pending applicants, from the live market.

    The ranker leans a worker away from jobs others are already queuing for (their own
    best job stays near the top), so one popular job does not draw the whole feed.
    """
    pending = dict(
        session.exec(
            select(Application.job_id, func.count())
            .where(col(Application.job_id).in_(job_ids), Application.status == "applied")
            .group_by(col(Application.job_id))
        ).all()
    )
    return MarketContext(job_demand={str(job_id): float(n) for job_id, n in pending.items()})


def _missing_for_feed(view: worker_service.WorkerView) -> list[str]:
    p = view.profile
    missing = []
    if not view.trades:
        missing.append("trades")
    if (p.home_lat is None or p.home_lon is None) and not (p.available_now and p.now_lat):
        missing.append("location")
    return missing
