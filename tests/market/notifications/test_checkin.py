""" "Check-in is open" (可以签到了) on the shift's day, on a controlled clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from market.applications import service as application_service
from market.db import make_engine, session_scope
from market.models import Application, Event, Job, User
from market.notifications import checkin as checkin_service
from tests.factories import make_employer, make_job, make_worker
from tests.market.notifications.helpers import deliveries_of, notes_of, produce, race
from tests.market.service_helpers import hire

START = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # 08:00 in Yantai


def _hired(engine: Engine, start: datetime = START) -> tuple[int, int]:
    with session_scope(engine) as session:
        worker = make_worker(session)
        job = make_job(session, employer=make_employer(session), title="搬家", start_at=start)
        application = hire(session, job=job, worker=worker, now=start - timedelta(days=3))
        return worker.id or 0, application.id or 0


def _cancel(engine: Engine, worker_id: int, application_id: int, at: datetime) -> None:
    """The worker calls the hire off."""
    with session_scope(engine) as session:
        application = session.get(Application, application_id)
        worker = session.get(User, worker_id)
        assert application is not None and worker is not None
        application_service.application_cancel(
            session=session, application=application, user=worker, reason="病了", now=at
        )


def _open(engine: Engine, at: datetime) -> list[int]:
    with session_scope(engine) as session:
        return checkin_service.checkin_open_send(session=session, now=at)


def test_check_in_opens_half_an_hour_before_the_shift_once(fresh_engine: Engine) -> None:
    worker_id, application_id = _hired(fresh_engine)

    assert _open(fresh_engine, START - timedelta(hours=2)) == []
    assert _open(fresh_engine, START - timedelta(minutes=31)) == []
    assert _open(fresh_engine, START - timedelta(minutes=30)) == [application_id]
    # stored: a restart (a new engine, a new process) does not tell the worker again
    restarted = make_engine(fresh_engine.url.render_as_string(hide_password=False))
    try:
        assert _open(restarted, START - timedelta(minutes=20)) == []
        assert _open(restarted, START + timedelta(hours=1)) == []
    finally:
        restarted.dispose()

    produce(fresh_engine)
    [note] = [n for n in notes_of(fresh_engine, worker_id) if n.kind == "checkin.open"]
    assert (note.title, note.url, note.urgent) == (
        "Check-in is open",
        f"/my/work/{application_id}",
        True,  # the shift is about to start: through quiet hours
    )
    assert note.params["job"] == "搬家"
    told = [
        d.channel for d in deliveries_of(fresh_engine, worker_id) if d.notification_id == note.id
    ]
    assert told == ["inbox", "push"]  # the 2-hour reminder was the text message


def test_a_loop_down_until_the_shift_began_still_tells_a_running_shift(
    fresh_engine: Engine,
) -> None:
    _, application_id = _hired(fresh_engine)
    assert _open(fresh_engine, START + timedelta(hours=8, minutes=1)) == []  # over: no word
    assert _open(fresh_engine, START + timedelta(hours=1)) == [application_id]


def test_a_shift_just_after_midnight_is_told_at_midnight(fresh_engine: Engine) -> None:
    midnight = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # 00:00 in Yantai
    _, application_id = _hired(fresh_engine, midnight + timedelta(minutes=10))
    assert checkin_service.checkin_opens_at(_job_of(fresh_engine, application_id)) == midnight
    assert _open(fresh_engine, midnight - timedelta(minutes=5)) == []  # the day before
    assert _open(fresh_engine, midnight) == [application_id]


def _job_of(engine: Engine, application_id: int) -> Job:
    with Session(engine) as session:
        application = session.get(Application, application_id)
        assert application is not None
        job = session.get(Job, application.job_id)
        assert job is not None
        return job


def test_a_hire_cancelled_before_then_is_not_told(fresh_engine: Engine) -> None:
    worker_id, application_id = _hired(fresh_engine)
    _cancel(fresh_engine, worker_id, application_id, START - timedelta(hours=5))
    assert _open(fresh_engine, START - timedelta(minutes=30)) == []


def test_a_hire_cancelled_after_the_stamp_gets_no_notification(fresh_engine: Engine) -> None:
    worker_id, application_id = _hired(fresh_engine)
    assert _open(fresh_engine, START - timedelta(minutes=30)) == [application_id]
    _cancel(fresh_engine, worker_id, application_id, START - timedelta(minutes=29))
    produce(fresh_engine)
    assert [n for n in notes_of(fresh_engine, worker_id) if n.kind == "checkin.open"] == []


def test_two_loops_racing_tell_each_worker_once(fresh_engine: Engine) -> None:
    hires = [_hired(fresh_engine)[1] for _ in range(3)]

    def run() -> None:
        for minute in range(3):
            _open(fresh_engine, START - timedelta(minutes=30 - minute))

    race(run)

    with Session(fresh_engine) as session:
        told = session.exec(select(Event.payload).where(Event.kind == "checkin.open")).all()
    assert sorted(p["application"] for p in told) == sorted(hires)
