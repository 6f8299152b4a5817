"""Ranked lists: a worker's feed of jobs and an employer's candidates for a job.

A worker's feed and an employer's candidates are ranked in memory from the replica's read
model of the open jobs and of the workers (`market.feed.readmodel`: what it promises is
written there); without one the database does the spatial pre-selection (an indexed
bounding box around the worker or the job). The matching module applies the hard
constraints and ranks either way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from market.feed.book import Window
from market.feed.readmodel import FeedReadModel, job_of
from market.feed.schemas import FeedFilter
from market.feed.workers import KnownWorker
from market.geo import bounding_box
from market.i18n import market_tz
from market.invites import blocks as block_service
from market.jobs import service as job_service
from market.learning import impressions as impression_service
from market.learning import service as learning_service
from market.models import Application, Job, JobStatus, WorkerProfile, WorkerTrade
from market.settings import get_settings
from market.types import utcnow
from market.work import standing as work_standing
from market.workers import service as worker_service
from matching import model as m
from matching import rank as ranking
from matching import trades as catalogue
from matching.columns import TRADE_INDEX
from matching.score import MarketContext, Weights

MAX_CANDIDATE_ROWS = 3000  # rows fetched from the box before ranking; the nearest come first
EMPLOYER_DISTANCE_STEP_KM = 0.5


@dataclass(frozen=True)
class FeedItem:
    job: Job
    certificates: list[str]
    match: m.Match
    my_status: str | None  # the worker's application status on this job, if any
    employer_unpaid: bool = False  # the employer has an open unpaid-wage case (有未结工钱)


@dataclass(frozen=True)
class Feed:
    items: list[FeedItem]
    missing: list[str]  # what the worker must fill in before a feed can be made


@dataclass(frozen=True)
class Candidate:
    view: worker_service.WorkerView
    match: m.Match
    distance_km: float  # rounded: employers never see a worker's exact position


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
    now = now or utcnow()
    cached = model.worker(session=session, worker_id=worker_id)
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
    weights_id, weights = _weights_for(session, worker_id)
    ranked = model.book.rank(worker, k=data.limit, window=window, weights=weights)
    jobs = {match.job: job_of(entry) for match, entry in ranked}
    listed = {match.job: list(entry.certificates) for match, entry in ranked}
    matches = _explored(shown, worker_id, [match for match, _ in ranked], now, weights_id)
    unpaid = model.unpaid_employers(session=session)
    items = [
        FeedItem(
            job=jobs[x.job],
            certificates=listed[x.job],
            match=x,
            my_status=cached.statuses.get(int(x.job)),
            employer_unpaid=jobs[x.job].employer_id in unpaid,
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


def list_candidates(
    *,
    session: Session,
    job: Job,
    k: int = 20,
    now: datetime | None = None,
    model: FeedReadModel | None = None,
) -> list[Candidate]:
    """Workers who could take the job, best first, without their exact location."""
    found = list_candidates_many(session=session, jobs=[job], k=k, now=now, model=model)
    return found[job.id or 0]


def _box_worker_ids(session: Session, job: Job, nearest: int | None) -> list[int]:
    """Workers of a trade that can do the job, living in the box of the farthest reach;
    with `nearest`, only that many, the nearest first among those the pay suits."""
    cap = get_settings().feed_radius_cap_km
    lat0, lat1, lon0, lon1 = bounding_box(job.lat, job.lon, cap)
    can_do = (
        select(WorkerTrade.worker_id)
        .where(
            col(WorkerTrade.worker_id) == col(WorkerProfile.user_id),
            col(WorkerTrade.trade).in_(sorted(catalogue.trades_that_can_do(job.trade))),
        )
        .exists()
    )
    query = (
        select(WorkerProfile.user_id)
        .where(
            can_do,
            or_(
                col(WorkerProfile.home_lat).between(lat0, lat1)
                & col(WorkerProfile.home_lon).between(lon0, lon1),
                col(WorkerProfile.now_lat).between(lat0, lat1)
                & col(WorkerProfile.now_lon).between(lon0, lon1),
            ),
        )
        .limit(nearest or MAX_CANDIDATE_ROWS)
    )
    if nearest is not None:
        squash = math.cos(math.radians(job.lat)) ** 2  # a degree of longitude is shorter
        dlat = col(WorkerProfile.home_lat) - job.lat
        dlon = col(WorkerProfile.home_lon) - job.lon
        query = query.where(col(WorkerProfile.min_wage) <= job.wage).order_by(
            dlat * dlat + dlon * dlon * squash, col(WorkerProfile.user_id)
        )
    return list(session.exec(query).all())


def _offered(session: Session, job: Job, ids: list[int]) -> list[int]:
    """`ids` less who applied (answered under the job's applicants) and who is blocked."""
    taken = set(
        session.exec(select(Application.worker_id).where(Application.job_id == job.id)).all()
    ) | block_service.blocked_with(session=session, user_id=job.employer_id, others=ids)
    return [i for i in ids if i not in taken]


def list_candidates_many(
    *,
    session: Session,
    jobs: list[Job],
    k: int = 20,
    now: datetime | None = None,
    nearest: int | None = None,
    model: FeedReadModel | None = None,
) -> dict[int, list[Candidate]]:
    """`list_candidates` of several jobs, each worker loaded once; with `nearest`, ranked
    among only that many nearest workers of each job whose minimum pay it meets. With a
    ready read model the workers come from memory, else from the database (the reference:
    a box around the job, at most MAX_CANDIDATE_ROWS of it)."""
    ranked = rank_candidates_many(
        session=session, jobs=jobs, k=k, now=now, nearest=nearest, model=model
    )
    views = worker_service.list_workers(
        session=session, user_ids=sorted({int(x.worker) for xs in ranked.values() for x in xs})
    )
    return {
        job_id: [
            Candidate(
                view=views[int(x.worker)],
                match=replace(
                    x, reason=replace(x.reason, distance_km=rounded_km(x.reason.distance_km))
                ),
                distance_km=rounded_km(x.reason.distance_km),
            )
            for x in matches
            if int(x.worker) in views
        ]
        for job_id, matches in ranked.items()
    }


def rank_candidates_many(
    *,
    session: Session,
    jobs: list[Job],
    k: int = 20,
    now: datetime | None = None,
    nearest: int | None = None,
    model: FeedReadModel | None = None,
) -> dict[int, list[m.Match]]:
    """By job id, the ranked matches of `list_candidates_many`, without loading the workers'
    profiles (new-job alerts only need whom to tell)."""
    now = now or utcnow()
    if model is not None and model.ready:
        found = {}
        as_of_now: dict[int, m.Worker] = {}  # a worker near several jobs is made once
        for job in jobs:
            near = _near_in_memory(model, job, nearest)
            found[job.id or 0] = {
                i: as_of_now.get(i) or as_of_now.setdefault(i, near[i].at(now))
                for i in _offered(session, job, list(near))
            }
    else:
        found = _near_in_database(session, jobs, nearest, now)
    _, weights = learning_service.live_weights(session=session)
    ranked = {}
    for job in jobs:
        certificates = job_service.job_certificates(session=session, job_id=job.id or 0)
        job_m = job_service.matching_job(job, certificates, job.confirmed_count)
        near_job = [w for _, w in sorted(found[job.id or 0].items())]
        # among near-equal candidates, those idle longer come first
        ranked[job.id or 0] = ranking.rank_workers_for_job(job_m, near_job, k=k, weights=weights)
    return ranked


def _near_in_database(
    session: Session, jobs: list[Job], nearest: int | None, now: datetime
) -> dict[int, dict[int, m.Worker]]:
    """Per job, the matching view of the offered workers in the box around it."""
    boxes = {
        job.id or 0: _offered(session, job, _box_worker_ids(session, job, nearest)) for job in jobs
    }
    ids = sorted({i for found in boxes.values() for i in found})
    views = worker_service.list_workers(session=session, user_ids=ids)
    busy = worker_service.busy_windows(session=session, worker_ids=ids, now=now)
    idle = worker_service.idle_days(session=session, worker_ids=ids, now=now)
    workers = {
        user_id: w
        for user_id, v in views.items()
        if (
            w := worker_service.matching_worker(
                v, now=now, busy=busy[user_id], idle=idle.get(user_id, 0)
            )
        )
    }
    return {job_id: {i: workers[i] for i in box if i in workers} for job_id, box in boxes.items()}


def _near_in_memory(model: FeedReadModel, job: Job, nearest: int | None) -> dict[int, KnownWorker]:
    """The workers whose radius reaches the job, from the read model, nearest first: all of
    them within the search's reach, or the `nearest` whose minimum pay the job meets."""
    near = model.workers.near(
        lat=job.lat,
        lon=job.lon,
        reach_km=get_settings().feed_radius_cap_km,
        trades=frozenset(catalogue.trades_that_can_do(job.trade)),
        paying=None if nearest is None else job.wage,
    )
    if nearest is not None:
        near = near[:nearest]
    return {int(w.model.id): w for _, w in near}


def rounded_km(km: float) -> float:
    """A distance an employer may see: to the half kilometre, never below 0.5."""
    step = EMPLOYER_DISTANCE_STEP_KM
    return max(step, round(km / step) * step)
