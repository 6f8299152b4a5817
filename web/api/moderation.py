"""Moderation: staff take postings down, suspend accounts and verify employers; an
employer sees whether and why their posting was taken down."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from market.accounts import employers as employer_service
from market.moderation import service as moderation_service
from market.moderation.schemas import ModerationReason, VerifyRequest
from market.paging import DEFAULT_LIMIT
from market.reliability import service as reliability_service
from market.reliability.schemas import AppealDecision
from market.reports import service as report_service
from web.api import console_router
from web.api.schemas.accounts import LICENCE_RESPONSES, licence_response
from web.api.schemas.moderation import (
    JobModerationOut,
    ModerationOut,
    account_state_out,
    job_moderation_out,
)
from web.api.schemas.reliability import (
    AppealOut,
    OpenAppealOut,
    RecordOut,
    appeal_out,
    open_appeal_out,
    record_out,
)
from web.api.schemas.reports import ReliabilityOut, reliability_out
from web.deps import (
    AfterQuery,
    CurrentStaff,
    Id,
    JobDep,
    LimitQuery,
    LocaleDep,
    OwnedJobDep,
    SessionDep,
    TargetUserDep,
    link_next,
)

router = APIRouter()
protection = APIRouter(tags=["protection"])  # the employer's side
console = console_router()


@protection.get("/employer/jobs/{job_id}/moderation")
def job_moderation(job: OwnedJobDep) -> JobModerationOut:
    """Whether the union took my posting down, and why."""
    return job_moderation_out(job)


@console.post("/jobs/{job_id}/hide")
def job_hide(
    data: ModerationReason, job: JobDep, staff: CurrentStaff, session: SessionDep
) -> JobModerationOut:
    """Take a posting down; the employer sees the reason."""
    hidden = moderation_service.job_hide(session=session, staff=staff, job=job, reason=data.reason)
    return job_moderation_out(hidden)


@console.post("/jobs/{job_id}/unhide")
def job_unhide(job: JobDep, staff: CurrentStaff, session: SessionDep) -> JobModerationOut:
    """Put a hidden posting back."""
    return job_moderation_out(moderation_service.job_unhide(session=session, staff=staff, job=job))


@console.get("/jobs/hidden")
def jobs_hidden(session: SessionDep) -> list[JobModerationOut]:
    """Postings currently taken down."""
    return [job_moderation_out(j) for j in moderation_service.list_hidden_jobs(session=session)]


@console.post("/users/{user_id}/suspend")
def user_suspend(
    data: ModerationReason, user: TargetUserDep, staff: CurrentStaff, session: SessionDep
) -> dict[str, object]:
    """Suspend a worker or employer account: logged out, and no new login."""
    return account_state_out(
        moderation_service.user_suspend(session=session, staff=staff, user=user, reason=data.reason)
    )


@console.post("/users/{user_id}/reinstate")
def user_reinstate(
    user: TargetUserDep, staff: CurrentStaff, session: SessionDep
) -> dict[str, object]:
    """Lift a suspension."""
    return account_state_out(
        moderation_service.user_reinstate(session=session, staff=staff, user=user)
    )


@console.post("/employers/{user_id}/verify")
def employer_verify(
    user_id: Id, data: VerifyRequest, staff: CurrentStaff, session: SessionDep
) -> ReliabilityOut:
    """Give or take back the verified badge workers see."""
    moderation_service.employer_verify(
        session=session, staff=staff, employer_id=user_id, verified=data.verified
    )
    return reliability_out(
        report_service.get_employer_reliability(session=session, employer_id=user_id)
    )


@console.get("/employers/{user_id}/licence", response_class=Response, responses=LICENCE_RESPONSES)
def employer_licence(user_id: Id, session: SessionDep) -> Response:
    """An employer's licence photo, to verify their credit code against."""
    return licence_response(employer_service.get_licence(session=session, employer_id=user_id))


@console.get("/moderation")
def moderation_log(
    request: Request,
    response: Response,
    session: SessionDep,
    after: AfterQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> list[ModerationOut]:
    """A page of moderation actions, newest first; a `Link` header points to the next."""
    page = moderation_service.list_moderation_actions(session=session, after=after, limit=limit)
    link_next(request, response, page.next)
    return [ModerationOut.model_validate(a) for a in page.items]


@console.get("/appeals")
def appeals_open(session: SessionDep, locale: LocaleDep) -> list[OpenAppealOut]:
    """Workers' open appeals against strikes, oldest first, with their active strikes."""
    return [
        open_appeal_out(o, locale) for o in reliability_service.list_open_appeals(session=session)
    ]


@console.post("/appeals/{appeal_id}/decide")
def appeal_decide(
    appeal_id: Id, data: AppealDecision, staff: CurrentStaff, session: SessionDep
) -> AppealOut:
    """Decide an appeal: upheld voids the strike, rejected keeps it; the worker is told why."""
    appeal = reliability_service.appeal_decide(
        session=session, appeal_id=appeal_id, staff=staff, upheld=data.upheld, reason=data.reason
    )
    return appeal_out(appeal)


@console.get("/users/{user_id}/record")
def worker_record(user: TargetUserDep, session: SessionDep, locale: LocaleDep) -> RecordOut:
    """A worker's strikes and appeals, as the worker sees them (before deciding a suspension)."""
    record = reliability_service.get_worker_record(session=session, worker_id=user.id or 0)
    return record_out(record, locale)


router.include_router(protection)
router.include_router(console)
