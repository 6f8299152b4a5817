"""Morning dispatch as the API shows it: the plan, the proposals sent, a worker's offers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from market.dispatch.service import DispatchPlan
from market.errors import N_
from market.i18n import local
from market.invites.rehire import RehireRow
from market.jobs.schemas import JobPublic
from market.models import DispatchProposal, Job, User
from matching.model import Reason
from web.api.schemas.jobs import job_out
from web.i18n import reason_text, translate

SentRow = tuple[DispatchProposal, Job, User, User]  # proposal, job, worker, employer


class PlannedJobOut(BaseModel):
    """The job part of a plan's row."""

    job_id: int
    title: str
    trade: str
    address: str


class AssignmentOut(PlannedJobOut):
    district: str
    start_at: datetime
    end_at: datetime
    wage: int
    worker_id: int
    worker_name: str
    score: float
    reason: str


class UnfilledOut(PlannedJobOut):
    start_at: datetime
    slots: int


class PlanOut(BaseModel):
    day: date
    district: str
    assignments: list[AssignmentOut]
    unfilled: list[UnfilledOut]
    idle_workers: int
    workers_considered: int


def _planned_job(job: Job) -> dict[str, object]:
    return {"job_id": job.id or 0, "title": job.title, "trade": job.trade, "address": job.address}


def plan_out(plan: DispatchPlan, locale: str) -> PlanOut:
    return PlanOut(
        day=plan.day,
        district=plan.district,
        assignments=[
            AssignmentOut(
                **_planned_job(r.job),
                district=r.job.district,
                start_at=r.job.start_at,
                end_at=r.job.end_at,
                wage=r.job.wage,
                worker_id=r.worker.id or 0,
                worker_name=r.worker.name,
                score=round(r.score, 4),
                reason=reason_text(r.reason, locale, to_worker=False),
            )
            for r in plan.assignments
        ],
        unfilled=[
            UnfilledOut(
                **_planned_job(u.job),
                start_at=u.job.start_at,
                slots=u.slots,
            )
            for u in plan.unfilled
        ],
        idle_workers=plan.idle_workers,
        workers_considered=plan.workers_considered,
    )


class ProposalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    job_id: int
    worker_id: int
    day: date
    district: str
    score: float
    status: str
    application_id: int | None
    created_at: datetime
    decided_at: datetime | None


class SentOut(ProposalOut):
    title: str
    address: str
    start_at: datetime
    end_at: datetime
    wage: int
    worker_name: str
    worker_phone: str
    employer_name: str
    employer_phone: str


class WorkerProposalOut(ProposalOut):
    reason: str
    job: JobPublic


def sent_out(p: DispatchProposal, job: Job, worker: User, employer: User) -> SentOut:
    return SentOut(
        **ProposalOut.model_validate(p).model_dump(),
        title=job.title,
        address=job.address,
        start_at=job.start_at,
        end_at=job.end_at,
        wage=job.wage,
        worker_name=worker.name,
        worker_phone=worker.phone,
        employer_name=employer.name,
        employer_phone=employer.phone,
    )


def worker_proposal_out(p: DispatchProposal, job: Job, locale: str) -> WorkerProposalOut:
    return WorkerProposalOut(
        **ProposalOut.model_validate(p).model_dump(),
        reason=proposal_reason(p, locale),
        job=job_out(job, []),
    )


def proposal_reason(p: DispatchProposal, locale: str) -> str:
    try:
        return reason_text(Reason(**p.reason), locale)
    except TypeError:
        return ""


SENT_COLUMNS = (
    ("start", N_("Start")),
    ("title", N_("Job")),
    ("address", N_("Address")),
    ("wage", N_("Daily wage")),
    ("employer_name", N_("Employer")),
    ("employer_phone", N_("Employer phone")),
    ("worker_name", N_("Worker")),
    ("worker_phone", N_("Worker phone")),
    ("status", N_("Answer")),
)
PROPOSAL_STATUS = {
    "proposed": N_("waiting for the worker"),
    "accepted": N_("accepted"),
    "declined": N_("declined"),
}


def sent_rows(rows: Sequence[SentRow], locale: str) -> list[dict[str, str]]:
    """The proposals sent as rows of the printed list and its CSV, in the user's language."""
    printable = []
    for row in rows:
        out = sent_out(*row)
        printable.append(
            {
                **{k: str(v) for k, v in out.model_dump().items()},
                "start": local(out.start_at).strftime("%H:%M"),
                "status": translate(locale, PROPOSAL_STATUS[out.status]),
            }
        )
    return printable


class InviteOut(BaseModel):
    """An employer's invite to a job: no phone or exact place of either side in it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    job_id: int
    worker_id: int
    employer_id: int
    status: str  # invited, accepted, declined, expired
    created_at: datetime
    decided_at: datetime | None
    application_id: int | None


class BlockOut(BaseModel):
    user_id: int
    name: str
    created_at: datetime


class RehireOut(BaseModel):
    worker_id: int
    name: str
    trades: list[str]
    jobs_done: int  # completed shifts on this employer's jobs
    phone: str | None  # only while hired on one of this employer's jobs


def rehire_out(row: RehireRow) -> RehireOut:
    view = row.view
    return RehireOut(
        worker_id=view.user.id or 0,
        name=view.user.name,
        trades=[t.trade for t in view.trades],
        jobs_done=row.jobs_done,
        phone=row.phone,
    )
