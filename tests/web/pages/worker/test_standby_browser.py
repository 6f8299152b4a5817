"""The browser walk on a phone (360x740, zh-CN): a worker joins a full job's standby list,
a hired worker calls off, the standby worker takes the place from My jobs; then the record
page of the worker who called off late."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from market.applications import service as application_service
from market.types import utcnow
from tests.factories import make_employer, make_job, make_worker
from tests.web.pages.browser import LiveServer, log_in, shoot
from web.pages.places import BY_NAME

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(180)]
ZHIFU = BY_NAME["芝罘区"]


def test_standby_worker_takes_a_freed_place_and_the_late_one_sees_the_strike(
    live_server: LiveServer, phone: Any
) -> None:
    with live_server.session() as session:
        job = make_job(
            session,
            employer=make_employer(session),
            title="搬家具",
            headcount=1,
            instant=True,
            start_at=utcnow() + timedelta(hours=8),
            lat=ZHIFU.lat + 0.01,
            lon=ZHIFU.lon + 0.01,
        )
        hired = make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon)
        application = application_service.application_claim(
            session=session, job_id=job.id or 0, worker=hired
        ).application
        standby = make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon)
        job_id, application_id = job.id, application.id
        hired_id, hired_phone, standby_phone = hired.id, hired.phone, standby.phone

    page = phone.new_page()
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda data: frames.append(str(data))))
    log_in(page, live_server, standby_phone)
    page.goto(f"{live_server.url}/jobs/{job_id}")
    page.get_by_role("button", name="已招满 · 加入候补").click()
    expect(page.locator(".flash")).to_contain_text("已加入候补")
    shoot(page, "30-job-standby-joined")
    page.goto(f"{live_server.url}/my/jobs")
    expect(page.locator(".standby-waiting")).to_contain_text("在候补名单上")
    for _ in range(100):  # the page's socket is registered once its hello arrived
        if any('"hello"' in frame for frame in frames):
            break
        page.wait_for_timeout(100)

    with live_server.session() as session:
        application = application_service.get_application(
            session=session, application_id=application_id or 0
        )
        from market.models import User

        application_service.application_cancel(
            session=session,
            application=application,
            user=session.get_one(User, hired_id),
            reason="家里有事",
        )
    offer = page.locator(".standby-offered")
    expect(offer).to_contain_text("有空位留给你", timeout=40_000)  # no reload
    assert any('"standby.offered"' in frame for frame in frames)
    shoot(page, "31-my-jobs-standby-offer")
    offer.get_by_role("button", name="接下这个活").click()
    expect(page).to_have_url(re.compile(r"/my/jobs\?ok=claimed#application-\d+$"))
    expect(page.locator(".group-confirmed")).to_contain_text("搬家具")

    late = phone.new_page()
    page.context.clear_cookies()
    log_in(late, live_server, hired_phone)
    late.goto(f"{live_server.url}/my/record")
    expect(late.locator("#active-strikes")).to_contain_text("有效违约记录：1 条")
    late.get_by_text("对这条记录申诉").click()
    late.fill("textarea[name=text]", "孩子突然生病，可以提供医院证明")
    shoot(late, "32-my-record-appeal")
    late.get_by_role("button", name="提交申诉").click()
    expect(late.locator(".flash")).to_contain_text("申诉已提交")
    shoot(late, "33-my-record-appealed")
