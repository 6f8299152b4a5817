"""A job as the API shows it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from market.models import Job


class JobOut(BaseModel):
    id: int
    employer_id: int
    trade: str
    title: str
    description: str
    lat: float
    lon: float
    address: str
    district: str
    start_at: datetime
    end_at: datetime
    headcount: int
    slots_left: int
    wage: int
    instant: bool
    status: str
    certificates: list[str]
    cancel_reason: str | None
    created_at: datetime


def job_out(job: Job, certificates: list[str]) -> JobOut:
    return JobOut(
        id=job.id or 0,
        employer_id=job.employer_id,
        trade=job.trade,
        title=job.title,
        description=job.description,
        lat=job.lat,
        lon=job.lon,
        address=job.address,
        district=job.district,
        start_at=job.start_at,
        end_at=job.end_at,
        headcount=job.headcount,
        slots_left=job.headcount - job.confirmed_count,
        wage=job.wage,
        instant=job.instant,
        status=job.status,
        certificates=certificates,
        cancel_reason=job.cancel_reason,
        created_at=job.created_at,
    )
