"""Applications as the API shows them: contacts only between the sides of a hire."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from market.applications.service import contact_visible
from market.applications.terms import needs_acceptance
from market.feed.candidates import rounded_km
from market.jobs.schemas import JobPublic
from market.models import Application, Job, User
from web.api.schemas.jobs import job_out


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
    job: JobPublic
    employer: ContactOut | None  # only once confirmed
    terms_changed: bool  # pending, and the job's terms changed: accept them or withdraw


class ApplicantOut(ApplicationOut):
    terms_changed: bool  # waiting for the worker to accept the job's new terms
    worker_name: str
    distance_km: float | None  # rounded
    contact: ContactOut | None  # only once confirmed
    active_strikes: int = 0  # late call-offs and no-shows not yet expired (market/reliability)


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


def applicant_out(a: Application, worker: User, job: Job, active_strikes: int = 0) -> ApplicantOut:
    return ApplicantOut(
        active_strikes=active_strikes,
        **_application_fields(a),
        terms_changed=needs_acceptance(a, job),
        worker_name=worker.name,
        distance_km=None if a.distance_km is None else rounded_km(a.distance_km),
        contact=ContactOut(name=worker.name, phone=worker.phone) if contact_visible(a) else None,
    )
