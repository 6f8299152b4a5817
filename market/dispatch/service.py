"""Morning dispatch: the matching module's batch assignment over one day's open jobs.

Staff pick a local date and (optionally) a district; `plan_dispatch` is a dry run. Sending
records one proposal per assignment; the worker's accept goes through the normal claim and
confirm path (`market.applications`), so slot counting, certificates and the no-clash rule
hold exactly as for any other hire. Workers holding an open proposal for the day, and
slots held by open proposals, are left out of later plans for that day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from market.applications import service as application_service
from market.errors import N_, Conflict, NotFound
from market.events.service import event_record
from market.geo import bounding_box
from market.i18n import market_tz
from market.jobs import service as job_service
from market.models import (
    Application,
    ApplicationStatus,
    DispatchProposal,
    Job,
    JobStatus,
    ProposalStatus,
    User,
    WorkerProfile,
    WorkerTrade,
)
from market.settings import get_settings
from market.types import utcnow
from market.workers import service as worker_service
from matching import model as m
from matching import trades as catalogue
from matching.dispatch import dispatch as assign_market

MAX_JOBS = 2000
MAX_WORKERS = 5000


@dataclass(frozen=True)
class PlanRow:
    job: Job
    worker: User
    score: float
    reason: m.Reason


@dataclass(frozen=True)
class Unfilled:
    job: Job
    slots: int


@dataclass(frozen=True)
class DispatchPlan:
    day: date
    district: str
    assignments: list[PlanRow]
    unfilled: list[Unfilled]
    idle_workers: int
    workers_considered: int


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=market_tz())
    return start, start + timedelta(days=1)


def _open_jobs(session: Session, day: date, district: str, now: datetime) -> list[Job]:
    start, end = _day_bounds(day)
    query = select(Job).where(
        Job.status == JobStatus.open,
        col(Job.hidden_reason).is_(None),
        col(Job.start_at) >= max(start, now),
        col(Job.start_at) < end,
    )
    if district:
        query = query.where(Job.district == district)
    return list(session.exec(query.order_by(col(Job.start_at)).limit(MAX_JOBS)).all())


def _held_by_proposals(session: Session, job_ids: list[int]) -> Counter[int]:
    rows = session.exec(
        select(DispatchProposal.job_id, func.count())
        .where(
            col(DispatchProposal.job_id).in_(job_ids),
            DispatchProposal.status == ProposalStatus.proposed,
        )
        .group_by(col(DispatchProposal.job_id))
    ).all()
    return Counter(dict(rows))


def _candidate_ids(session: Session, jobs: Sequence[Job], day: date) -> list[int]:
    trades = set().union(*(catalogue.trades_that_can_do(j.trade) for j in jobs))
    reach = get_settings().feed_radius_cap_km
    boxes = [bounding_box(j.lat, j.lon, reach) for j in jobs]
    lat0, lon0 = min(b[0] for b in boxes), min(b[2] for b in boxes)
    lat1, lon1 = max(b[1] for b in boxes), max(b[3] for b in boxes)
    holding = select(DispatchProposal.worker_id).where(
        DispatchProposal.day == day, DispatchProposal.status == ProposalStatus.proposed
    )
    return list(
        session.exec(
            select(WorkerProfile.user_id)
            .join(User, col(User.id) == col(WorkerProfile.user_id))
            .join(WorkerTrade, col(WorkerTrade.worker_id) == col(WorkerProfile.user_id))
            .where(
                col(User.is_active),
                col(WorkerTrade.trade).in_(sorted(trades)),
                col(WorkerProfile.home_lat).between(lat0, lat1),
                col(WorkerProfile.home_lon).between(lon0, lon1),
                col(WorkerProfile.user_id).not_in(holding),
            )
            .distinct()
            .order_by(col(WorkerProfile.user_id))
            .limit(MAX_WORKERS)
        ).all()
    )


def plan_dispatch(
    *, session: Session, day: date, district: str = "", now: datetime | None = None
) -> DispatchPlan:
    """The proposed assignment for the day's open jobs (a dry run: nothing is written)."""
    now = now or utcnow()
    jobs = _open_jobs(session, day, district, now)
    if not jobs:
        return DispatchPlan(day, district, [], [], 0, 0)
    held = _held_by_proposals(session, [j.id or 0 for j in jobs])
    certificates = job_service.certificates_by_job(
        session=session, job_ids=[j.id or 0 for j in jobs]
    )
    jobs_m = [
        job_service.matching_job(j, certificates[j.id or 0], j.confirmed_count + held[j.id or 0])
        for j in jobs
    ]
    ids = _candidate_ids(session, jobs, day)
    views = worker_service.list_workers(session=session, user_ids=ids)
    busy = worker_service.busy_windows(session=session, worker_ids=ids, now=now)
    idle = worker_service.idle_days(session=session, worker_ids=ids, now=now)
    workers = [
        w
        for v in views.values()
        if (
            w := worker_service.matching_worker(
                v, now=now, busy=busy[v.user.id or 0], idle=idle.get(v.user.id or 0, 0)
            )
        )
    ]
    # the hiring hall's order: most slots, then those idle longest, then the best fits
    result = assign_market(
        workers,
        [j for j in jobs_m if j.slots_left > 0],
        rotation=get_settings().dispatch_rotation == "hiring_hall",
    )
    by_id = {str(j.id): j for j in jobs}
    assignments = [
        PlanRow(job=by_id[a.job], worker=views[int(a.worker)].user, score=a.score, reason=a.reason)
        for a in result.assignments
    ]
    assignments.sort(key=lambda r: (r.job.start_at, r.job.id or 0, -r.score))
    unfilled = [Unfilled(job=by_id[k], slots=n) for k, n in result.unfilled.items()]
    unfilled.sort(key=lambda u: (u.job.start_at, u.job.id or 0))
    return DispatchPlan(day, district, assignments, unfilled, len(result.idle), len(workers))


