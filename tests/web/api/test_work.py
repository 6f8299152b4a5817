"""The work-record API: the flow both sides take, and bad input refused in the caller's
language (zh-CN and English) with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.models import Report, User
from tests.factories import auth, make_employer, make_worker
from tests.market.work.work_factories import code_on, make_hire
from tests.web.security.world import row_counts

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}
WORK_TABLES = ("attendance", "payment", "work_answer", "report", "event")


@pytest.fixture
def hire(session: Session) -> dict[str, Any]:
    """A worker hired for a shift that began an hour ago, with both sides' logins."""
    application, job = make_hire(session, start_at=datetime.now(UTC) - timedelta(hours=1))
    worker = session.get_one(User, application.worker_id)
    employer = session.get_one(User, job.employer_id)
    logins = {"worker": auth(session, worker), "employer": auth(session, employer)}
    session.commit()  # a refused request rolls back to here, not further
    return {
        "id": application.id,
        "job": job,
        **logins,
    }


def _counts(session: Session) -> dict[str, int]:
    counts = row_counts(session)
    return {t: counts[t] for t in WORK_TABLES}


def refused_in_both_languages(
    client: TestClient,
    session: Session,
    method: str,
    path: str,
    headers: dict[str, str],
    status: int,
    zh: str,
    en: str,
    **kwargs: Any,
) -> None:
    """The request is refused with `status` and the message in each language; no row moves."""
    session.commit()
    before = _counts(session)
    for language, expected in ((ZH, zh), (EN, en)):
        answer = client.request(method, path, headers={**headers, **language}, **kwargs)
        assert answer.status_code == status, answer.text
        assert expected in answer.json()["detail"], answer.json()
    assert _counts(session) == before


def test_check_in_out_pay_confirm_and_dispute_over_http(
    client: TestClient, session: Session, hire: dict[str, Any]
) -> None:
    record = f"/api/v1/work/records/{hire['id']}"
    code = client.get(f"/api/v1/work/jobs/{hire['job'].id}/code", headers=hire["employer"]).json()
    assert code["code"] == code_on(hire["job"], datetime.now(UTC))
    place = {"lat": 37.54, "lon": 121.26, "accuracy_m": 1500.0}
    answer = client.post(
        f"{record}/check-in", json={"code": code["code"], **place}, headers=hire["worker"]
    )
    assert answer.status_code == 201, answer.text
    assert (answer.json()["method"], answer.json()["by"], answer.json()["accuracy_m"]) == (
        "code",
        "worker",
        1500.0,
    )
    answer = client.post(f"{record}/check-out", json={"code": code["code"]}, headers=hire["worker"])
    assert answer.status_code == 201, answer.text

    first = client.post(
        f"{record}/payments", json={"amount": 200, "method": "wechat"}, headers=hire["employer"]
    )
    assert first.status_code == 201, first.text
    confirmed = client.post(
        f"/api/v1/work/payments/{first.json()['id']}/confirm", headers=hire["worker"]
    )
    assert confirmed.json()["verdict"] == "confirmed"
    second = client.post(
        f"{record}/payments", json={"amount": 100, "method": "cash"}, headers=hire["employer"]
    ).json()
    disputed = client.post(
        f"/api/v1/work/payments/{second['id']}/dispute",
        json={"received": 50, "note": "只拿到五十"},
        headers=hire["worker"],
    )
    assert disputed.status_code == 200, disputed.text

    seen = client.get(record, headers=hire["worker"]).json()
    assert [a["kind"] for a in seen["attendance"]] == ["check_in", "check_out"]
    assert [p["state"] for p in seen["payments"]] == ["confirmed", "disputed"]
    assert (seen["agreed_wage"], seen["paid"], seen["owed"], seen["disputed"]) == (
        300,
        200,
        100,
        True,
    )
    case = session.exec(select(Report).where(Report.work_record_id == hire["id"])).one()
    assert seen["case"] == {"report": case.id, "status": "open"}
    pay = client.get("/api/v1/work/pay", headers=hire["worker"]).json()
    assert pay["totals"] == {"days": 1, "agreed": 300, "paid": 200, "unanswered": 0, "owed": 100}
    owed = client.get("/api/v1/work/owed", headers=hire["employer"]).json()
    assert owed["groups"][0]["totals"]["owed"] == 100


