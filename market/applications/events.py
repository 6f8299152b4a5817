"""The one shape of an application's outbox event: who it concerns and where it stands."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from market.events.service import event_record
from market.models import Application, Job


def application_event(
    session: Session, application: Application, job: Job, kind: str, **extra: Any
) -> None:
    """Record `kind` for this application: its id, job, status and places left, plus `extra`."""
    event_record(
        session=session,
        kind=kind,
        job_id=job.id,
        worker_id=application.worker_id,
        employer_id=job.employer_id,
        payload={
            "application": application.id,
            "job": job.id,
            "status": application.status,
            "slots_left": job.headcount - job.confirmed_count,
            **extra,
        },
    )
    session.flush()
