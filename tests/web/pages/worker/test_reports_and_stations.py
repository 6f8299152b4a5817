"""Worker-facing bits of the staff issue: nearest stations, joining the union, employer badge."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from market.membership import service as membership_service
from market.models import EmployerProfile
from market.stations import service as station_service
from market.stations.schemas import StationCreate
from tests.factories import YANTAI, make_employer, make_job, make_worker
from tests.web.pages.staff.helpers import log_in


def test_feed_profile_and_my_jobs_show_the_nearest_open_station(
    client: TestClient, session: Session
) -> None:
    near = StationCreate(
        name="南大街驿站",
        address="南大街 1 号",
        lat=YANTAI[0],
        lon=YANTAI[1] + 0.02,
        hours="每天 6:00-20:00",
        phone="0535-6688123",
    )
    station_service.station_create(session=session, data=near)
    closed = station_service.station_create(
        session=session,
        data=StationCreate(name="已关闭驿站", address="某路", lat=YANTAI[0], lon=YANTAI[1]),
    )
    closed.active = False
    worker = make_worker(session)
    session.commit()
    log_in(client, worker, page="/feed")
    for page in ("/feed", "/profile", "/my/jobs"):
        html = client.get(page).text
        assert "南大街驿站" in html and "1.8\u00a0km" in html and "tel:0535-6688123" in html, page
        assert "已关闭驿站" not in html


def test_worker_applies_to_join_the_union_from_the_profile(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    session.commit()
    token = log_in(client, worker, page="/profile")
    assert "申请入会" in client.get("/profile").text
    answer = client.post("/profile/union", data={"csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303
    page = client.get(answer.headers["location"]).text
    assert "申请已提交" in page and "正在等待工会审核" in page and "申请入会" not in page
    membership = membership_service.get_membership(session=session, user_id=worker.id or 0)
    assert membership is not None and membership.status == "pending"
    refused = client.post("/profile/union", data={})
    assert refused.status_code == 403  # no form token


def test_job_page_shows_the_employers_verified_badge_and_record(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session)
    profile = session.get(EmployerProfile, employer.id)
    assert profile is not None
    profile.verified, profile.rating_sum, profile.rating_count = True, 9, 2
    job = make_job(session, employer=employer)
    worker = make_worker(session)
    session.commit()
    log_in(client, worker, page="/feed")
    html = client.get(f"/jobs/{job.id}").text
    assert "工会认证用工方" in html and "2 位工人评分 4.5" in html
    profile.verified = False
    session.commit()
    assert "尚未通过工会认证" in client.get(f"/jobs/{job.id}").text
