"""Standby (候补) and the strike record on the phone pages, without JavaScript: join a full
job from its page, take the offer from My jobs, read my record and appeal a strike."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.applications import service as application_service
from market.models import Application, Job, Standby, Strike, StrikeAppeal, User
from market.types import utcnow
from tests.factories import make_employer, make_job, make_worker
from tests.web.pages.staff.helpers import log_in


def _full(session: Session) -> tuple[Job, User, Application]:
    job = make_job(
        session,
        employer=make_employer(session),
        headcount=1,
        instant=True,
        start_at=utcnow() + timedelta(days=1),
        title="搬家具",
    )
    hired = make_worker(session)
    application = application_service.application_claim(
        session=session, job_id=job.id or 0, worker=hired
    ).application
    session.commit()
    return job, hired, application


def test_a_worker_joins_a_full_jobs_standby_list_and_takes_the_offer(
    client: TestClient, session: Session
) -> None:
    job, hired, application = _full(session)
    worker = make_worker(session)
    session.commit()
    token = log_in(client, worker, f"/jobs/{job.id}")
    page = client.get(f"/jobs/{job.id}").text
    assert f'action="/jobs/{job.id}/standby"' in page and "已招满 · 加入候补" in page

    joined = client.post(
        f"/jobs/{job.id}/standby", data={"csrf_token": token}, follow_redirects=False
    )
    assert (joined.status_code, joined.headers["location"]) == (303, f"/jobs/{job.id}?ok=standby")
    after = client.get(joined.headers["location"]).text
    assert "已加入候补。有空位时会通知你。" in after and "已在候补名单上" in after
    twice = client.post(f"/jobs/{job.id}/standby", data={"csrf_token": token})
    assert twice.status_code == 409 and "你已在这个活的候补名单上" in twice.text

    application_service.application_cancel(
        session=session, application=application, user=hired, reason="病了"
    )
    session.commit()
    mine = client.get("/my/jobs").text
    entry = session.exec(select(Standby).where(Standby.worker_id == worker.id)).one()
    assert f'action="/my/standby/{entry.id}/accept"' in mine and "接下这个活" in mine
    taken = client.post(
        f"/my/standby/{entry.id}/accept", data={"csrf_token": token}, follow_redirects=False
    )
    assert taken.status_code == 303 and taken.headers["location"].startswith("/my/jobs?ok=claimed")
    session.expire_all()
    assert session.get_one(Standby, entry.id).status == "accepted"
    gone = client.post(f"/my/standby/{entry.id}/decline", data={"csrf_token": token})
    assert gone.status_code == 409 and "这里没有给你的空位邀请" in gone.text


def test_the_worker_reads_their_record_and_appeals_a_strike(
    client: TestClient, session: Session
) -> None:
    job, hired, application = _full(session)
    # called off two hours before the start: a late call-off
    application_service.application_cancel(
        session=session,
        application=application,
        user=hired,
        reason="病了",
        now=job.start_at - timedelta(hours=2),
    )
    session.commit()
    strike = session.exec(select(Strike).where(Strike.worker_id == hired.id)).one()
    token = log_in(client, hired, "/my/record")
    page = client.get("/my/record").text
    assert "有效违约记录：1 条" in page
    assert "开工前不到 12 小时取消了已确认的活" in page and "开工前 2.0 小时" in page
    assert "有效：再完成 3 个班次后失效" in page
    assert f'action="/my/strikes/{strike.id}/appeal"' in page

    empty = client.post(f"/my/strikes/{strike.id}/appeal", data={"csrf_token": token, "text": " "})
    assert empty.status_code == 422 and "请简单说说发生了什么" in empty.text
    assert session.exec(select(StrikeAppeal)).all() == []
    sent = client.post(
        f"/my/strikes/{strike.id}/appeal",
        data={"csrf_token": token, "text": "医院证明可以提供"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    after = client.get("/my/record?ok=appealed").text
    assert "申诉已提交" in after and "你的申诉：医院证明可以提供" in after
    assert "等待工会工作人员处理" in after
    en = client.get("/my/record", headers={"Accept-Language": "en"}).text
    assert "Active strikes: 1" in en and "Your appeal: 医院证明可以提供" in en
