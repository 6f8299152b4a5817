"""A whole gig through the API: post, feed, claim, confirm, contact, done, rate."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from market.events.service import list_events
from tests.factories import api_signup, auth, job_body, make_employer, make_worker


def _job_body(**overrides: object) -> dict[str, object]:
    return job_body(**{"description": "两室一厅，乳胶漆", **overrides})


def test_register_then_login_with_the_same_phone(client: TestClient, session: Session) -> None:
    body = {
        "phone": "+86 138-0013-8000",
        "password": "s3cret-pass",
        "name": "张三",
        "role": "worker",
    }
    created = api_signup(client, session, body)
    assert created.status_code == 201, created.text
    assert created.json()["user"]["phone"] == "13800138000"
    again = api_signup(client, session, body)  # the holder of the phone is told, with a code
    assert again.status_code == 409
    wrong = client.post(
        "/api/v1/auth/login", json={"phone": "13800138000", "password": "nope-nope"}
    )
    assert wrong.status_code == 401
    ok = client.post("/api/v1/auth/login", json={"phone": "13800138000", "password": "s3cret-pass"})
    assert ok.status_code == 200
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {ok.json()['token']}"})
    assert me.json()["name"] == "张三"


def test_logout_ends_the_session(client: TestClient, session: Session) -> None:
    headers = auth(session, make_worker(session))
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_gig_from_posting_to_rating(client: TestClient, session: Session) -> None:
    employer = make_employer(session)
    worker = make_worker(session, trades=(("painter", 2),), lat=37.54, lon=121.26)
    boss, me = auth(session, employer), auth(session, worker)

    posted = client.post("/api/v1/jobs", json=_job_body(), headers=boss)
    assert posted.status_code == 201, posted.text
    job = posted.json()
    assert job["trade"] == "painter" and job["slots_left"] == 2

    feed = client.get("/api/v1/worker/feed", headers=me)
    assert feed.status_code == 200, feed.text
    items = feed.json()["items"]
    assert [i["job"]["id"] for i in items] == [job["id"]]
    assert "km" in items[0]["reason"] and "320" in items[0]["reason"]

    claim = client.post(f"/api/v1/jobs/{job['id']}/claim", headers=me)
    assert claim.status_code == 201 and claim.json()["status"] == "applied"
    mine = client.get("/api/v1/worker/applications", headers=me).json()
    assert mine[0]["employer"] is None  # no phone number before the hire

    applicants = client.get(f"/api/v1/jobs/{job['id']}/applications", headers=boss).json()
    assert applicants[0]["contact"] is None
    app_id = applicants[0]["id"]
    confirmed = client.post(f"/api/v1/applications/{app_id}/confirm", headers=boss)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"

    mine = client.get("/api/v1/worker/applications", headers=me).json()
    assert mine[0]["employer"]["phone"] == employer.phone
    applicants = client.get(f"/api/v1/jobs/{job['id']}/applications", headers=boss).json()
    assert applicants[0]["contact"]["phone"] == worker.phone

    too_early = client.post(f"/api/v1/jobs/{job['id']}/complete", headers=boss)
    assert too_early.status_code == 409
    kinds = [e.kind for e in list_events(session=session, job_id=job["id"])]
    assert kinds == ["job.posted", "application.created", "application.confirmed"]


def test_instant_job_claim_is_the_hire_and_fills_the_job(
    client: TestClient, session: Session
) -> None:
    boss = auth(session, make_employer(session))
    job = client.post(
        "/api/v1/jobs", json=_job_body(headcount=1, instant=True), headers=boss
    ).json()
    worker = make_worker(session)
    claim = client.post(f"/api/v1/jobs/{job['id']}/claim", headers=auth(session, worker))
    assert claim.json()["status"] == "confirmed"
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=boss).json()["status"] == "filled"
    late = client.post(
        f"/api/v1/jobs/{job['id']}/claim", headers=auth(session, make_worker(session))
    )
    assert late.status_code == 409
    assert late.json()["detail"] == "该工作已招满"


def test_feed_leans_away_from_a_job_others_already_queue_for(
    client: TestClient, session: Session
) -> None:
    from tests.factories import make_job

    employer = make_employer(session)
    crowded = make_job(session, employer=employer, headcount=1, wage=330, lat=37.5400, lon=121.2570)
    quiet = make_job(session, employer=employer, headcount=1, wage=320, lat=37.5402, lon=121.2572)
    other = make_job(session, employer=employer, headcount=1, wage=325, lat=37.5401, lon=121.2571)
    me = auth(session, make_worker(session, lat=37.5391, lon=121.2566))
    before = [i["job"]["id"] for i in client.get("/api/v1/worker/feed", headers=me).json()["items"]]
    assert before[0] == crowded.id  # best paid, all else nearly equal
    for _ in range(6):
        rival = make_worker(session, lat=37.5391, lon=121.2566)
        assert (
            client.post(
                f"/api/v1/jobs/{crowded.id}/claim", headers=auth(session, rival)
            ).status_code
            == 201
        )
    after = [i["job"]["id"] for i in client.get("/api/v1/worker/feed", headers=me).json()["items"]]
    assert set(after) == {crowded.id, quiet.id, other.id}  # nothing hidden
    assert after[0] != crowded.id


def test_editing_a_job_without_changes_writes_nothing(client: TestClient, session: Session) -> None:
    boss = auth(session, make_employer(session))
    job = client.post("/api/v1/jobs", json=_job_body(), headers=boss).json()
    before = len(list_events(session=session, job_id=job["id"]))
    same = client.patch(f"/api/v1/jobs/{job['id']}", json={"wage": 320}, headers=boss)
    empty = client.patch(f"/api/v1/jobs/{job['id']}", json={}, headers=boss)
    assert same.status_code == empty.status_code == 200
    assert len(list_events(session=session, job_id=job["id"])) == before
    raised = client.patch(f"/api/v1/jobs/{job['id']}", json={"wage": 350}, headers=boss)
    assert raised.json()["wage"] == 350
    assert len(list_events(session=session, job_id=job["id"])) == before + 1
