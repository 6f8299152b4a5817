"""Statistics, CSV export and morning dispatch through the staff API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from market.events.service import list_events
from market.i18n import local
from market.models import Job, User
from tests.factories import auth, make_employer, make_job, make_staff, make_worker, tomorrow_at
from tests.staff_factories import make_posted_job


def test_stats_endpoints_give_todays_figures_and_the_gap_first(
    client: TestClient, session: Session
) -> None:
    make_posted_job(session, created_at=datetime.now(UTC), headcount=4, confirmed=1)
    make_worker(session)
    staff = auth(session, make_staff(session))
    summary = client.get("/api/v1/staff/stats/summary", headers=staff).json()
    assert summary["figures"]["slots_offered"] == 4 and summary["figures"]["fill_rate"] == 0.25
    gap = client.get("/api/v1/staff/stats/gap?by=trade", headers=staff).json()
    assert gap[0]["trade"] == "painter" and gap[0]["trade_name"] == "油漆工"
    trades = client.get(
        "/api/v1/staff/stats/breakdown/trade", headers={**staff, "Accept-Language": "en"}
    ).json()
    assert trades[0]["name"] == "Painter" and trades[0]["unfilled"] == 3


def test_every_stats_table_exports_as_csv_with_a_bom_and_chinese_headers(
    client: TestClient, session: Session
) -> None:
    make_posted_job(session, created_at=datetime.now(UTC))
    staff = auth(session, make_staff(session))
    for table in ("summary", "gap", "trade", "district", "day", "hour"):
        response = client.get(f"/api/v1/staff/stats/export/{table}.csv", headers=staff)
        assert response.status_code == 200, (table, response.text)
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        assert response.content.startswith(b"\xef\xbb\xbf")
    gap = client.get("/api/v1/staff/stats/export/gap.csv", headers=staff).text
    assert gap.splitlines()[0].lstrip("\ufeff").startswith("工种,区县")
    assert "油漆工" in gap


def test_a_reversed_or_too_long_period_is_refused(client: TestClient, session: Session) -> None:
    staff = auth(session, make_staff(session))
    session.commit()  # each refused request rolls back only its own work
    reversed_ = client.get(
        "/api/v1/staff/stats/summary?first=2026-05-02&last=2026-05-01", headers=staff
    )
    assert reversed_.status_code == 422 and reversed_.json()["detail"] == "结束日期不能早于开始日期"
    long = client.get("/api/v1/staff/stats/gap?first=2024-01-01&last=2026-01-01", headers=staff)
    assert long.status_code == 422
    assert client.get("/api/v1/staff/stats/breakdown/week", headers=staff).status_code == 422


def _morning_market(session: Session) -> tuple[Job, list[int]]:
    job = make_job(session, employer=make_employer(session), headcount=2, start_at=tomorrow_at(1))
    job.district = "芝罘区"
    session.add(job)
    workers = [make_worker(session, name=f"工人{i}").id or 0 for i in range(3)]
    make_worker(session, trades=(("cook", 2),))  # no painter: never proposed
    return job, workers


def test_dispatch_plan_proposes_the_best_assignment_and_leaves_nothing_written(
    client: TestClient, session: Session
) -> None:
    job, workers = _morning_market(session)
    day = local(job.start_at).date().isoformat()
    staff = auth(session, make_staff(session))
    before = len(list_events(session=session))
    plan = client.get(f"/api/v1/staff/dispatch/plan?day={day}&district=芝罘区", headers=staff)
    assert plan.status_code == 200, plan.text
    body = plan.json()
    assert len(body["assignments"]) == 2 and body["unfilled"] == []
    assert {a["worker_id"] for a in body["assignments"]} <= set(workers)
    assert "km" in body["assignments"][0]["reason"] and body["idle_workers"] == 1
    assert len(list_events(session=session)) == before
    other = client.get(f"/api/v1/staff/dispatch/plan?day={day}&district=莱山区", headers=staff)
    assert other.json()["assignments"] == []


def test_sent_proposals_are_accepted_through_the_normal_hire_path(
    client: TestClient, session: Session
) -> None:
    job, _ = _morning_market(session)
    day = local(job.start_at).date().isoformat()
    staff = auth(session, make_staff(session))
    sent = client.post("/api/v1/staff/dispatch/send", json={"day": day}, headers=staff)
    assert sent.status_code == 201, sent.text
    first, second = sent.json()
    replan = client.get(f"/api/v1/staff/dispatch/plan?day={day}", headers=staff).json()
    assert replan["assignments"] == []  # slots held by open proposals
    worker_a = auth(session, make_worker_user(session, first["worker_id"]))
    mine = client.get("/api/v1/worker/proposals", headers=worker_a).json()
    assert mine[0]["id"] == first["id"] and mine[0]["job"]["id"] == job.id
    accepted = client.post(f"/api/v1/worker/proposals/{first['id']}/accept", headers=worker_a)
    assert accepted.status_code == 200 and accepted.json()["status"] == "confirmed"
    assert (
        client.post(f"/api/v1/worker/proposals/{first['id']}/accept", headers=worker_a).status_code
        == 409
    )
    assert (
        client.post(
            f"/api/v1/worker/proposals/{second['id']}/decline", headers=worker_a
        ).status_code
        == 404
    )  # someone else's proposal
    worker_b = auth(session, make_worker_user(session, second["worker_id"]))
    declined = client.post(f"/api/v1/worker/proposals/{second['id']}/decline", headers=worker_b)
    assert declined.json()["status"] == "declined"
    session.refresh(job)
    assert job.confirmed_count == 1
    kinds = [e.kind for e in list_events(session=session, job_id=job.id)]
    assert kinds.count("dispatch.proposed") == 2
    assert kinds[-4:] == [
        "application.created", "application.confirmed", "dispatch.accepted", "dispatch.declined"
    ]  # fmt: skip
    listing = client.get(f"/api/v1/staff/dispatch/sent?day={day}", headers=staff).json()
    assert sorted(p["status"] for p in listing) == ["accepted", "declined"]
    printed = client.get(f"/api/v1/staff/dispatch/print?day={day}", headers=staff)
    assert "派工名单" in printed.text and listing[0]["worker_name"] in printed.text
    csv = client.get(f"/api/v1/staff/dispatch/sent.csv?day={day}", headers=staff)
    assert csv.content.startswith(b"\xef\xbb\xbf") and "已接受" in csv.text


def test_sending_a_pair_the_fresh_plan_does_not_contain_is_refused(
    client: TestClient, session: Session
) -> None:
    job, _ = _morning_market(session)
    day = local(job.start_at).date().isoformat()
    staff = auth(session, make_staff(session))
    session.commit()  # each refused request rolls back only its own work
    response = client.post(
        "/api/v1/staff/dispatch/send",
        json={"day": day, "only": [{"job_id": job.id, "worker_id": 999_999}]},
        headers=staff,
    )
    assert response.status_code == 409
    empty_day = (local(job.start_at) + timedelta(days=3)).date().isoformat()
    nothing = client.post("/api/v1/staff/dispatch/send", json={"day": empty_day}, headers=staff)
    assert nothing.status_code == 409


def make_worker_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    assert user is not None
    return user
