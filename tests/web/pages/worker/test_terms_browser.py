"""The browser walk, continued: the employer cuts the pay of a job a worker applied to; the
worker's My jobs shows it live and the worker accepts the new terms (360x740, zh-CN)."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from market.applications import service as application_service
from tests.factories import PASSWORD, auth, make_employer, make_job, make_worker
from tests.web.pages.browser import PHONE, LiveFrames, LiveServer, shoot
from web.pages.places import BY_NAME

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(180)]
ZHIFU = BY_NAME["芝罘区"]


def test_worker_sees_changed_terms_live_and_accepts_them(
    live_server: LiveServer, phone: Any
) -> None:
    with live_server.session() as session:
        employer = make_employer(session, name="李老板")
        job = make_job(
            session,
            employer=employer,
            title="新房刷墙",
            wage=400,
            lat=ZHIFU.lat + 0.01,
            lon=ZHIFU.lon + 0.01,
        )
        worker = make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon)
        application = application_service.application_claim(
            session=session, job_id=job.id or 0, worker=worker
        ).application
        boss = auth(session, employer)
        job_id, application_id, worker_phone = job.id, application.id, worker.phone

    page = phone.new_page()
    live = LiveFrames(page)
    page.goto(f"{live_server.url}/login")
    page.fill("#phone", worker_phone)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/my/jobs")
    card = page.locator(f"#application-{application_id}")
    expect(card).to_contain_text("¥400")
    frames = live.hello("/my/jobs")  # this page's socket is registered

    cut = urllib.request.Request(
        f"{live_server.url}/api/v1/jobs/{job_id}",
        method="PATCH",
        data=json.dumps({"wage": 300}).encode(),
        headers={**boss, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(cut, timeout=10) as answer:
        assert json.load(answer)["terms_version"] == 2

    box = card.locator(".terms-changed")
    expect(box).to_contain_text("条件已变更，请重新确认", timeout=20_000)  # no reload
    expect(box).to_contain_text("¥300")
    assert any('"application.terms_changed"' in frame for frame in frames)
    button = box.get_by_role("button", name="接受新条件")
    expect(button).to_be_visible()
    size = button.bounding_box()
    assert size is not None and size["height"] >= 56 and size["width"] >= PHONE["width"] - 80
    shoot(page, "20-my-jobs-terms-changed")

    button.click()
    expect(page).to_have_url(re.compile(rf"/my/jobs\?ok=accepted#application-{application_id}$"))
    expect(page.locator(".flash")).to_contain_text("您已接受新条件")
    expect(page.locator(".terms-changed")).to_have_count(0)
    expect(page.locator(f"#application-{application_id}")).to_contain_text("¥300")
    shoot(page, "21-my-jobs-terms-accepted")
