"""Worker- and employer-facing side of union protection: reports, dispatch proposals,
membership, service stations, employer reliability and a posting's moderation state."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile, status

from market.dispatch import service as dispatch_service
from market.fields import Latitude, Longitude
from market.membership import service as membership_service
from market.reports import service as protection_service
from market.stations import service as station_service
from market.types import MAX_ID
from web.deps import (
    CurrentUser,
    CurrentWorker,
    JobDep,
    LocaleDep,
    OwnedJobDep,
    SessionDep,
)
from web.schemas import ApplicationOut, JobOut, application_out, job_out
from web.staff_deps import Id
from web.staff_schemas import (
    JobModerationOut,
    MembershipOut,
    NearStationOut,
    ProposalOut,
    ReliabilityOut,
    ReportOut,
    near_station_out,
    proposal_reason,
    reliability_out,
)

router = APIRouter(tags=["protection"])
# the photo plus the form; web.app hands this to the body limiter for this path
UPLOAD_LIMIT = protection_service.MAX_PHOTO_BYTES + 256 * 1024


@router.post("/reports", status_code=status.HTTP_201_CREATED)
def report_create(
    worker: CurrentWorker,
    session: SessionDep,
    job_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    kind: Annotated[str, Form(pattern="^(unpaid|fake_job)$")],
    agreed_wage: Annotated[int, Form(ge=1, le=100_000)],
    work_from: Annotated[date, Form()],
    work_to: Annotated[date, Form()],
    description: Annotated[str, Form(max_length=2000)] = "",
    photo: Annotated[UploadFile | None, File(description="JPEG or PNG, at most 2 MB")] = None,
) -> ReportOut:
    """Report unpaid wages or a fake job (multipart form, optional photo)."""
    checked = None
    if photo is not None and photo.filename:
        checked = protection_service.photo_check(
            photo.file.read(protection_service.MAX_PHOTO_BYTES + 1)
        )
    report = protection_service.report_create(
        session=session,
        worker=worker,
        job_id=job_id,
        kind=kind,
        agreed_wage=agreed_wage,
        work_from=work_from,
        work_to=work_to,
        description=description,
        photo=checked,
    )
    return ReportOut.model_validate(report)


@router.get("/worker/reports")
def my_reports(worker: CurrentWorker, session: SessionDep) -> list[ReportOut]:
    """My reports and how the union resolved them."""
    reports = protection_service.list_worker_reports(session=session, worker_id=worker.id or 0)
    return [ReportOut.model_validate(r) for r in reports]


class WorkerProposalOut(ProposalOut):
    reason: str
    job: JobOut


@router.get("/worker/proposals")
def my_proposals(
    worker: CurrentWorker, session: SessionDep, locale: LocaleDep
) -> list[WorkerProposalOut]:
    """Jobs the union's morning dispatch offers me; open ones first."""
    rows = dispatch_service.list_worker_proposals(session=session, worker_id=worker.id or 0)
    return [
        WorkerProposalOut(
            **ProposalOut.model_validate(p).model_dump(),
            reason=proposal_reason(p, locale),
            job=job_out(job, []),
        )
        for p, job in rows
    ]


@router.post("/worker/proposals/{proposal_id}/accept")
def proposal_accept(proposal_id: Id, worker: CurrentWorker, session: SessionDep) -> ApplicationOut:
    """Take the proposed job: I am hired if a slot is still free and I am not booked."""
    application = dispatch_service.proposal_accept(
        session=session, proposal_id=proposal_id, worker=worker
    )
    return application_out(application)


@router.post("/worker/proposals/{proposal_id}/decline")
def proposal_decline(proposal_id: Id, worker: CurrentWorker, session: SessionDep) -> ProposalOut:
    """Turn the proposed job down."""
    proposal = dispatch_service.proposal_decline(
        session=session, proposal_id=proposal_id, worker=worker
    )
    return ProposalOut.model_validate(proposal)


@router.get("/worker/membership")
def my_membership(worker: CurrentWorker, session: SessionDep) -> MembershipOut | None:
    """My union membership application, if any."""
    membership = membership_service.get_membership(session=session, user_id=worker.id or 0)
    return None if membership is None else MembershipOut.model_validate(membership)


@router.post("/worker/membership", status_code=status.HTTP_201_CREATED)
def membership_apply(worker: CurrentWorker, session: SessionDep) -> MembershipOut:
    """Apply to join the union."""
    membership = membership_service.membership_apply(session=session, worker=worker)
    return MembershipOut.model_validate(membership)


@router.get("/stations/nearest")
def stations_nearest(
    user: CurrentUser,
    session: SessionDep,
    lat: Annotated[Latitude, Query()],
    lon: Annotated[Longitude, Query()],
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> list[NearStationOut]:
    """The open union service stations nearest to a point."""
    found = station_service.list_nearest_stations(session=session, lat=lat, lon=lon, k=limit)
    return [near_station_out(s, km) for s, km in found]


@router.get("/employers/{employer_id}/reliability")
def employer_reliability(employer_id: Id, user: CurrentUser, session: SessionDep) -> ReliabilityOut:
    """An employer's record: verified badge, late cancellations, upheld no-pay reports."""
    return reliability_out(
        protection_service.get_employer_reliability(session=session, employer_id=employer_id)
    )


@router.get("/jobs/{job_id}/employer")
def job_employer(job: JobDep, user: CurrentUser, session: SessionDep) -> ReliabilityOut:
    """The record of the employer behind a job, for a worker deciding whether to take it."""
    return reliability_out(
        protection_service.get_employer_reliability(session=session, employer_id=job.employer_id)
    )


@router.get("/employer/jobs/{job_id}/moderation")
def job_moderation(job: OwnedJobDep) -> JobModerationOut:
    """Whether the union took my posting down, and why."""
    return JobModerationOut(
        job_id=job.id or 0, hidden=job.hidden_reason is not None, reason=job.hidden_reason
    )
