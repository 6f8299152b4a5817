"""Union staff make station-staff accounts and read assisted placements by station (API)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from market.models import Role, User
from market.stats.periods import today
from tests.factories import (
    auth,
    make_assisted_worker,
    make_job,
    make_staff,
    make_station,
    make_station_staff,
    next_phone,
)
from tests.market.service_helpers import hire, snapshot


def test_staff_make_a_station_staff_account_and_bad_input_writes_nothing(
    client: TestClient, session: Session
) -> None:
    station = make_station(session)
    headers = auth(session, make_staff(session))
    session.commit()  # a refused request rolls back what the test has not committed
    url = f"/api/v1/staff/stations/{station.id}/staff"
    body = {"phone": next_phone(), "name": "驿站小刘", "password": "station-pass-1"}
    before = snapshot(session)
    for bad, field in (
        ({**body, "password": "short"}, "password"),
        ({**body, "phone": "12345"}, "phone"),
        ({k: v for k, v in body.items() if k != "name"}, "name"),
        ({**body, "role": "staff"}, "role"),
    ):
        answer = client.post(url, json=bad, headers=headers)
        assert answer.status_code == 422, answer.text
        assert field in answer.text
    english = client.post(
        url, json={**body, "password": "x"}, headers={**headers, "Accept-Language": "en"}
    )
    chinese = client.post(url, json={**body, "password": "x"}, headers=headers)
    assert english.json() != chinese.json()
    missing = client.post(f"/api/v1/staff/stations/{10**9}/staff", json=body, headers=headers)
    assert missing.status_code == 404
    assert snapshot(session) == before
    made = client.post(url, json=body, headers=headers)
    assert made.status_code == 201, made.text
    user = session.get(User, made.json()["id"])
    assert user is not None and user.role == Role.station
    assert made.json()["station_id"] == station.id
    again = client.post(url, json=body, headers=headers)
    assert again.status_code == 409


def test_assisted_placements_by_station_in_the_period(client: TestClient, session: Session) -> None:
    station = make_station(session, name="福山驿站")
    staff = make_station_staff(session, station=station)
    job = make_job(session, headcount=3)
    for name in ("老孙", "老赵"):
        hire(
            session,
            job=job,
            worker=make_assisted_worker(session, staff=staff, name=name),
            now=job.created_at,
        )
    headers = auth(session, make_staff(session))
    session.commit()
    day = today(job.created_at).isoformat()
    rows = client.get(
        f"/api/v1/staff/stations/placements?first={day}&last={day}", headers=headers
    ).json()
    assert {"station_id": station.id, "name": "福山驿站", "placements": 2} in rows
    bad = client.get("/api/v1/staff/stations/placements?first=yesterday", headers=headers)
    assert bad.status_code == 422