def dispatch_send(
    *,
    session: Session,
    staff: User,
    day: date,
    district: str = "",
    only: Sequence[tuple[int, int]] | None = None,
    now: datetime | None = None,
) -> list[DispatchProposal]:
    """Plan afresh and offer each assignment (or only the chosen pairs) to its worker."""
    now = now or utcnow()
    plan = plan_dispatch(session=session, day=day, district=district, now=now)
    rows = {(r.job.id or 0, r.worker.id or 0): r for r in plan.assignments}
    chosen = list(rows) if only is None else list(dict.fromkeys(only))
    if any(pair not in rows for pair in chosen):
        raise Conflict(N_("The market has changed since the plan was made; review the new plan"))
    if not chosen:
        raise Conflict(N_("There is nothing to send: the plan has no assignments"))
    assert staff.id is not None
    proposals = []
    for job_id, worker_id in chosen:
        row = rows[(job_id, worker_id)]
        proposal = DispatchProposal(
            job_id=job_id,
            worker_id=worker_id,
            day=day,
            district=district,
            score=round(row.score, 4),
            reason=asdict(row.reason),
            sent_by=staff.id,
            created_at=now,
        )
        session.add(proposal)
        session.flush()
        event_record(
            session=session,
            kind="dispatch.proposed",
            job_id=job_id,
            worker_id=worker_id,
            employer_id=row.job.employer_id,
            payload={"proposal": proposal.id, "job": job_id, "day": day.isoformat()},
        )
        proposals.append(proposal)
    session.flush()
    return proposals


def list_sent(
    *, session: Session, day: date, district: str = ""
) -> Sequence[tuple[DispatchProposal, Job, User, User]]:
    """The day's proposals with job, worker and employer: the printed list for the market."""
    worker, employer = aliased(User), aliased(User)
    query = (
        select(DispatchProposal, Job, worker, employer)
        .join(Job, col(Job.id) == col(DispatchProposal.job_id))
        .join(worker, col(worker.id) == col(DispatchProposal.worker_id))
        .join(employer, col(employer.id) == col(Job.employer_id))
        .where(DispatchProposal.day == day)
    )
    if district:
        query = query.where(DispatchProposal.district == district)
    return session.exec(query.order_by(col(Job.start_at), col(Job.id), col(worker.name))).all()


def list_worker_proposals(
    *, session: Session, worker_id: int
) -> Sequence[tuple[DispatchProposal, Job]]:
    """The worker's proposals, open ones first, soonest shift first."""
    return session.exec(
        select(DispatchProposal, Job)
        .join(Job, col(Job.id) == col(DispatchProposal.job_id))
        .where(DispatchProposal.worker_id == worker_id)
        .order_by(col(DispatchProposal.status) != ProposalStatus.proposed, col(Job.start_at))
    ).all()


def _own_open_proposal(session: Session, proposal_id: int, worker: User) -> DispatchProposal:
    proposal = session.get(DispatchProposal, proposal_id)
    if proposal is None or proposal.worker_id != worker.id:
        raise NotFound(N_("Proposal not found"))
    if proposal.status != ProposalStatus.proposed:
        raise Conflict(N_("You have already answered this proposal"))
    return proposal


def proposal_accept(
    *, session: Session, proposal_id: int, worker: User, now: datetime | None = None
) -> Application:
    """The worker takes the proposed job: claimed and confirmed like any other hire."""
    now = now or utcnow()
    proposal = _own_open_proposal(session, proposal_id, worker)
    claim = application_service.application_claim(
        session=session, job_id=proposal.job_id, worker=worker, now=now
    )
    application = claim.application
    if application.status == ApplicationStatus.applied:
        job = job_service.get_job(session=session, job_id=proposal.job_id)
        employer = session.get(User, job.employer_id)
        assert employer is not None
        # the union dispatches onto the employer's posted terms, as an instant job would
        application = application_service.application_confirm(
            session=session, application=application, employer=employer, now=now
        )
    proposal.status, proposal.decided_at = ProposalStatus.accepted, now
    proposal.application_id = application.id
    session.add(proposal)
    event_record(
        session=session,
        kind="dispatch.accepted",
        job_id=proposal.job_id,
        worker_id=proposal.worker_id,
        payload={"proposal": proposal.id, "application": application.id},
    )
    session.flush()
    return application


def proposal_decline(
    *, session: Session, proposal_id: int, worker: User, now: datetime | None = None
) -> DispatchProposal:
    """The worker turns the proposal down; the slot goes back to the next plan."""
    now = now or utcnow()
    proposal = _own_open_proposal(session, proposal_id, worker)
    _decline(session, proposal, now)
    session.flush()
    return proposal


def _decline(session: Session, proposal: DispatchProposal, now: datetime) -> None:
    proposal.status, proposal.decided_at = ProposalStatus.declined, now
    session.add(proposal)
    event_record(
        session=session,
        kind="dispatch.declined",
        job_id=proposal.job_id,
        worker_id=proposal.worker_id,
        payload={"proposal": proposal.id},
    )


def proposals_release(*, session: Session, worker_id: int, now: datetime | None = None) -> int:
    """Decline a leaving worker's open proposals, so their slots go back to the next plan."""
    now = now or utcnow()
    open_ = session.exec(
        select(DispatchProposal).where(
            DispatchProposal.worker_id == worker_id,
            DispatchProposal.status == ProposalStatus.proposed,
        )
    ).all()
    for proposal in open_:
        _decline(session, proposal, now)
    session.flush()
    return len(open_)
