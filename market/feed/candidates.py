"""An employer's candidates for a job, ranked: from the replica's read model of the workers
(`market.feed.workers`) when it is ready, else from the database (a box around the job).
New-job alerts rank the same way (`rank_candidates_many`, without loading profiles)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, col, or_, select

from market.feed.readmodel import FeedReadModel
from market.feed.workers import KnownWorker
from market.geo import bounding_box
from market.invites import blocks as block_service
from market.jobs import service as job_service
from market.learning import service as learning_service
from market.models import Application, Job, WorkerProfile, WorkerTrade
from market.settings import get_settings
from market.types import utcnow
from market.workers import service as worker_service
from matching import model as m
from matching import rank as ranking
from matching import trades as catalogue

MAX_CANDIDATE_ROWS = 3000  # rows fetched from a box before ranking (the database path)
EMPLOYER_DISTANCE_STEP_KM = 0.5


@dataclass(frozen=True)
class Candidate:
    view: worker_service.WorkerView
    match: m.Match
    distance_km: float  # rounded: employers never see a worker's exact position


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


def _offered(session: Session, near: dict[int, list[int]], jobs: list[Job]) -> dict[int, list[int]]:
    """Per job id, its `near` workers less who applied (answered under the job's applicants)
    and who is blocked with its employer: two queries for all the jobs."""
    job_ids = [job.id or 0 for job in jobs]
    applied = set(
        session.exec(
            select(Application.job_id, Application.worker_id).where(
                col(Application.job_id).in_(job_ids)
            )
        ).all()
    )
    blocked = block_service.blocked_pairs(
        session=session, user_ids={job.employer_id for job in jobs}
    )
    return {
        job.id or 0: [
            i
            for i in near[job.id or 0]
            if (job.id or 0, i) not in applied and (job.employer_id, i) not in blocked
        ]
        for job in jobs
    }


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
    views = worker_service.list_workers(  # a candidate shows no schedule: none is read
        session=session,
        user_ids=sorted({int(x.worker) for xs in ranked.values() for x in xs}),
        schedule=False,
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
        near = {job.id or 0: _near_in_memory(model, job, nearest) for job in jobs}
        offered = _offered(session, {j: list(ws) for j, ws in near.items()}, jobs)
        as_of_now: dict[int, m.Worker] = {}  # a worker near several jobs is made once
        found = {
            job_id: {
                i: as_of_now.get(i) or as_of_now.setdefault(i, near[job_id][i].at(now)) for i in ids
            }
            for job_id, ids in offered.items()
        }
    else:
        found = _near_in_database(session, jobs, nearest, now)
    _, weights = learning_service.live_weights(session=session)
    certificates = job_service.certificates_by_job(
        session=session, job_ids=[job.id or 0 for job in jobs]
    )
    jobs_m = [
        job_service.matching_job(job, sorted(certificates[job.id or 0]), job.confirmed_count)
        for job in jobs
    ]
    # every worker near any of the jobs once, by id; each job's own in that order
    union = {i: w for workers in found.values() for i, w in workers.items()}
    everyone = sorted(union)
    row = {i: at for at, i in enumerate(everyone)}
    rows = [sorted(row[i] for i in found[job.id or 0]) for job in jobs]
    # among near-equal candidates, those idle longer come first
    lists = ranking.rank_workers_for_jobs(
        jobs_m, [union[i] for i in everyone], rows, k=k, weights=weights
    )
    return {job.id or 0: matches for job, matches in zip(jobs, lists, strict=True)}


def _near_in_database(
    session: Session, jobs: list[Job], nearest: int | None, now: datetime
) -> dict[int, dict[int, m.Worker]]:
    """Per job, the matching view of the offered workers in the box around it."""
    boxes = _offered(
        session, {job.id or 0: _box_worker_ids(session, job, nearest) for job in jobs}, jobs
    )
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
    near = model.fresh_workers().near(
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
