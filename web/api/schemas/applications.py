"""Applications as the API shows them: contacts only between the sides of a hire."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from market.applications.service import contact_visible
from market.feed.service import rounded_km
from market.jobs.schemas import JobPublic
from market.models import Application, Job, User
from web.api.schemas.jobs import job_out


class ContactOut(BaseModel):
    name: str
    phone: str


class ApplicationOut(BaseModel):
    id: int
    job_id: int
    worker_id: int
    status: str
    created_at: datetime
    decided_at: datetime | None
    cancel_reason: str | None
    cancelled_by: str | None


class MyApplicationOut(ApplicationOut):
    job: JobPublic
    employer: ContactOut | None  # only once confirmed


class ApplicantOut(ApplicationOut):
    worker_name: str
    distance_km: float | None  # rounded
    contact: ContactOut | None  # only once confirmed


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
        **_application_fields(a), job=job_out(job, certificates), employer=contact
    )


def applicant_out(a: Application, worker: User) -> ApplicantOut:
    return ApplicantOut(
        **_application_fields(a),
        worker_name=worker.name,
        distance_km=None if a.distance_km is None else rounded_km(a.distance_km),
        contact=ContactOut(name=worker.name, phone=worker.phone) if contact_visible(a) else None,
    )
