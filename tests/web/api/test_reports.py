"""Wage-arrears reports, employer reliability, moderation, stations and membership, via the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.events.service import list_events
from market.models import Report
from tests.factories import PASSWORD, auth, make_employer, make_job, make_staff, make_worker
from tests.staff_factories import make_application

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
YESTERDAY = datetime.now(UTC) - timedelta(days=1)


def _worked_job(session: Session):  # type: ignore[no-untyped-def]
    employer, worker = make_employer(session), make_worker(session)
    job = make_job(session, employer=employer, start_at=YESTERDAY.replace(microsecond=0))
    make_application(session, job=job, worker=worker, status="completed")
    return employer, worker, job


def _form(job_id: int, **overrides: object) -> dict[str, str]:
    day = YESTERDAY.date().isoformat()
    form = {"job_id": str(job_id), "kind": "unpaid", "agreed_wage": "300", "work_from": day,
            "work_to": day, "description": "干完活老板不给钱"}  # fmt: skip
    form.update({k: str(v) for k, v in overrides.items()})
    return form


def test_worker_reports_unpaid_wages_with_a_photo_and_the_job_record_is_attached(
    client: TestClient, session: Session
) -> None:
    employer, worker, job = _worked_job(session)
    response = client.post(
        "/api/v1/reports",
        data=_form(job.id or 0),
        files={"photo": ("欠条.png", PNG, "image/png")},
        headers=auth(session, worker),
    )
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["status"] == "open" and report["has_photo"] is True
    staff = auth(session, make_staff(session))
    detail = client.get(f"/api/v1/staff/reports/{report['id']}", headers=staff).json()
    record = detail["job_record"]
    assert record["wage"] == 300 and record["employer"]["phone"] == employer.phone
    assert record["confirmed_at"] is not None and record["shift_start"].endswith("+08:00")
    photo = client.get(f"/api/v1/staff/reports/{report['id']}/photo", headers=staff)
    assert photo.headers["content-type"] == "image/png" and photo.content == PNG
    assert "report.created" in [e.kind for e in list_events(session=session, job_id=job.id)]


def test_a_photo_that_is_not_an_image_is_refused_and_nothing_is_written(
    client: TestClient, session: Session
) -> None:
    _, worker, job = _worked_job(session)
    response = client.post(
        "/api/v1/reports",
        data=_form(job.id or 0),
        files={"photo": ("x.png", b"GIF89a not really", "image/png")},
        headers={**auth(session, worker), "Accept-Language": "zh-CN"},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "照片必须是 JPEG 或 PNG 图片"
    assert session.exec(select(Report).where(Report.job_id == job.id)).all() == []


def test_a_photo_sent_as_text_is_refused_in_the_users_language(
    client: TestClient, session: Session
) -> None:
    _, worker, job = _worked_job(session)
    response = client.post(
        "/api/v1/reports",
        files={**{k: (None, v) for k, v in _form(job.id or 0).items()}, "photo": (None, "照片")},
        headers=auth(session, worker),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "photo", "message": "填写的内容无效"}]
    assert session.exec(select(Report).where(Report.job_id == job.id)).all() == []


def test_a_photo_over_two_megabytes_is_refused(client: TestClient, session: Session) -> None:
    _, worker, job = _worked_job(session)
    big = b"\xff\xd8\xff" + b"\x00" * (2 * 1024 * 1024 + 10)
    response = client.post(
        "/api/v1/reports",
        data=_form(job.id or 0),
        files={"photo": ("big.jpg", big, "image/jpeg")},
        headers=auth(session, worker),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "photo"


def test_an_upload_over_the_report_limit_is_refused_in_chinese_and_writes_nothing(
    client: TestClient, session: Session
) -> None:
    from market.models import Report
    from web.api.reports import UPLOAD_LIMIT

    _, worker, job = _worked_job(session)
    huge = b"\xff\xd8\xff" + b"\x00" * UPLOAD_LIMIT
    response = client.post(
        "/api/v1/reports",
        data=_form(job.id or 0),
        files={"photo": ("huge.jpg", huge, "image/jpeg")},
        headers=auth(session, worker),
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "提交的内容太大"
    assert session.exec(select(Report)).all() == []


def test_worker_cannot_report_a_job_they_never_applied_for(
    client: TestClient, session: Session
) -> None:
    _, _, job = _worked_job(session)
    stranger = make_worker(session)
    response = client.post(
        "/api/v1/reports", data=_form(job.id or 0), headers=auth(session, stranger)
    )
    assert response.status_code == 404


def test_reversed_dates_are_refused_with_the_field_named(
    client: TestClient, session: Session
) -> None:
    _, worker, job = _worked_job(session)
    earlier = (YESTERDAY - timedelta(days=3)).date().isoformat()
    response = client.post(
        "/api/v1/reports", data=_form(job.id or 0, work_to=earlier), headers=auth(session, worker)
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "work_to"


def test_staff_resolve_a_report_and_workers_see_it_in_the_employers_record(
    client: TestClient, session: Session
) -> None:
    _, worker, job = _worked_job(session)
    me = auth(session, worker)
    report = client.post("/api/v1/reports", data=_form(job.id or 0), headers=me).json()
    again = client.post("/api/v1/reports", data=_form(job.id or 0), headers=me)
    assert again.status_code == 409
    staff = auth(session, make_staff(session))
    queue = client.get("/api/v1/staff/reports?status=open", headers=staff).json()
    assert [r["id"] for r in queue] == [report["id"]]
    note = client.post(
        f"/api/v1/staff/reports/{report['id']}/notes",
        json={"text": "已电话联系老板，答应周五付清"},
        headers=staff,
    )
    assert note.status_code == 201
    resolved = client.post(
        f"/api/v1/staff/reports/{report['id']}/resolve",
        json={"outcome": "paid", "note": "已付清"},
        headers=staff,
    )
    assert resolved.json()["status"] == "resolved" and resolved.json()["outcome"] == "paid"
    twice = client.post(
        f"/api/v1/staff/reports/{report['id']}/resolve", json={"outcome": "paid"}, headers=staff
    )
    assert twice.status_code == 409
    record = client.get(f"/api/v1/jobs/{job.id}/employer", headers=me).json()
    assert record["unpaid_reports_upheld"] == 1 and record["verified"] is False
    mine = client.get("/api/v1/worker/reports", headers=me).json()
    assert mine[0]["outcome"] == "paid"
    kinds = [e.kind for e in list_events(session=session, job_id=job.id)]
    assert kinds[-3:] == ["report.created", "report.updated", "report.resolved"]
    csv = client.get("/api/v1/staff/reports.csv", headers=staff)
    assert csv.content.startswith("\ufeff".encode()) and "举报" in csv.text


def test_hidden_job_leaves_the_feed_refuses_claims_and_the_employer_sees_why(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session)
    job = make_job(session, employer=employer)
    worker = make_worker(session)
    me, staff = auth(session, worker), auth(session, make_staff(session))
    assert [i["job"]["id"] for i in client.get("/api/v1/worker/feed", headers=me).json()["items"]]
    hidden = client.post(
        f"/api/v1/staff/jobs/{job.id}/hide", json={"reason": "工资低于最低标准"}, headers=staff
    )
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True
    assert client.get("/api/v1/worker/feed", headers=me).json()["items"] == []
    claim = client.post(f"/api/v1/jobs/{job.id}/claim", headers=me)
    assert claim.status_code == 409 and "下架" in claim.json()["detail"]
    seen = client.get(
        f"/api/v1/employer/jobs/{job.id}/moderation", headers=auth(session, employer)
    ).json()
    assert seen == {"job_id": job.id, "hidden": True, "reason": "工资低于最低标准"}
    assert (
        client.post(
            f"/api/v1/staff/jobs/{job.id}/hide", json={"reason": "x"}, headers=staff
        ).status_code
        == 409
    )
    client.post(f"/api/v1/staff/jobs/{job.id}/unhide", headers=staff)
    assert client.post(f"/api/v1/jobs/{job.id}/claim", headers=me).status_code == 201
    kinds = [e.kind for e in list_events(session=session, job_id=job.id)]
    assert "job.hidden" in kinds and "job.unhidden" in kinds


def test_suspended_account_is_logged_out_and_cannot_log_in(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    me, staff = auth(session, worker), auth(session, make_staff(session))
    suspended = client.post(
        f"/api/v1/staff/users/{worker.id}/suspend", json={"reason": "冒用他人身份"}, headers=staff
    )
    assert suspended.status_code == 200 and suspended.json()["active"] is False
    assert client.get("/api/v1/worker/profile", headers=me).status_code == 401
    login = client.post("/api/v1/auth/login", json={"phone": worker.phone, "password": PASSWORD})
    assert login.status_code == 403
    assert login.json()["detail"] == "该账号已被工会暂停使用，请联系附近的工会驿站。"
    wrong = client.post("/api/v1/auth/login", json={"phone": worker.phone, "password": "nope-nope"})
    assert wrong.status_code == 401  # the suspension is told only to who knows the password
    client.post(f"/api/v1/staff/users/{worker.id}/reinstate", headers=staff)
    login = client.post("/api/v1/auth/login", json={"phone": worker.phone, "password": PASSWORD})
    assert login.status_code == 200


def test_staff_cannot_suspend_staff(client: TestClient, session: Session) -> None:
    other, staff = make_staff(session), auth(session, make_staff(session))
    response = client.post(
        f"/api/v1/staff/users/{other.id}/suspend", json={"reason": "x"}, headers=staff
    )
    assert response.status_code == 403


def test_verified_badge_shows_in_the_employers_record(client: TestClient, session: Session) -> None:
    employer = make_employer(session)
    staff = auth(session, make_staff(session))
    verified = client.post(
        f"/api/v1/staff/employers/{employer.id}/verify", json={"verified": True}, headers=staff
    )
    assert verified.json()["verified"] is True
    me = auth(session, make_worker(session))
    record = client.get(f"/api/v1/employers/{employer.id}/reliability", headers=me).json()
    assert record["verified"] is True and record["late_cancellations"] == 0
    assert (
        client.post(
            f"/api/v1/staff/employers/{employer.id}/verify", json={}, headers=staff
        ).status_code
        == 409
    )
    log = client.get("/api/v1/staff/moderation", headers=staff).json()
    assert log[0]["action"] == "employer.verified" and log[0]["user_id"] == employer.id


def test_staff_add_stations_and_workers_find_the_nearest(
    client: TestClient, session: Session
) -> None:
    staff = auth(session, make_staff(session))
    body = {"name": "南大街驿站", "address": "烟台市芝罘区南大街 166 号", "district": "芝罘区",
            "lat": 37.538, "lon": 121.386, "hours": "6:00-20:00",
            "services": ["water", "rest"]}  # fmt: skip
    near = client.post("/api/v1/staff/stations", json=body, headers=staff)
    assert near.status_code == 201, near.text
    far = client.post(
        "/api/v1/staff/stations", json={**body, "name": "牟平驿站", "lat": 37.388, "lon": 121.6},
        headers=staff,
    )  # fmt: skip
    bad = client.post(
        "/api/v1/staff/stations", json={**body, "services": ["massage"]}, headers=staff
    )
    assert bad.status_code == 422
    me = auth(session, make_worker(session))
    found = client.get("/api/v1/stations/nearest?lat=37.54&lon=121.38", headers=me).json()
    assert [s["name"] for s in found] == ["南大街驿站", "牟平驿站"]
    assert found[0]["distance_km"] < 1 < found[1]["distance_km"]
    closed = client.patch(
        f"/api/v1/staff/stations/{far.json()['id']}", json={"active": False}, headers=staff
    )
    assert closed.json()["active"] is False
    found = client.get("/api/v1/stations/nearest?lat=37.54&lon=121.38", headers=me).json()
    assert [s["name"] for s in found] == ["南大街驿站"]


def test_worker_applies_to_join_the_union_and_staff_approve(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    me, staff = auth(session, worker), auth(session, make_staff(session))
    assert client.get("/api/v1/worker/membership", headers=me).json() is None
    applied = client.post("/api/v1/worker/membership", headers=me)
    assert applied.status_code == 201 and applied.json()["status"] == "pending"
    pending = client.get("/api/v1/staff/memberships?status=pending", headers=staff).json()
    assert [m["user_id"] for m in pending] == [worker.id]
    decided = client.post(
        f"/api/v1/staff/memberships/{worker.id}/decide", json={"approve": True}, headers=staff
    )
    assert decided.json()["status"] == "approved"
    assert (
        client.post(
            f"/api/v1/staff/memberships/{worker.id}/decide", json={"approve": False}, headers=staff
        ).status_code
        == 409
    )
    assert client.post("/api/v1/worker/membership", headers=me).status_code == 409
    summary = client.get("/api/v1/staff/stats/summary", headers=staff).json()
    assert summary["figures"]["members"] == 1
