"""The wage floor page of the staff console, without JavaScript; the dashboard's count."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.events.service import list_events
from market.models import WageFloor, WageFloorRefusal
from tests.factories import make_employer, make_staff
from tests.web.pages.staff.helpers import log_in


def _staff(client: TestClient, session: Session) -> str:
    staff = make_staff(session)
    session.commit()
    return log_in(client, staff, "/staff/wage-floors")


def test_staff_set_a_floor_and_remove_it(client: TestClient, session: Session) -> None:
    token = _staff(client, session)
    page = client.get("/staff/wage-floors").text
    assert "工会最低工资标准" in page and "还没有设置最低工资标准。" in page
    assert 'href="/staff/wage-floors" aria-current="page"' in page

    saved = client.post(
        "/staff/wage-floors",
        data={"csrf_token": token, "trade": "welder", "district": "芝罘区", "daily_wage": "380"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    floor = session.exec(select(WageFloor)).one()
    assert (floor.trade, floor.district, floor.daily_wage) == ("welder", "芝罘区", 380)
    listed = client.get(saved.headers["location"]).text
    assert "最低工资标准已保存。" in listed and "¥380" in listed and "焊工" in listed

    removed = client.post(
        f"/staff/wage-floors/{floor.id}/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert removed.status_code == 303
    assert session.exec(select(WageFloor)).all() == []


def test_a_bad_floor_comes_back_with_its_message_and_writes_nothing(
    client: TestClient, session: Session
) -> None:
    token = _staff(client, session)
    events = len(list_events(session=session))
    for form, message in (
        ({"trade": "welder", "daily_wage": "-5"}, "不能小于 50"),
        ({"trade": "", "daily_wage": "300"}, "工种"),
        ({"trade": "welder", "daily_wage": "很多"}, "整数"),
    ):
        answer = client.post("/staff/wage-floors", data={"csrf_token": token, **form})
        assert answer.status_code == 422
        assert message in answer.text, message
        assert f'value="{form["daily_wage"]}"' in answer.text  # what was typed stays
    assert session.exec(select(WageFloor)).all() == []
    assert len(list_events(session=session)) == events


def test_the_dashboard_counts_jobs_tried_under_the_floor(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session)
    session.add_all(
        WageFloorRefusal(
            trade="painter", district="芝罘区", wage=w, floor=350, employer_id=employer.id or 0
        )
        for w in (200, 300)
    )
    _staff(client, session)
    page = client.get("/staff").text
    assert "试图低于最低工资标准的工作" in page
    assert '<a href="/staff/wage-floors">2</a>' in page
    floors = client.get("/staff/wage-floors").text
    assert "近 30 天低于最低标准被拒的工作" in floors and "¥200" in floors
