"""The union wage floor through the staff API, and jobs posted under it through the API."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.models import Job, WageFloor, WageFloorRefusal
from tests.factories import auth, job_body, make_employer, make_staff, make_worker

FLOORS = "/api/v1/staff/wage-floors"


@pytest.fixture
def staff(session: Session) -> dict[str, str]:
    return auth(session, make_staff(session))


def test_staff_set_list_and_remove_floors(client: TestClient, staff: dict[str, str]) -> None:
    trade = client.put(FLOORS, json={"trade": "油漆工", "daily_wage": 300}, headers=staff)
    district = client.put(
        FLOORS, json={"trade": "painter", "district": "芝罘区", "daily_wage": 360}, headers=staff
    )
    assert (trade.status_code, district.status_code) == (200, 200)
    assert trade.json()["trade"] == "painter" and trade.json()["district"] == ""
    again = client.put(FLOORS, json={"trade": "painter", "daily_wage": 320}, headers=staff)
    assert again.json()["id"] == trade.json()["id"]

    listed = client.get(FLOORS, headers=staff).json()
    assert [(f["district"], f["daily_wage"]) for f in listed] == [("", 320), ("芝罘区", 360)]

    gone = client.delete(f"{FLOORS}/{district.json()['id']}", headers=staff)
    assert gone.status_code == 204
    assert [f["district"] for f in client.get(FLOORS, headers=staff).json()] == [""]
    missing = client.delete(f"{FLOORS}/{district.json()['id']}", headers=staff)
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("body", "field", "zh"),
    [
        ({"trade": "painter", "daily_wage": -50}, "daily_wage", "不能小于 50"),
        ({"trade": "painter", "daily_wage": 99999}, "daily_wage", "5000"),
        ({"trade": "宇航员", "daily_wage": 300}, "trade", "工种"),
        ({"trade": "painter", "daily_wage": "三百"}, "daily_wage", "整数"),
        ({"trade": "painter", "daily_wage": 300, "district": "区" * 41}, "district", "40"),
        ({"daily_wage": 300}, "trade", "必填"),
    ],
)
def test_a_bad_floor_is_a_clear_422_and_writes_nothing(
    client: TestClient,
    session: Session,
    staff: dict[str, str],
    body: dict[str, Any],
    field: str,
    zh: str,
) -> None:
    answer = client.put(FLOORS, json=body, headers={**staff, "Accept-Language": "zh-CN"})
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["field"] == field and zh in error["message"], error
    assert session.exec(select(WageFloor)).all() == []


def test_only_staff_may_touch_floors(client: TestClient, session: Session) -> None:
    callers = [auth(session, make_employer(session)), auth(session, make_worker(session))]
    session.commit()  # a refused request rolls back what the test has not committed
    for headers in callers:
        assert client.get(FLOORS, headers=headers).status_code == 403
        put = client.put(FLOORS, json={"trade": "painter", "daily_wage": 50}, headers=headers)
        assert put.status_code == 403
    assert client.get(FLOORS).status_code == 401
    assert session.exec(select(WageFloor)).all() == []


def test_a_job_below_the_floor_is_refused_naming_it_and_counted(
    client: TestClient, session: Session, staff: dict[str, str]
) -> None:
    client.put(FLOORS, json={"trade": "painter", "daily_wage": 350}, headers=staff)
    boss = auth(session, make_employer(session))
    session.commit()  # a refused request rolls back what the test has not committed

    zh = client.post("/api/v1/jobs", json=job_body(wage=300), headers=boss)
    en = client.post(
        "/api/v1/jobs", json=job_body(wage=200), headers={**boss, "Accept-Language": "en"}
    )

    assert (zh.status_code, en.status_code) == (422, 422)
    assert zh.json()["detail"] == "本工种日薪不得低于 350 元（工会最低标准）"
    assert zh.json()["errors"] == [{"field": "wage", "message": zh.json()["detail"]}]
    assert en.json()["detail"] == (
        "The pay for this trade may not be below 350 yuan a day (the union's floor)"
    )
    assert session.exec(select(Job)).all() == []  # nothing of the job was written
    counted = session.exec(select(WageFloorRefusal)).all()
    assert sorted(r.wage for r in counted) == [200, 300]

    [row] = client.get(f"{FLOORS}/refusals", headers=staff).json()
    assert (row["trade"], row["district"], row["attempts"], row["lowest_wage"]) == (
        "painter",
        "芝罘区",
        2,
        200,
    )
    at_floor = client.post("/api/v1/jobs", json=job_body(wage=350), headers=boss)
    assert at_floor.status_code == 201


def test_cutting_a_posted_jobs_pay_below_the_floor_is_refused(
    client: TestClient, session: Session, staff: dict[str, str]
) -> None:
    boss = auth(session, make_employer(session))
    job = client.post("/api/v1/jobs", json=job_body(wage=400), headers=boss).json()
    client.put(FLOORS, json={"trade": "painter", "daily_wage": 350}, headers=staff)
    cut = client.patch(f"/api/v1/jobs/{job['id']}", json={"wage": 300}, headers=boss)
    assert cut.status_code == 422
    assert cut.json()["detail"] == "本工种日薪不得低于 350 元（工会最低标准）"
    [refusal] = session.exec(select(WageFloorRefusal)).all()
    assert (refusal.job_id, refusal.wage) == (job["id"], 300)
    assert session.get_one(Job, job["id"]).wage == 400
