"""A feed (and a job's page) takes its login from memory once read
(market.accounts.logins), and never after the login ended: here at once, on another replica
when the event reaches it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session, col, delete

from market.accounts import logins
from market.events.service import event_record
from market.models import Job, UserSession
from market.settings import Settings
from market.types import utcnow
from tests.factories import YANTAI, auth, make_employer, make_job, make_staff, make_worker

BOTH = pytest.mark.parametrize("fresh_engine", ["sqlite", "postgres"], indirect=True)
FEED = "/api/v1/worker/feed"


@contextmanager
def login_reads(engine: Engine) -> Iterator[list[str]]:
    """The statements that read or write login sessions while the block runs."""
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "user_session" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


@dataclass
class Served:
    client: TestClient
    app: FastAPI
    headers: dict[str, str]  # the worker's login
    staff_headers: dict[str, str]
    worker_id: int
    first_items: list[Any]  # the worker's first feed, read from the database


@contextmanager
def served(engine: Engine) -> Iterator[Served]:
    """A worker, a job near them and a staff member, the app with its read model, and the
    worker's first feed (200, with the job)."""
    from web.app import create_app

    with Session(engine, expire_on_commit=False) as session:
        worker = make_worker(session)
        make_employer(session)
        make_job(session, title="早市搬货", lat=YANTAI[0] + 0.01)
        staff = make_staff(session)
        headers, staff_headers = auth(session, worker), auth(session, staff)
        session.commit()
    settings = Settings(environment="test", feed_read_model="on", rate_limits="off")
    app = create_app(settings, engine=engine)
    with TestClient(app) as client:
        assert app.state.live.feed.ready
        first = client.get(FEED, headers=headers)
        assert first.status_code == 200 and first.json()["items"]
        yield Served(client, app, headers, staff_headers, worker.id or 0, first.json()["items"])


@BOTH
def test_a_warm_feed_reads_no_login_and_a_logout_ends_it_at_once(fresh_engine: Engine) -> None:
    with served(fresh_engine) as it:
        client, headers = it.client, it.headers
        with login_reads(fresh_engine) as seen:
            for _ in range(3):
                again = client.get(FEED, headers=headers)
                assert again.status_code == 200
                assert again.json()["items"] == it.first_items
        assert seen == []  # the login came from memory
        assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
        refused = client.get(FEED, headers=headers)
        assert refused.status_code == 401, refused.text
        # any other request still asks the database every time
        with login_reads(fresh_engine) as seen:
            assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
        assert seen


@BOTH
def test_a_job_page_reads_its_login_from_memory_and_the_job_from_the_database(
    fresh_engine: Engine,
) -> None:
    with served(fresh_engine) as it:
        client, headers = it.client, it.headers
        job = it.first_items[0]["job"]
        page = f"/api/v1/jobs/{job['id']}"
        with login_reads(fresh_engine) as seen:
            shown = client.get(page, headers=headers)
        assert shown.status_code == 200, shown.text
        assert shown.json() == job
        assert seen == []  # the feed read the login a moment ago
        # the job itself is read from the database: a change shows at once, events or not
        with Session(fresh_engine) as session:
            row = session.get(Job, job["id"])
            assert row is not None
            row.title = "早市搬货（改）"
            session.add(row)
            session.commit()
        assert client.get(page, headers=headers).json()["title"] == "早市搬货（改）"
        unknown = client.get("/api/v1/jobs/999999", headers=headers)
        assert unknown.status_code == 404 and unknown.json()["detail"]
        assert client.get(page).status_code == 401
        assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
        assert client.get(page, headers=headers).status_code == 401


@BOTH
def test_a_login_ended_by_another_replica_stops_feeds_when_its_event_arrives(
    fresh_engine: Engine,
) -> None:
    with served(fresh_engine) as it:
        client, headers = it.client, it.headers
        # another replica ends the login: the rows go and the event is recorded there, and
        # nothing in this process is told but the event
        with Session(fresh_engine) as session:
            session.exec(delete(UserSession).where(col(UserSession.user_id) == it.worker_id))
            event_record(session=session, kind=logins.ENDED, payload={"user": it.worker_id})
            session.commit()
        deadline = time.monotonic() + 10
        while client.get(FEED, headers=headers).status_code == 200:
            assert time.monotonic() < deadline, "the ended login kept reading feeds"
            time.sleep(0.05)
        assert client.get(FEED, headers=headers).status_code == 401


@BOTH
def test_a_suspension_ends_the_feed_and_a_rebuild_forgets_every_login(
    fresh_engine: Engine,
) -> None:
    with served(fresh_engine) as it:
        client, headers = it.client, it.headers
        token = headers["Authorization"].split()[1]
        assert logins.remembered(token, utcnow()) is not None
        it.app.state.live.feed.build()  # as after a resync: events may have been missed
        assert logins.remembered(token, utcnow()) is None
        assert client.get(FEED, headers=headers).status_code == 200  # read again
        suspended = client.post(
            f"/api/v1/staff/users/{it.worker_id}/suspend",
            json={"reason": "冒名顶替"},
            headers=it.staff_headers,
        )
        assert suspended.status_code == 200, suspended.text
        assert client.get(FEED, headers=headers).status_code == 401
