"""Station staff register a worker without a smartphone, apply for a job and print the slip."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_job, make_station, make_station_staff, next_phone
from tests.web.pages.browser import LiveServer, shoot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(180)]


def test_station_staff_register_a_worker_apply_for_them_and_print_the_slip(
    live_server: LiveServer, phone: Any
) -> None:
    with live_server.session() as session:
        staff = make_station_staff(session, station=make_station(session, name="开发区工会驿站"))
        login = staff.phone
        make_job(session, title="新房刷墙", wage=320)
    page = phone.new_page()
    page.goto(f"{live_server.url}/login")
    page.fill("#phone", login)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/station")
    shoot(page, "60-station-home")

    page.get_by_role("link", name="为没有智能手机的工人登记").click()
    worker_phone = next_phone()
    page.fill("#name", "孙师傅")
    page.fill("#phone", worker_phone)
    page.get_by_role("button", name="登记", exact=True).click()  # consent not ticked
    expect(page.locator("#consent-error")).to_contain_text("须经工人同意")
    shoot(page, "61-station-register-no-consent")
    page.get_by_text("我已向工人读过并征得同意").click()
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("已登记")

    expect(page.locator("#profile-form legend").first).to_have_text("他/她的工种（会的都选上）")
    expect(page.get_by_label("工人姓名")).to_have_value("孙师傅")
    expect(page.get_by_role("button", name="用我的位置")).to_have_count(0)
    page.locator("label.tile:has(input[value=painter])").click()
    page.select_option("#district", "黄渤海新区")
    shoot(page, "62-station-worker-profile")
    page.get_by_role("button", name="保存，去找活").click()
    expect(page.locator("h1")).to_contain_text("为孙师傅找活")
    expect(page.locator("article.job")).to_contain_text("新房刷墙")
    shoot(page, "63-station-jobs")

    page.get_by_role("button", name="替他报名").click()
    expect(page.locator(".flash")).to_contain_text("已替工人报名")
    expect(page.locator("#slip")).to_contain_text("新房刷墙")
    expect(page.locator("#slip-employer")).to_contain_text("录用后显示用工方电话")
    expect(page.locator("#slip .qr svg")).to_be_visible()
    shoot(page, "64-station-slip")
    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.locator(".tabs")).to_be_hidden()
    shoot(page, "65-station-slip-print")
