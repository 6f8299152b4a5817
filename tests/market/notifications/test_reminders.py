"""Shift reminders 12 h and 2 h before a confirmed shift, on a controlled clock, and the
worker's one-tap "I'm coming"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from market.db import session_scope
from market.errors import Conflict, NotFound
from market.models import Application, User
from market.notifications import reminders as reminder_service
from tests.factories import make_employer, make_job, make_worker
from tests.market.notifications.helpers import notes_of, produce
from tests.market.service_helpers import hire

START = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # 08:00 in Yantai


def _hired(engine: Engine) -> tuple[int, int]:
    with session_scope(engine) as session:
        worker = make_worker(session)
        job = make_job(session, employer=make_employer(session), title="搬家", start_at=START)
        application = hire(session, job=job, worker=worker, now=START - timedelta(days=3))
        return worker.id or 0, application.id or 0


def _remind(engine: Engine, at: datetime) -> list[tuple[int, int]]:
    with session_scope(engine) as session:
        return reminder_service.reminders_send(session=session, now=at)


def test_a_confirmed_shift_is_reminded_12_and_2_hours_before_once_each(
    fresh_engine: Engine,
) -> None:
    worker_id, application_id = _hired(fresh_engine)

    assert _remind(fresh_engine, START - timedelta(hours=13)) == []
    assert _remind(fresh_engine, START - timedelta(hours=12)) == [(application_id, 12)]
    assert _remind(fresh_engine, START - timedelta(hours=11)) == []  # stored: not again
    assert _remind(fresh_engine, START - timedelta(hours=2)) == [(application_id, 2)]
    assert _remind(fresh_engine, START - timedelta(hours=1)) == []
    assert _remind(fresh_engine, START + timedelta(minutes=1)) == []

    produce(fresh_engine)
    reminders = [n for n in notes_of(fresh_engine, worker_id) if n.kind == "shift.reminder"]
    assert [(n.title, n.urgent) for n in reminders] == [
        ("Are you coming?", False),
        ("Shift soon: are you coming?", True),  # goes through quiet hours
    ]
    assert reminders[0].params["job"] == "搬家"


def test_a_pass_after_a_long_pause_sends_only_the_2_hour_reminder(fresh_engine: Engine) -> None:
    _, application_id = _hired(fresh_engine)
    assert _remind(fresh_engine, START - timedelta(minutes=90)) == [(application_id, 2)]
    assert _remind(fresh_engine, START - timedelta(minutes=80)) == []


def test_a_cancelled_hire_is_not_reminded(fresh_engine: Engine) -> None:
    _, application_id = _hired(fresh_engine)
    with session_scope(fresh_engine) as session:
        application = session.get(Application, application_id)
        assert application is not None
        application.status = "cancelled"
    assert _remind(fresh_engine, START - timedelta(hours=12)) == []


def test_im_coming_is_recorded_once_and_the_reminder_says_see_you(fresh_engine: Engine) -> None:
    worker_id, application_id = _hired(fresh_engine)
    with session_scope(fresh_engine) as session:
        application = session.get(Application, application_id)
        worker = session.get(User, worker_id)
        assert application is not None and worker is not None
        at = START - timedelta(hours=5)
        first = reminder_service.shift_coming(
            session=session, application=application, worker=worker, now=at
        )
        again = reminder_service.shift_coming(
            session=session, application=application, worker=worker, now=at + timedelta(hours=1)
        )
        assert first.coming_at == again.coming_at == at
    _remind(fresh_engine, START - timedelta(hours=2))
    produce(fresh_engine)
    [reminder] = [n for n in notes_of(fresh_engine, worker_id) if n.kind == "shift.reminder"]
    assert reminder.title == "Shift soon"
    with Session(fresh_engine) as session:
        assert reminder_service.coming_of(session=session, application_ids=[application_id]) == {
            application_id: START - timedelta(hours=5)
        }


def test_only_the_hired_worker_confirms_and_only_before_the_shift(fresh_engine: Engine) -> None:
    _, application_id = _hired(fresh_engine)
    with session_scope(fresh_engine) as session:
        application = session.get(Application, application_id)
        assert application is not None
        stranger = make_worker(session)
        with pytest.raises(NotFound):
            reminder_service.shift_coming(
                session=session, application=application, worker=stranger, now=START
            )
        worker = session.get(User, application.worker_id)
        assert worker is not None
        with pytest.raises(Conflict):
            reminder_service.shift_coming(
                session=session, application=application, worker=worker, now=START
            )
