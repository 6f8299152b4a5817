"""A worker gives their legal name and ID number on the profile page, at 360x740."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_worker
from tests.web.pages.browser import LiveServer, shoot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(180)]

NUMBER = "370602198503121230"  # made with the check digit, not a real person's


def test_worker_gives_the_id_number_a_slip_is_refused_then_it_shows_masked(
    live_server: LiveServer, phone: Any
) -> None:
    with live_server.session() as session:
        number = make_worker(session, name="王建国").phone
    page = phone.new_page()
    page.goto(f"{live_server.url}/login")
    page.fill("#phone", number)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/feed")

    page.goto(f"{live_server.url}/profile#identity")
    page.fill("#legal_name", "王建国")
    page.fill("#id_number", NUMBER[:17] + "1")  # a slip of the finger
    page.get_by_role("button", name="保存姓名和身份证号").click()
    expect(page.locator("#id_number-error")).to_contain_text("校验位不对")
    shoot(page, "40-identity-wrong")

    page.fill("#id_number", NUMBER)
    page.get_by_role("button", name="保存姓名和身份证号").click()
    expect(page.locator(".flash")).to_have_text("真实姓名和身份证号已保存。")
    expect(page.locator("#identity-masked")).to_have_text("王建国 · 3706**********1230")
    expect(page.locator("#id_number")).to_have_value(NUMBER)
    page.locator("#identity").scroll_into_view_if_needed()
    shoot(page, "41-identity-saved")
