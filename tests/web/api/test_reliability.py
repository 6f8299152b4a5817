"""Strikes and appeals through the API: the worker's record, an appeal, the staff's decision,
and the active count employers see among applicants; bad requests write nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.applications import service as application_service
from market.models import Event, Strike, StrikeAppeal, User
from market.types import utcnow
from tests.factories import auth, make_employer, make_job, make_staff, make_worker

ZH, EN = {"Accept-Language": "zh-CN"}, {"Accept-Language": "en"}


def _no_show(session: Session) -> tuple[User, User, Strike]:
    """A worker hired for a shift that started an hour ago, marked absent by the employer."""
    employer, worker = make_employer(session), make_worker(session)
    job = make_job(session, employer=employer, headcount=2, start_at=utcnow() + timedelta(hours=5))
    application = application_service.application_claim(
        session=session, job_id=job.id or 0, worker=worker, now=job.start_at - timedelta(days=1)
    ).application
    application_service.application_confirm(
        session=session,
        application=application,
        employer=employer,
        now=job.start_at - timedelta(days=1),
    )
    application_service.application_no_show(
        session=session,
        application=application,
        employer=employer,
        now=job.start_at + timedelta(hours=1),
    )
    strike = session.exec(select(Strike).where(Strike.worker_id == worker.id)).one()
    return employer, worker, strike


def _rows(session: Session) -> list[Any]:
    session.expire_all()
    return [
        [a.model_dump() for a in session.exec(select(StrikeAppeal)).all()],
        [s.model_dump() for s in session.exec(select(Strike)).all()],
        session.exec(select(Event.id)).all(),
    ]


def test_the_worker_sees_the_strike_and_why_and_appeals_it(
    client: TestClient, session: Session
) -> None:
    _employer, worker, strike = _no_show(session)
    me = auth(session, worker)
    record = client.get("/api/v1/worker/record", headers={**me, **EN}).json()
    assert record["active_strikes"] == 1 and record["clean_shifts_to_expire"] == 3
    [row] = record["strikes"]
    assert (row["kind"], row["state"], row["clean_shifts_left"], row["can_appeal"]) == (
        "no_show",
        "active",
        3,
        True,
    )
    assert row["why"] == "Marked as not having come to work"
    zh = client.get("/api/v1/worker/record", headers={**me, **ZH}).json()
    assert zh["strikes"][0]["why"] == "被标记为未到岗"

    filed = client.post(
        f"/api/v1/worker/strikes/{strike.id}/appeal",
        json={"text": "我去了，老板记错了"},
        headers=me,
    )
    assert filed.status_code == 201, filed.text
    assert filed.json()["status"] == "open"
    after = client.get("/api/v1/worker/record", headers=me).json()["strikes"][0]
    assert after["appeal"]["text"] == "我去了，老板记错了" and not after["can_appeal"]


def test_staff_see_open_appeals_and_decide_them(client: TestClient, session: Session) -> None:
    _employer, worker, strike = _no_show(session)
    me, staff = auth(session, worker), auth(session, make_staff(session))
    appeal = client.post(
        f"/api/v1/worker/strikes/{strike.id}/appeal", json={"text": "我去了"}, headers=me
    ).json()
    queue = client.get("/api/v1/staff/appeals", headers=staff).json()
    mine = [o for o in queue if o["appeal"]["id"] == appeal["id"]]
    assert mine and mine[0]["active_strikes"] == 1 and mine[0]["worker_id"] == worker.id
    decided = client.post(
        f"/api/v1/staff/appeals/{appeal['id']}/decide",
        json={"upheld": True, "reason": "签到记录显示他到了"},
        headers=staff,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "upheld"
    record = client.get("/api/v1/worker/record", headers=me).json()
    assert record["active_strikes"] == 0 and record["strikes"][0]["state"] == "voided"
    seen = client.get(f"/api/v1/staff/users/{worker.id}/record", headers=staff).json()
    assert seen["strikes"][0]["appeal"]["decision_reason"] == "签到记录显示他到了"
    told = session.exec(select(Event).where(Event.kind == "strike.appeal_decided")).all()
    assert [e.worker_id for e in told][-1] == worker.id


def test_employers_see_an_applicants_active_strikes_only(
    client: TestClient, session: Session
) -> None:
    _old_boss, worker, _strike = _no_show(session)
    employer = make_employer(session)
    job = make_job(session, employer=employer)
    application_service.application_claim(session=session, job_id=job.id or 0, worker=worker)
    rows = client.get(f"/api/v1/jobs/{job.id}/applications", headers=auth(session, employer)).json()
    assert [(r["worker_id"], r["active_strikes"]) for r in rows] == [(worker.id, 1)]
    assert "strikes" not in rows[0]


def test_bad_appeals_and_decisions_are_refused_in_both_languages_and_write_nothing(
    client: TestClient, session: Session
) -> None:
    _employer, worker, strike = _no_show(session)
    me, stranger = auth(session, worker), auth(session, make_worker(session))
    staff = auth(session, make_staff(session))
    url = f"/api/v1/worker/strikes/{strike.id}/appeal"
    session.commit()  # a refused request rolls back to here
    before = _rows(session)
    for headers, body, status, zh, en in (
        (stranger, {"text": "x"}, 404, "找不到这条违约记录", "Strike not found"),
        (me, {"text": ""}, 422, None, None),
        (me, {"text": "x" * 301}, 422, None, None),
    ):
        for lang, detail in ((ZH, zh), (EN, en)):
            answer = client.post(url, json=body, headers={**headers, **lang})
            assert answer.status_code == status, answer.text
            if detail is not None:
                assert answer.json()["detail"] == detail
    assert (
        client.post(
            "/api/v1/worker/strikes/999999/appeal", json={"text": "x"}, headers=me
        ).status_code
        == 404
    )
    assert client.post(url, json={"text": "x"}, headers=staff).status_code == 403
    assert client.get("/api/v1/staff/appeals", headers=me).status_code == 403
    assert _rows(session) == before

    appeal = client.post(url, json={"text": "我去了"}, headers=me).json()
    before = _rows(session)
    again = client.post(url, json={"text": "again"}, headers={**me, **EN})
    assert (again.status_code, again.json()["detail"]) == (
        409,
        "You have already appealed this strike",
    )
    again_zh = client.post(url, json={"text": "again"}, headers={**me, **ZH})
    assert again_zh.json()["detail"] == "你已经对这条记录申诉过了"
    decide = f"/api/v1/staff/appeals/{appeal['id']}/decide"
    assert client.post(decide, json={"upheld": True}, headers=staff).status_code == 422
    assert client.post(decide, json={"upheld": True, "reason": "x"}, headers=me).status_code == 403
    missing = client.post(
        "/api/v1/staff/appeals/999999/decide",
        json={"upheld": True, "reason": "x"},
        headers={**staff, **EN},
    )
    assert (missing.status_code, missing.json()["detail"]) == (404, "Appeal not found")
    assert _rows(session) == before
    assert (
        client.post(decide, json={"upheld": False, "reason": "无证据"}, headers=staff).status_code
        == 200
    )
    twice = client.post(decide, json={"upheld": True, "reason": "x"}, headers={**staff, **ZH})
    assert (twice.status_code, twice.json()["detail"]) == (409, "这条申诉已经处理过了")
