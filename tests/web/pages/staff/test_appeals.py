"""The staff's appeal queue: a worker's appeal with their active strikes, decided with a
reason; the moderation page shows active strikes beside "suspend"."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.applications import service as application_service
from market.models import Strike, StrikeAppeal
from market.reliability import service as reliability_service
from tests.factories import make_employer, make_job, make_staff, make_worker
from tests.web.pages.staff.helpers import log_in


def _appeal(session: Session) -> tuple[int, int]:
    employer, worker = make_employer(session), make_worker(session, name="赵师傅")
    job = make_job(session, employer=employer, instant=True, title="搬砖")
    application = application_service.application_claim(
        session=session, job_id=job.id or 0, worker=worker, now=job.start_at - timedelta(days=1)
    ).application
    application_service.application_no_show(
        session=session,
        application=application,
        employer=employer,
        now=job.start_at + timedelta(hours=1),
    )
    strike = session.exec(select(Strike).where(Strike.worker_id == worker.id)).one()
    appeal = reliability_service.appeal_file(
        session=session, strike_id=strike.id or 0, worker=worker, text="我去了，老板记错了"
    )
    session.commit()
    return appeal.id or 0, worker.id or 0


def test_staff_decide_an_appeal_from_the_queue(client: TestClient, session: Session) -> None:
    appeal_id, _worker_id = _appeal(session)
    staff = make_staff(session)
    session.commit()
    token = log_in(client, staff, "/staff/appeals")
    page = client.get("/staff/appeals").text
    assert "我去了，老板记错了" in page and "赵师傅" in page
    assert f'action="/staff/appeals/{appeal_id}/decide"' in page

    no_reason = client.post(
        f"/staff/appeals/{appeal_id}/decide",
        data={"csrf_token": token, "outcome": "upheld", "reason": ""},
    )
    assert no_reason.status_code == 422 and "请给工友写明理由" in no_reason.text
    bad = client.post(
        f"/staff/appeals/{appeal_id}/decide",
        data={"csrf_token": token, "outcome": "maybe", "reason": "x"},
    )
    assert bad.status_code == 422
    session.expire_all()
    assert session.get_one(StrikeAppeal, appeal_id).status == "open"

    done = client.post(
        f"/staff/appeals/{appeal_id}/decide",
        data={"csrf_token": token, "outcome": "upheld", "reason": "签到记录为证"},
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (303, "/staff/appeals?ok=upheld")
    assert "申诉成立：记录已作废" in client.get(done.headers["location"]).text
    session.expire_all()
    decided = session.get_one(StrikeAppeal, appeal_id)
    assert (decided.status, decided.decided_by, decided.decision_reason) == (
        "upheld",
        staff.id,
        "签到记录为证",
    )
    again = client.post(
        f"/staff/appeals/{appeal_id}/decide",
        data={"csrf_token": token, "outcome": "rejected", "reason": "x"},
    )
    assert again.status_code == 409 and "这条申诉已经处理过了" in again.text


def test_the_moderation_page_shows_a_workers_active_strikes(
    client: TestClient, session: Session
) -> None:
    _appeal_id, worker_id = _appeal(session)
    staff = make_staff(session)
    session.commit()
    log_in(client, staff, "/staff/moderation")
    page = client.get("/staff/moderation", params={"q": "赵师傅"}).text
    assert f'id="strikes-{worker_id}"' in page and "有效违约记录：1 条" in page


def test_a_worker_cannot_open_the_appeal_queue(client: TestClient, session: Session) -> None:
    worker = make_worker(session)
    session.commit()
    log_in(client, worker, "/feed")
    assert client.get("/staff/appeals").status_code == 403
