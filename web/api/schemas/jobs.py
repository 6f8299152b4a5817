"""A job as the API shows it: the market's `JobPublic`, derived from the one job field set."""

from __future__ import annotations

from market.jobs.schemas import JobPublic
from market.models import Job


def job_out(job: Job, certificates: list[str]) -> JobPublic:
    return JobPublic.model_validate(
        {
            **job.model_dump(),
            "id": job.id or 0,
            "slots_left": job.headcount - job.confirmed_count,
            "certificates": certificates,
        }
    )
