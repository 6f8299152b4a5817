"""Invites, blocks and the rehire list through the API: an invite accepted is a hire; bad
requests (another employer's job, unknown or blocked workers, twice, wrong types) get a
clear 4xx in both languages and write nothing."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from market.models import User
from market.types import utcnow
from tests.factories import auth, make_job, make_worker
from tests.market.service_helpers import snapshot

ZH, EN = {"Accept-Language": "zh-CN"}, {"Accept-Language": "en"}


def test_an_invite_is_sent_listed_and_accepted_as_a_hire(
    client: TestClient, session: Session
) -> None:
    job = make_job(session, headcount=1, start_at=utcnow() + timedelta(days=1))
    worker = make_worker(session)
    boss, me = auth(session, session.get_one(User, job.employer_id)), auth(session, worker)
    sent = client.post(
        f"/api/v1/jobs/{job.id}/invites", json={"worker_id": worker.id}, headers=boss
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["status"] == "invited" and "phone" not in sent.text
    [mine] = client.get("/api/v1/worker/invites", headers=me).json()
    assert mine["id"] == sent.json()["id"]
    taken = client.post(f"/api/v1/worker/invites/{mine['id']}/accept", headers=me)
    assert (taken.status_code, taken.json()["status"]) == (200, "confirmed")
    assert client.get("/api/v1/worker/invites", headers=me).json() == []


def test_bad_invites_are_refused_in_both_languages_and_write_nothing(
    client: TestClient, session: Session
) -> None:
    job = make_job(session, start_at=utcnow() + timedelta(days=1))
    others = make_job(session, start_at=utcnow() + timedelta(days=1))
    employer = session.get_one(User, job.employer_id)
    worker, blocked, stranger = make_worker(session), make_worker(session), make_worker(session)
    boss = auth(session, employer)
    assert (
        client.post("/api/v1/blocks", json={"user_id": blocked.id}, headers=boss).status_code == 204
    )
    invited = client.post(
        f"/api/v1/jobs/{job.id}/invites", json={"worker_id": worker.id}, headers=boss
    )
    invite_id = invited.json()["id"]
    as_worker, as_stranger = auth(session, worker), auth(session, stranger)
    session.commit()  # a refused request rolls back to here
    before = snapshot(session)
    cases = [
        (f"/api/v1/jobs/{others.id}/invites", {"worker_id": worker.id}, boss, 404, "Job not found"),
        (f"/api/v1/jobs/{job.id}/invites", {"worker_id": 999999}, boss, 404, "Worker not found"),
        (
            f"/api/v1/jobs/{job.id}/invites",
            {"worker_id": blocked.id},
            boss,
            409,
            "This worker cannot be invited to your jobs",
        ),
        (
            f"/api/v1/jobs/{job.id}/invites",
            {"worker_id": worker.id},
            boss,
            409,
            "You have already invited this worker to this job",
        ),
        (f"/api/v1/jobs/{job.id}/invites", {"worker_id": "x"}, boss, 422, None),
        (f"/api/v1/jobs/{job.id}/invites", {"worker_id": 0}, boss, 422, None),
        (f"/api/v1/jobs/{job.id}/invites", {"worker_id": 1, "x": 1}, boss, 422, None),
        (
            f"/api/v1/jobs/{job.id}/invites",
            {"worker_id": worker.id},
            as_worker,
            403,
            None,
        ),
        (
            f"/api/v1/worker/invites/{invite_id}/accept",
            None,
            as_stranger,
            404,
            "Invite not found",
        ),
        (
            "/api/v1/blocks",
            {"user_id": stranger.id},
            as_worker,
            404,
            "Employer not found",
        ),
    ]
    for path, body, headers, status, message in cases:
        for lang in (ZH, EN):
            answer = client.post(path, json=body, headers={**headers, **lang})
            assert answer.status_code == status, (path, body, answer.text)
            if message is not None and lang is EN:
                assert answer.json()["detail"] == message, answer.text
            if lang is ZH and status in (404, 409):
                assert not answer.json()["detail"].isascii(), answer.text
    assert snapshot(session) == before


def test_blocks_and_the_rehire_list_read_and_undo(client: TestClient, session: Session) -> None:
    job = make_job(session, start_at=utcnow() + timedelta(days=1))
    worker = make_worker(session)
    me = auth(session, worker)
    boss = auth(session, session.get_one(User, job.employer_id))
    session.commit()  # a refused request rolls back to here
    assert (
        client.post("/api/v1/blocks", json={"user_id": job.employer_id}, headers=me).status_code
        == 204
    )
    [row] = client.get("/api/v1/blocks", headers=me).json()
    assert row["user_id"] == job.employer_id
    assert client.delete(f"/api/v1/blocks/{job.employer_id}", headers=me).status_code == 204
    again = client.delete(f"/api/v1/blocks/{job.employer_id}", headers={**me, **EN})
    assert (again.status_code, again.json()["detail"]) == (404, "You have not blocked this person")
    refused = client.post(
        "/api/v1/employer/rehire", json={"user_id": worker.id}, headers={**boss, **EN}
    )
    assert (refused.status_code, refused.json()["detail"]) == (
        409,
        "Only a worker who completed a shift for you can be added",
    )
    assert client.get("/api/v1/employer/rehire", headers=boss).json() == []
