"""The outbox: every state change records its event in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from market.models import Event


def event_record(
    *,
    session: Session,
    kind: str,
    job_id: int | None = None,
    worker_id: int | None = None,
    employer_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> Event:
    """Add an event row to the session; it commits (or rolls back) with the change."""
    event = Event(
        kind=kind,
        job_id=job_id,
        worker_id=worker_id,
        employer_id=employer_id,
        payload=payload or {},
    )
    session.add(event)
    return event


def list_events(*, session: Session, job_id: int | None = None) -> Sequence[Event]:
    """Events in the order they were written, optionally for one job."""
    query = select(Event).order_by(col(Event.id))
    if job_id is not None:
        query = query.where(Event.job_id == job_id)
    return session.exec(query).all()
