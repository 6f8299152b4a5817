"""A job as the API shows it: the market's `JobPublic`, derived from the one job field set."""

from __future__ import annotations

from market.jobs.schemas import JobPublic, public_job
from market.models import Job


def job_out(job: Job, certificates: list[str]) -> JobPublic:
    return public_job(job, certificates)
