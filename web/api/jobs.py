"""Jobs: posting and managing them (employers), reading and claiming them (workers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from sqlmodel import Session

from market.applications import service as application_service
from market.applications.schemas import CancelRequest, ClaimRequest
from market.feed import candidates as candidate_service
from market.jobs import service as job_service
from market.jobs.schemas import JobCreate, JobPublic, JobUpdate
from market.models import User
from market.paging import DEFAULT_LIMIT
from market.reliability import service as reliability_service
from market.standby import service as standby_service
from web.api.schemas.applications import (
    ApplicantOut,
    ApplicationOut,
    applicant_out,
    application_out,
)
from web.api.schemas.feed import CandidateOut, candidate_out
from web.api.schemas.jobs import job_out
from web.api.schemas.reliability import StandbyOut, standby_out
from web.deps import (
    AfterQuery,
    CurrentEmployer,
    CurrentWorker,
    FeedModelDep,
    JobDep,
    JobId,
    LimitQuery,
    LocaleDep,
    OwnedJobDep,
    SentCsrf,
    SessionDep,
    link_next,
)
from web.feed_read import read_with_login
from web.observability import count_matches
from web.security.idempotency import IdempotentDep
from web.security.rate_limits import ClaimLimit, JobPostLimit

router = APIRouter(tags=["jobs"])


def _out(session: SessionDep, job: JobDep) -> JobPublic:
    return job_out(job, job_service.job_certificates(session=session, job_id=job.id or 0))


@router.post("/jobs", status_code=status.HTTP_201_CREATED, response_model=JobPublic)
def job_post(
    data: JobCreate,
    employer: CurrentEmployer,
    session: SessionDep,
    once: IdempotentDep,
    _limit: JobPostLimit,
) -> Response:
    """Post a job opening. Send an `Idempotency-Key` so a retry never posts it twice."""

    def run() -> tuple[int, JobPublic]:
        job = job_service.job_post(session=session, employer=employer, data=data)
        return status.HTTP_201_CREATED, job_out(job, data.certificates)

    return once.answer(data.model_dump(mode="json"), run)


@router.get("/jobs/{job_id}")
async def job_get(request: Request, job_id: JobId, sent: SentCsrf) -> JobPublic:
    """One job, as anyone logged in may see it."""

    def read(session: Session, user: User) -> JobPublic:
        return _out(session, job_service.get_job(session=session, job_id=job_id))

    return await read_with_login(request, sent, read)


@router.patch("/jobs/{job_id}")
def job_update(data: JobUpdate, job: OwnedJobDep, session: SessionDep) -> JobPublic:
    """Edit my job."""
    return _out(session, job_service.job_update(session=session, job=job, data=data))


@router.post("/jobs/{job_id}/cancel")
def job_cancel(data: CancelRequest, job: OwnedJobDep, session: SessionDep) -> JobPublic:
    """Call my job off; hired and pending workers are told why."""
    return _out(session, job_service.job_cancel(session=session, job=job, reason=data.reason))


@router.post("/jobs/{job_id}/complete")
def job_complete(job: OwnedJobDep, session: SessionDep) -> JobPublic:
    """Mark my job done (after the shift started)."""
    return _out(session, job_service.job_complete(session=session, job=job))


@router.get("/employer/jobs")
def my_jobs(
    request: Request,
    response: Response,
    employer: CurrentEmployer,
    session: SessionDep,
    after: AfterQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> list[JobPublic]:
    """A page of my jobs, upcoming soonest first, then past ones; `Link` to the next page."""
    page = job_service.list_employer_jobs(
        session=session, employer_id=employer.id or 0, after=after, limit=limit
    )
    link_next(request, response, page.next)
    jobs = page.items
    certificates = job_service.certificates_by_job(
        session=session, job_ids=[j.id or 0 for j in jobs]
    )
    return [job_out(j, certificates[j.id or 0]) for j in jobs]


@router.get("/jobs/{job_id}/applications")
def job_applications(job: OwnedJobDep, session: SessionDep) -> list[ApplicantOut]:
    """Who applied to my job; phone numbers only of confirmed workers; each worker's
    active strikes (late call-offs and no-shows not yet expired), never their history."""
    rows = application_service.list_job_applications(session=session, job_id=job.id or 0)
    strikes = reliability_service.active_strike_counts(
        session=session, worker_ids=[a.worker_id for a, _w in rows]
    )
    return [applicant_out(a, worker, job, strikes[a.worker_id]) for a, worker in rows]


@router.post("/jobs/{job_id}/standby", status_code=status.HTTP_201_CREATED)
def job_standby_join(job_id: JobId, worker: CurrentWorker, session: SessionDep) -> StandbyOut:
    """Join a full job's standby list (候补): when a hired worker calls off, the place is
    offered to the list in the order joined, each with a deadline to take it."""
    entry = standby_service.standby_join(session=session, job_id=job_id, worker=worker)
    return standby_out(entry, job_service.get_job(session=session, job_id=job_id))


@router.get("/jobs/{job_id}/candidates")
def job_candidates(
    request: Request,
    job: OwnedJobDep,
    session: SessionDep,
    locale: LocaleDep,
    model: FeedModelDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[CandidateOut]:
    """Workers who could take my job, best first (no phone numbers, rounded distances)."""
    candidates = candidate_service.list_candidates(session=session, job=job, k=limit, model=model)
    count_matches(request, "candidates", len(candidates))
    return [candidate_out(c, locale) for c in candidates]


@router.post(
    "/jobs/{job_id}/claim",
    status_code=status.HTTP_201_CREATED,
    response_model=ApplicationOut,
    responses={200: {"model": ApplicationOut, "description": "Already claimed: that application"}},
)
def job_claim(
    job_id: JobId,
    worker: CurrentWorker,
    session: SessionDep,
    once: IdempotentDep,
    _limit: ClaimLimit,
    data: ClaimRequest | None = None,
) -> Response:
    """Apply for a job; on an instant (抢单) job this is the hire. Repeating it is harmless;
    with an `Idempotency-Key` a retry gets exactly the first answer again. Send the job's
    `terms_version` you showed the worker: if the pay was cut or the place or shift moved
    since, the claim is refused (409) instead of binding them to terms they did not see."""
    seen = data.terms_version if data is not None else None

    def run() -> tuple[int, ApplicationOut]:
        result = application_service.application_claim(
            session=session, job_id=job_id, worker=worker, terms_version=seen
        )
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return code, application_out(result.application)

    return once.answer({} if data is None else data.model_dump(), run)
