"""The work record in a real browser at 360x740: check in with the day's code, check out,
the employer records the pay, the worker confirms; a disputed payment becomes a staff case.

Screenshots land in test-artifacts/screenshots/work-*.png.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from market.types import utcnow
from tests.factories import make_employer, make_staff, make_worker
from tests.market.work.work_factories import make_hire
from tests.web.pages.browser import ARTIFACTS, SCREENSHOTS, LiveServer, log_in, new_phone, shoot
from web.pages.places import BY_NAME

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]
ZHIFU = BY_NAME["芝罘区"]


def _seed(server: LiveServer) -> dict[str, Any]:
    """A painting job that began an hour ago on the 芝罘区 site; one worker hired."""
    with server.session() as session:
        employer = make_employer(session, name="李老板")
        worker = make_worker(session, name="王建国", lat=ZHIFU.lat, lon=ZHIFU.lon)
        application, job = make_hire(
            session,
            start_at=utcnow() - timedelta(hours=1),
            employer=employer,
            worker=worker,
            wage=320,
        )
        job.lat, job.lon, job.title = ZHIFU.lat + 0.001, ZHIFU.lon + 0.001, "新房刷墙"
        session.add(job)
        return {
            "job": job.id,
            "hire": application.id,
            "worker": worker.phone,
            "employer": employer.phone,
        }


def test_check_in_check_out_pay_and_confirm_on_two_phones(
    live_server: LiveServer, chromium: Any
) -> None:
    seeded = _seed(live_server)
    boss = new_phone(chromium)
    worker = new_phone(
        chromium,
        geolocation={
            "latitude": ZHIFU.lat + 0.0012,
            "longitude": ZHIFU.lon + 0.001,
            "accuracy": 35,
        },
        permissions=["geolocation"],
    )
    try:
        employer_page = boss.new_page()
        log_in(employer_page, live_server, seeded["employer"])
        employer_page.goto(f"{live_server.url}/employer/jobs/{seeded['job']}")
        employer_page.get_by_role("link", name=re.compile("签到码")).click()
        code = employer_page.locator("#day-code").inner_text().replace(" ", "")
        assert re.fullmatch(r"\d{6}", code)
        expect(employer_page.locator("figure.qr svg")).to_be_visible()
        shoot(employer_page, "work-01-employer-code-and-qr")

        page = worker.new_page()
        log_in(page, live_server, seeded["worker"])
        page.goto(f"{live_server.url}/my/jobs")
        page.get_by_role("link", name=re.compile("签到 · 记工记账")).click()
        expect(page.locator("#attend")).to_contain_text("未签到")
        page.fill("#code", code)
        expect(page.locator("[data-place-note]")).to_contain_text("已附上位置")
        shoot(page, "work-02-worker-types-the-code")
        page.get_by_role("button", name="签到", exact=True).click()
        expect(page.locator(".flash")).to_contain_text("签到成功")
        expect(page.locator("#entries-title + .entries")).to_contain_text("离工地")

        page.fill("#code", code)
        page.get_by_role("button", name="签退", exact=True).click()
        expect(page.locator(".flash")).to_contain_text("签退成功")
        expect(page.locator("#attend")).to_contain_text("已签退")
        shoot(page, "work-03-worker-checked-out")

        hire = employer_page.locator(f"#hire-{seeded['hire']}")
        expect(hire).to_contain_text("已签退", timeout=25_000)  # live, without a reload
        hire.get_by_text("记录付款").first.click()
        expect(hire.locator("input[name=amount]")).to_have_value("320")
        hire.locator("label.chip", has_text="微信").click()
        shoot(employer_page, "work-04-employer-records-pay")
        hire.get_by_role("button", name="记录这笔付款").click()
        expect(employer_page.locator(".flash")).to_contain_text("已记录付款")
        expect(employer_page.locator(f"#hire-{seeded['hire']}")).to_contain_text("等工人确认")

        page.reload()
        expect(page.locator("#pay")).to_contain_text("¥320")
        shoot(page, "work-05-worker-sees-the-payment")
        page.get_by_role("button", name="确认收到").click()
        expect(page.locator(".flash")).to_contain_text("已确认")
        expect(page.locator("#pay")).to_contain_text("工人已确认收到")

        page.get_by_role("link", name="我的工钱").click()
        expect(page.locator("#my-pay")).to_contain_text("已付清")
        shoot(page, "work-06-my-pay")
        page.goto(f"{live_server.url}/work/records/{seeded['hire']}/evidence")
        expect(page.locator("h1")).to_have_text("记工证据单")
        shoot(page, "work-07-evidence-sheet")
        pdf = page.pdf(path=str(ARTIFACTS / "work-evidence-sheet.pdf"), prefer_css_page_size=True)
        box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
        assert box and (round(float(box[1])), round(float(box[2]))) == (595, 842)  # A4
    finally:
        boss.close()
        worker.close()


def test_a_disputed_payment_becomes_a_staff_case(live_server: LiveServer, chromium: Any) -> None:
    seeded = _seed(live_server)
    with live_server.session() as session:
        staff = make_staff(session)
        staff_phone = staff.phone
    boss, phone = new_phone(chromium), new_phone(chromium)
    try:
        employer_page = boss.new_page()
        log_in(employer_page, live_server, seeded["employer"])
        employer_page.goto(f"{live_server.url}/employer/jobs/{seeded['job']}/work")
        hire = employer_page.locator(f"#hire-{seeded['hire']}")
        hire.get_by_text("记录付款").first.click()
        hire.locator("input[name=amount]").fill("320")
        hire.get_by_role("button", name="记录这笔付款").click()
        expect(employer_page.locator(".flash")).to_contain_text("已记录付款")

        page = phone.new_page()
        log_in(page, live_server, seeded["worker"])
        page.goto(f"{live_server.url}/my/work/{seeded['hire']}")
        page.get_by_text("没收到这么多").click()
        page.fill("[id^=received-]", "100")
        page.fill("[id^=dnote-]", "只给了一百，说剩下的下个月给")
        shoot(page, "work-08-worker-disputes")
        page.get_by_role("button", name="提交给工会").click()
        expect(page.locator(".flash")).to_contain_text("工会已立案")
        expect(page.locator("#pay")).to_contain_text("工会已立案")
        shoot(page, "work-09-union-has-the-case")
        expect(employer_page.locator(f"#hire-{seeded['hire']}")).to_contain_text(
            "有异议", timeout=25_000
        )
        page.goto(f"{live_server.url}/jobs/{seeded['job']}")  # what workers see of the employer
        expect(page.locator("#unpaid-badge")).to_contain_text("有未结工钱")
        page.locator("#employer-record").scroll_into_view_if_needed()
        shoot(page, "work-11-job-page-unsettled-wages")

        desk = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        try:
            console = desk.new_page()
            log_in(console, live_server, staff_phone)
            console.goto(f"{live_server.url}/staff/arrears")
            row = console.locator("#arrears-cases tbody tr").first
            expect(row).to_contain_text("王建国")
            expect(row).to_contain_text("工人对付款有异议")
            expect(row).to_contain_text("¥320")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            console.screenshot(path=str(SCREENSHOTS / "work-10-staff-arrears.png"), full_page=True)
        finally:
            desk.close()
    finally:
        boss.close()
        phone.close()
