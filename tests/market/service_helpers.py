"""Helpers of the service tests: refusals that write nothing, events written, hires made.

A refused call is not rolled back here: the service must refuse before it writes. The only
write allowed before a refusal is the worker's lock counter (`worker.lock_version`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlmodel import Session, col, select

from market.applications import service as application_service
from market.errors import DomainError
from market.models import Application, Event, Job, User, metadata


def snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the outbox too), but the worker's lock counter."""
    session.flush()
    session.expire_all()
    rows = {}
    for table in metadata.sorted_tables:
        columns = [c for c in table.columns if c.name != "lock_version"]
        rows[table.name] = sorted(map(tuple, session.execute(select(*columns)).all()), key=repr)
    return rows


def refused(
    session: Session, call: Callable[[], object], error: type[DomainError], message: str
) -> DomainError:
    """`call` raises exactly `error` saying `message` (its msgid, or the sentence with the
    values filled in) and leaves every row, events too, as it was."""
    before = snapshot(session)
    with pytest.raises(DomainError) as raised:
        call()
    assert type(raised.value) is error, repr(raised.value)
    assert message in (raised.value.message, str(raised.value)), str(raised.value)
    assert snapshot(session) == before
    return raised.value


def last_event_id(session: Session) -> int:
    session.flush()
    return session.exec(select(Event.id).order_by(col(Event.id).desc())).first() or 0


def events_after(session: Session, event_id: int) -> list[Event]:
    """The events written after `event_id`, in the order they were written."""
    session.flush()
    return list(session.exec(select(Event).where(col(Event.id) > event_id).order_by(col(Event.id))))


def hire(session: Session, *, job: Job, worker: User, now: datetime) -> Application:
    """Claim `job` for `worker` and, unless the claim was the hire, confirm it as its employer."""
    application = application_service.application_claim(
        session=session, job_id=job.id or 0, worker=worker, now=now
    ).application
    if application.status == "applied":
        employer = session.get(User, job.employer_id)
        assert employer is not None
        application = application_service.application_confirm(
            session=session, application=application, employer=employer, now=now
        )
    assert application.status == "confirmed"
    return application


def employer_of(session: Session, job: Job) -> User:
    """The job's employer."""
    employer = session.get(User, job.employer_id)
    assert employer is not None
    return employer
