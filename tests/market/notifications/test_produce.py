"""The outbox becomes notifications: the right user, once per channel, with a cursor."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from market.db import session_scope
from market.models import Delivery, NotifyCursor
from market.notifications import service as notification_service
from tests.market.notifications.helpers import (
    deliveries_of,
    has_phone,
    hired,
    notes_of,
    produce,
    race,
)


def test_a_hire_tells_the_worker_and_the_employer_once(fresh_engine: Engine) -> None:
    worker_id, employer_id, job_id = hired(fresh_engine)
    with session_scope(fresh_engine) as session:
        has_phone(session, worker_id)

    assert produce(fresh_engine) >= 2

    [hired_note] = notes_of(fresh_engine, worker_id)
    assert hired_note.kind == "application.confirmed"
    assert hired_note.title == "You are hired"
    assert hired_note.params["job"] == "新房刷墙"
    assert hired_note.url == "/my/jobs"
    [applied] = notes_of(fresh_engine, employer_id)
    assert applied.kind == "application.created"
    assert applied.url == f"/employer/jobs/{job_id}"
    channels = {(d.channel, d.status) for d in deliveries_of(fresh_engine, worker_id)}
    assert channels == {("inbox", "sent"), ("push", "pending"), ("sms", "pending")}
    # nothing new: a second pass reads nothing and writes nothing
    assert produce(fresh_engine) == 0
    assert len(notes_of(fresh_engine, worker_id)) == 1


def test_a_cursor_set_back_never_makes_a_notification_twice(fresh_engine: Engine) -> None:
    worker_id, _, _ = hired(fresh_engine)
    produce(fresh_engine)
    with session_scope(fresh_engine) as session:
        session.execute(update(NotifyCursor).values(last_seq=0))

    assert produce(fresh_engine) >= 2  # read again (at least once) ...

    assert len(notes_of(fresh_engine, worker_id)) == 1  # ... but never written twice
    assert len(deliveries_of(fresh_engine, worker_id)) == 3  # inbox, push, sms


def test_the_delivery_log_refuses_a_second_row_for_a_channel(fresh_engine: Engine) -> None:
    worker_id, _, _ = hired(fresh_engine)
    produce(fresh_engine)
    push = next(d for d in deliveries_of(fresh_engine, worker_id) if d.channel == "push")

    with pytest.raises(IntegrityError), session_scope(fresh_engine) as session:
        session.add(
            Delivery(
                notification_id=push.notification_id,
                event_id=push.event_id,
                user_id=push.user_id,
                channel="push",
            )
        )


def test_events_not_yet_numbered_wait_for_the_next_pass(fresh_engine: Engine) -> None:
    worker_id, _, _ = hired(fresh_engine)
    with session_scope(fresh_engine) as session:  # no relay numbered them yet
        assert notification_service.notifications_produce(session=session) == 0

    produce(fresh_engine)

    assert len(notes_of(fresh_engine, worker_id)) == 1


def test_producers_racing_write_each_notification_once(fresh_engine: Engine) -> None:
    worker_ids = [hired(fresh_engine)[0] for _ in range(3)]
    from market.events import outbox as outbox_service

    outbox_service.number_pending(engine=fresh_engine)

    def run() -> None:
        for _ in range(3):
            with session_scope(fresh_engine) as session:
                notification_service.notifications_produce(session=session)

    race(run)

    assert [len(notes_of(fresh_engine, w)) for w in worker_ids] == [1, 1, 1]
    with Session(fresh_engine) as session:
        cursor = session.get(NotifyCursor, "outbox")
        assert cursor is not None and cursor.last_seq > 0
