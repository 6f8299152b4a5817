"""Input and output shapes of a job, each derived from the one field set, `JobBase`."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator

from market.fields import Strict, certificate_codes, optional_fields, trade_code
from market.jobs.models import Job, JobBase


class JobCreate(JobBase, Strict):  # type: ignore[misc]  # both bases configure the model
    certificates: list[str] = Field(default_factory=list, max_length=7)

    _trade = field_validator("trade")(trade_code)
    _certs = field_validator("certificates")(certificate_codes)


class JobUpdate(optional_fields(JobBase, name="JobUpdateFields", exclude={"trade"})):  # type: ignore[misc]
    """Fields left out stay as they are; the trade of a posted job does not change."""


class JobPublic(JobBase):
    """A job as the API shows it: the field set plus its state and places left."""

    id: int
    employer_id: int
    slots_left: int
    status: str
    certificates: list[str]
    cancel_reason: str | None
    created_at: datetime
    terms_version: int  # goes up when the pay is cut or the place or shift moves


def public_job(job: Job, certificates: list[str]) -> JobPublic:
    """The job as the API shows it."""
    return JobPublic.model_validate(
        {
            **job.model_dump(),
            "id": job.id or 0,
            "slots_left": job.headcount - job.confirmed_count,
            "certificates": certificates,
        }
    )
