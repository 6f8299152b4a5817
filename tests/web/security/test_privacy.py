"""A user's own data: export all of it, delete the account; employers never see locations."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.models import Application, Rating, Report, User, WorkerProfile
from tests.factories import PASSWORD, auth, make_job, make_worker
from tests.web.security.test_access_walk import EXPECTED, expected
from tests.web.security.world import fill, http_routes, log_in_with_cookie, make_world

HOME = (37.512347, 121.398761)  # distinctive: any trace of them in a response is a leak
NOW = (37.523459, 121.387653)


def _rate(session: Session, application: Application, from_id: int, to_id: int) -> None:
    session.add(
        Rating(
            application_id=application.id or 0,
            from_user_id=from_id,
            to_user_id=to_id,
            stars=4,
            comment="准时，干活细",
        )
    )
    session.flush()


def test_export_holds_profile_applications_ratings_and_reports(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    worker, employer = world.worker, world.employer
    _rate(session, world.application, worker.id or 0, employer.id or 0)
    _rate(session, world.application, employer.id or 0, worker.id or 0)
    data = client.get("/api/v1/me/export", headers=auth(session, worker)).json()
    assert data["account"]["phone"] == worker.phone and "password_hash" not in data["account"]
    assert data["worker_profile"]["home_lat"] is not None
    assert data["trades"] and data["weekly_availability"]
    assert [a["id"] for a in data["applications"]] == [world.application.id, world.hire.id]
    assert [a["id"] for a in data["attendance"]] == [world.entry.id]
    assert [p["id"] for p in data["payments"]] == [world.payment.id]
    assert len(data["ratings_given"]) == len(data["ratings_received"]) == 1
    assert [r["id"] for r in data["reports"]] == [world.report.id]
    assert [p["id"] for p in data["dispatch_proposals"]] == [world.proposal.id]


def test_deleting_my_account_erases_me_and_keeps_the_history(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    worker = world.worker
    phone = worker.phone
    _rate(session, world.application, worker.id or 0, world.employer.id or 0)
    headers = auth(session, worker)
    answer = client.delete("/api/v1/me", headers=headers)
    assert answer.status_code == 204, answer.text
    gone = session.get(User, worker.id)
    assert gone is not None and gone.deleted_at is not None and not gone.is_active
    assert gone.name == "" and gone.phone != phone
    profile = session.get(WorkerProfile, worker.id)
    assert profile is not None and profile.home_lat is None and profile.home_lon is None
    application = session.get(Application, world.application.id)
    assert application is not None and application.status == "withdrawn"  # the row stays
    assert session.exec(select(Report).where(Report.worker_id == worker.id)).first()
    rating = session.exec(select(Rating).where(Rating.from_user_id == worker.id)).one()
    assert rating.stars == 4 and rating.comment == ""
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    login = client.post("/api/v1/auth/login", json={"phone": phone, "password": PASSWORD})
    assert login.status_code == 401


def test_deleting_is_refused_while_hired_for_work_not_yet_done(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    job = make_job(session, instant=True)
    headers = auth(session, worker)
    assert client.post(f"/api/v1/jobs/{job.id}/claim", headers=headers).status_code == 201
    answer = client.delete("/api/v1/me", headers=headers)
    assert answer.status_code == 409
    assert "请先取消" in answer.json()["detail"]
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200


def test_no_employer_facing_answer_shows_a_workers_location_or_phone_before_a_hire(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    profile = session.get(WorkerProfile, world.worker.id)
    assert profile is not None
    profile.home_lat, profile.home_lon = HOME
    profile.available_now, (profile.now_lat, profile.now_lon) = True, NOW
    session.add(profile)
    cookie, _csrf = log_in_with_cookie(session, world.employer)
    session.commit()
    secrets = [world.worker.phone, *(f"{v:.4f}" for v in (*HOME, *NOW))]
    client.cookies.set("lg_session", cookie)
    seen = 0
    for method, template, _page in http_routes(client.app):  # type: ignore[arg-type]
        allowed = expected(method, template) or frozenset()
        if method != "GET" or "my_employer" not in allowed:
            continue
        if "{record_id}" in template:  # a work record is a hire's: contact is shared by then
            continue
        path = fill(template, world.path_ids(template))
        answer = client.get(path, params={"lat": 37.5, "lon": 121.3})
        text = answer.text
        leaks = [s for s in secrets if s in text]
        assert leaks == [], (template, leaks)
        seen += 1
    assert seen >= 10
    assert ("GET", "/api/v1/jobs/{job_id}/candidates") in EXPECTED
    client.cookies.clear()
