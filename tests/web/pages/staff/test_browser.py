"""The staff console in a real browser at a desktop viewport (1280x800).

Screenshots land in test-artifacts/screenshots/staff-*.png.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from market.accounts import employers as employer_service
from market.i18n import local
from market.stations import service as station_service
from market.stations.schemas import StationCreate
from tests.factories import (
    make_employer,
    make_job,
    make_staff,
    make_worker,
    png_image,
    tomorrow_at,
)
from tests.web.pages.browser import CHROMIUM, SCREENSHOTS, UNLABELLED_CONTROLS, LiveServer, log_in
from tests.web.pages.staff.helpers import make_report

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(180)]
DESKTOP = {"width": 1280, "height": 800}


def shoot(page: Any, name: str) -> Path:
    """A full-page screenshot, after checking the page fits the desktop and labels every control."""
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"], name
    assert page.evaluate(UNLABELLED_CONTROLS) == [], name
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _seed(server: LiveServer) -> tuple[str, str, int]:
    with server.session() as session:
        staff = make_staff(session)
        employer = make_employer(session, name="李老板")
        licence = png_image(240, 160, (70, 130, 90))  # the licence photo staff verify against
        employer_service.licence_set(session=session, employer=employer, data=licence)
        job = make_job(session, employer=employer, headcount=2, start_at=tomorrow_at(1))
        job.district = "芝罘区"
        make_job(session, employer=employer, trade="electrician", headcount=3, title="电路检修")
        for name in ("王建国", "张卫东", "刘海"):
            make_worker(session, name=name)
        make_worker(session, name="赵厨子", trades=(("cook", 2),))
        report = make_report(session)
        return staff.phone, local(job.start_at).date().isoformat(), report.id or 0


def in_own_browser(scenario: Callable[[Any], None]) -> None:
    """Run `scenario(browser)` with a chromium of its own, on a thread of its own.

    Playwright's sync API allows one instance per thread, and the phone tests keep theirs
    open for the whole session; a separate thread lets both suites run in one pytest.
    """
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    def run() -> None:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            try:
                scenario(browser)
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run).result()


def test_staff_sees_the_gap_first_dispatches_the_morning_and_closes_a_report(
    live_server: LiveServer,
) -> None:
    phone, day, report_id = _seed(live_server)
    in_own_browser(lambda browser: _staff_morning(browser, live_server, phone, day, report_id))


def _staff_morning(
    chromium: Any, live_server: LiveServer, phone: str, day: str, report_id: int
) -> None:
    context = chromium.new_context(
        viewport=DESKTOP, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, live_server, phone)

    expect(page).to_have_url(f"{live_server.url}/staff")
    # the period's figures first, then the gap's worst cells
    expect(page.locator("main h2").first).to_have_attribute("id", "today-title")
    expect(page.locator("#gap-title")).to_have_text("各工种、各区县的供需缺口")
    gap = page.locator("#gap-table")
    expect(gap).to_contain_text("电工")
    expect(gap).to_contain_text("缺工")
    expect(page.locator("#live-status")).to_have_text("实时")
    shoot(page, "staff-01-dashboard")

    # a market event arrives: the figures refresh by themselves (throttled, within seconds)
    with live_server.session() as session:
        station_service.station_create(
            session=session,
            data=StationCreate(name="新驿站", address="芝罘区某路 1 号", lat=37.54, lon=121.3),
        )
    expect(page.locator("#figures")).to_have_attribute("data-refreshed", "1")

    page.get_by_role("link", name="早市派工").click()
    page.fill("#day", day)
    page.select_option("#district", "芝罘区")
    page.get_by_role("button", name="生成派工方案").click()
    plan = page.locator("#plan-table")
    expect(plan.locator("tbody tr")).to_have_count(2)
    expect(plan).to_contain_text("同工种")
    shoot(page, "staff-02-dispatch-plan")
    page.get_by_role("button", name="把勾选的派工发给工人").click()
    expect(page.locator(".flash")).to_contain_text("已发送")
    expect(page.locator("#sent-table tbody tr")).to_have_count(2)
    page.get_by_role("link", name="打印名单").click()
    expect(page.locator("#sent-table")).to_contain_text("李老板")
    page.emulate_media(media="print")
    shoot(page, "staff-03-dispatch-print")
    page.emulate_media(media="screen")

    page.goto(f"{live_server.url}/staff/reports")
    page.get_by_role("link", name=f"举报 {report_id}").click()
    expect(page.locator("h1")).to_contain_text("拖欠工资")
    expect(page.locator(".report-photo")).to_be_visible()
    page.fill("#note-text", "已电话联系老板，答应周五付清")
    page.get_by_role("button", name="保存记录").click()
    expect(page.locator(".notes")).to_contain_text("周五付清")
    page.get_by_label("工会介入后已付清").check()
    shoot(page, "staff-04-report")
    page.get_by_role("button", name="记录处理结果").click()
    expect(page.locator("#report-status")).to_have_text("已结案")
    expect(page.locator("#outcome-text")).to_have_text("工会介入后已付清")
    shoot(page, "staff-05-report-resolved")

    page.goto(f"{live_server.url}/staff/moderation?q=李老板")
    thumb = page.locator("img.licence-thumb")
    expect(thumb).to_be_visible()
    assert thumb.evaluate("img => img.naturalWidth") == 240  # staff's session may fetch it
    for name, path in (("staff-06-moderation", "/staff/moderation?q=李"),
                       ("staff-07-stations", "/staff/stations"),
                       ("staff-08-memberships", "/staff/memberships")):  # fmt: skip
        page.goto(live_server.url + path)
        shoot(page, name)
    page.goto(f"{live_server.url}/lang/en?next=/staff")
    expect(page.locator("#gap-title")).to_have_text("Supply and demand gap by trade and district")
    shoot(page, "staff-09-dashboard-en")
    context.close()