@pytest.mark.parametrize(
    ("body", "zh", "en"),
    [
        ({"amount": -5, "method": "cash"}, "不能小于 1", "Must be at least 1"),
        ({"amount": 0, "method": "cash"}, "不能小于 1", "Must be at least 1"),
        ({"amount": 10**9, "method": "cash"}, "不能大于 20000", "Must be at most 20000"),
        ({"amount": True, "method": "cash"}, "请填写数字", "Must be a number"),
        ({"amount": 300, "method": "bitcoin"}, "amount", "method"),
    ],
)
def test_negative_or_absurd_amounts_are_refused(
    client: TestClient,
    session: Session,
    hire: dict[str, Any],
    body: dict[str, Any],
    zh: str,
    en: str,
) -> None:
    path = f"/api/v1/work/records/{hire['id']}/payments"
    if zh == "amount":  # the method's message is the generic one: check only the field
        session.commit()
        before = _counts(session)
        answer = client.post(path, json=body, headers=hire["employer"])
        assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "method"
        assert _counts(session) == before
        return
    refused_in_both_languages(
        client, session, "POST", path, hire["employer"], 422, zh, en, json=body
    )


def test_times_in_the_future_or_before_the_shifts_day_are_refused(
    client: TestClient, session: Session, hire: dict[str, Any]
) -> None:
    record = f"/api/v1/work/records/{hire['id']}"
    future = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    refused_in_both_languages(
        client,
        session,
        "POST",
        f"{record}/payments",
        hire["employer"],
        422,
        "时间不能晚于现在",
        "The time cannot be in the future",
        json={"amount": 100, "method": "cash", "paid_at": future},
    )
    before = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    refused_in_both_languages(
        client,
        session,
        "POST",
        f"{record}/check-in",
        hire["employer"],
        422,
        "时间不能早于上工当天",
        "The time cannot be before the shift's day",
        json={"at": before},
    )


def test_an_expired_or_wrong_code_is_refused(client: TestClient, session: Session) -> None:
    application, job = make_hire(session, start_at=datetime.now(UTC) - timedelta(days=2), hours=2)
    worker = auth(session, session.get_one(User, application.worker_id))
    old = code_on(job, job.start_at)
    refused_in_both_languages(
        client,
        session,
        "POST",
        f"/api/v1/work/records/{application.id}/check-in",
        worker,
        422,
        "签到码已过期",
        "This code has expired; ask the employer for today's code",
        json={"code": old},
    )


def test_someone_elses_job_or_record_is_refused(
    client: TestClient, session: Session, hire: dict[str, Any]
) -> None:
    stranger_employer = auth(session, make_employer(session))
    stranger_worker = auth(session, make_worker(session))
    record = f"/api/v1/work/records/{hire['id']}"
    refused_in_both_languages(
        client,
        session,
        "GET",
        f"/api/v1/work/jobs/{hire['job'].id}/code",
        stranger_employer,
        403,
        "这不是您发布的工作",
        "This is not your job",
    )
    for headers in (stranger_employer, stranger_worker):
        refused_in_both_languages(
            client,
            session,
            "GET",
            record,
            headers,
            404,
            "找不到这条记工记录",
            "Work record not found",
        )
    code = code_on(hire["job"], datetime.now(UTC))
    refused_in_both_languages(
        client,
        session,
        "POST",
        f"{record}/check-in",
        stranger_worker,
        404,
        "找不到这条记工记录",
        "Work record not found",
        json={"code": code},
    )
    refused_in_both_languages(
        client,
        session,
        "POST",
        f"{record}/payments",
        hire["worker"],
        403,
        "只有老板能记录付款",
        "Only the employer records a payment",
        json={"amount": 100, "method": "cash"},
    )
