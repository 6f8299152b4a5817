"""Idempotency keys on job posting and claims: a retry replays, a changed body is refused."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from market.db import session_scope
from market.idempotency import service as idempotency
from market.models import Application, IdempotencyRecord, Job
from market.types import utcnow
from tests.factories import auth, job_body, make_employer, make_job, make_worker, tomorrow_at


def _job_body(**overrides: object) -> dict[str, object]:
    return job_body(**overrides)


def _jobs_of(session: Session, employer_id: int) -> int:
    return session.exec(select(func.count()).where(Job.employer_id == employer_id)).one()


def test_retried_job_post_gets_the_same_answer_and_posts_once(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session)
    headers = {**auth(session, employer), "Idempotency-Key": "post-3f1c9a7e"}
    first = client.post("/api/v1/jobs", json=_job_body(), headers=headers)
    assert first.status_code == 201, first.text
    again = client.post("/api/v1/jobs", json=_job_body(), headers=headers)  # response "dropped"
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _jobs_of(session, employer.id or 0) == 1


def test_same_key_with_a_different_body_is_refused(client: TestClient, session: Session) -> None:
    employer = make_employer(session)
    headers = {**auth(session, employer), "Idempotency-Key": "post-8d2b6c11"}
    assert client.post("/api/v1/jobs", json=_job_body(), headers=headers).status_code == 201
    other = client.post("/api/v1/jobs", json=_job_body(wage=400), headers=headers)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.text
    assert _jobs_of(session, employer.id or 0) == 1


def test_without_a_key_each_post_is_a_new_job(client: TestClient, session: Session) -> None:
    employer = make_employer(session)
    headers = auth(session, employer)
    for _ in range(2):
        assert client.post("/api/v1/jobs", json=_job_body(), headers=headers).status_code == 201
    assert _jobs_of(session, employer.id or 0) == 2


def test_retried_claim_replays_the_first_status_and_body(
    client: TestClient, session: Session
) -> None:
    job = make_job(session, instant=True, headcount=1)
    headers = {**auth(session, make_worker(session)), "Idempotency-Key": "claim-0a1b2c3d"}
    first = client.post(f"/api/v1/jobs/{job.id}/claim", headers=headers)
    again = client.post(f"/api/v1/jobs/{job.id}/claim", headers=headers)
    assert first.status_code == again.status_code == 201  # not the 200 of a plain repeat
    assert again.json() == first.json()
    count = session.exec(select(func.count()).where(Application.job_id == job.id)).one()
    assert count == 1


def test_same_key_on_another_job_is_a_different_request(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    first_job, other_job = make_job(session), make_job(session, start_at=tomorrow_at(12))
    headers = {**auth(session, worker), "Idempotency-Key": "claim-77aa88bb"}
    assert client.post(f"/api/v1/jobs/{first_job.id}/claim", headers=headers).status_code == 201
    other = client.post(f"/api/v1/jobs/{other_job.id}/claim", headers=headers)
    assert other.status_code == 422


def test_keys_belong_to_their_user(client: TestClient, session: Session) -> None:
    job = make_job(session, headcount=2)
    key = {"Idempotency-Key": "claim-shared-key"}
    for worker in (make_worker(session), make_worker(session)):
        headers = {**auth(session, worker), **key}
        answer = client.post(f"/api/v1/jobs/{job.id}/claim", headers=headers)
        assert answer.status_code == 201
    count = session.exec(select(func.count()).where(Application.job_id == job.id)).one()
    assert count == 2


def test_a_failed_write_keeps_no_key_so_the_retry_runs_again(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session)
    session.commit()
    headers = {**auth(session, employer), "Idempotency-Key": "post-failing-1"}
    session.commit()
    bad = client.post("/api/v1/jobs", json=_job_body(trade="no-such-trade"), headers=headers)
    assert bad.status_code == 422
    assert session.exec(select(IdempotencyRecord)).first() is None
    assert client.post("/api/v1/jobs", json=_job_body(), headers=headers).status_code == 201


def test_keys_expire_after_a_day(session: Session) -> None:
    worker = make_worker(session)
    common = {"session": session, "user_id": worker.id or 0, "route": "POST /x", "key": "k-1"}
    long_ago = utcnow() - timedelta(hours=25)
    assert idempotency.idempotency_begin(**common, fingerprint="a", now=long_ago) is None
    idempotency.idempotency_finish(**common, status_code=201, body={"id": 1})
    # a day later the key is free again, even for another request
    assert idempotency.idempotency_begin(**common, fingerprint="b") is None
    idempotency.idempotency_finish(**common, status_code=201, body={"id": 2})
    record = session.get(IdempotencyRecord, (worker.id, "POST /x", "k-1"))
    assert record is not None and record.body == {"id": 2}
    assert idempotency.idempotency_purge(session=session, now=utcnow() + timedelta(days=2)) >= 1


def test_concurrent_twins_with_one_key_write_once_and_get_the_same_answer(
    fresh_engine: Engine,
) -> None:
    """The retry arrives while the first request is still running (both backends)."""
    with session_scope(fresh_engine) as setup:
        user_id = make_worker(setup).id or 0
    common = {"user_id": user_id, "route": "POST /api/v1/jobs", "key": "twin-key-1"}
    first_inside, release = threading.Event(), threading.Event()
    answers: dict[str, object] = {}

    def first() -> None:
        with Session(fresh_engine, expire_on_commit=False) as s:
            answers["first"] = idempotency.idempotency_begin(session=s, **common, fingerprint="f")
            first_inside.set()
            release.wait(10)
            idempotency.idempotency_finish(session=s, **common, status_code=201, body={"id": 7})
            s.commit()

    def twin() -> None:
        first_inside.wait(10)
        with Session(fresh_engine, expire_on_commit=False) as s:
            answers["twin"] = idempotency.idempotency_begin(session=s, **common, fingerprint="f")
            s.commit()

    threads = [threading.Thread(target=first), threading.Thread(target=twin)]
    for thread in threads:
        thread.start()
    first_inside.wait(10)
    time.sleep(0.5)  # the twin is now waiting on the first one's key
    release.set()
    for thread in threads:
        thread.join(20)
    assert answers == {"first": None, "twin": idempotency.Replay(201, {"id": 7})}
    with Session(fresh_engine) as check:
        assert len(check.exec(select(IdempotencyRecord)).all()) == 1
