"""Sign-up with a texted code, and a password reset, in a real browser at 360x740."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_worker, sent_code
from tests.web.pages.browser import LiveServer, new_phone, shoot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(180)]


def _code(server: LiveServer, phone: str) -> str:
    with server.session() as session:
        return sent_code(session, phone)


def test_worker_signs_up_with_the_texted_code(live_server: LiveServer, phone: Any) -> None:
    page = phone.new_page()
    page.goto(f"{live_server.url}/signup")
    page.fill("#phone", "138 0013 8123")
    shoot(page, "20-signup-phone")
    page.get_by_role("button", name="发送验证码").click()

    expect(page.locator(".flash")).to_contain_text("6 位验证码已发送到 13800138123")
    code = _code(live_server, "13800138123")
    page.fill("#code", f"{(int(code) + 1) % 10**6:06d}")  # a slip of the finger first
    page.fill("#name", "王建国")
    page.fill("#password", "zhuanqian-2026")
    page.get_by_role("button", name="注册").click()
    expect(page.locator("#code-error")).to_have_text("验证码不对，还可以试 4 次")
    expect(page.locator("#name")).to_have_value("王建国")
    shoot(page, "21-signup-wrong-code")

    page.fill("#code", code)
    page.fill("#password", "zhuanqian-2026")
    shoot(page, "22-signup-code")
    page.get_by_role("button", name="注册").click()
    expect(page).to_have_url(f"{live_server.url}/profile?welcome=1")


def test_worker_resets_a_forgotten_password_and_other_phones_are_logged_out(
    live_server: LiveServer, phone: Any, chromium: Any
) -> None:
    with live_server.session() as session:
        number = make_worker(session, name="李师傅").phone
    other = new_phone(chromium)  # the worker's old phone, still logged in
    old_page = other.new_page()
    old_page.goto(f"{live_server.url}/login")
    old_page.fill("#phone", number)
    old_page.fill("#password", PASSWORD)
    old_page.get_by_role("button", name="登录").click()
    expect(old_page).to_have_url(f"{live_server.url}/feed")

    page = phone.new_page()
    page.goto(f"{live_server.url}/login")
    page.get_by_role("link", name="忘记密码？").click()
    page.fill("#phone", number)
    shoot(page, "23-reset-phone")
    page.get_by_role("button", name="发送验证码").click()
    page.fill("#code", _code(live_server, number))
    page.fill("#password", "xin-mima-2026")
    shoot(page, "24-reset-code")
    page.get_by_role("button", name="设置新密码").click()

    expect(page).to_have_url(f"{live_server.url}/login?ok=reset")
    expect(page.locator(".flash")).to_contain_text("密码已修改")
    shoot(page, "25-reset-done")
    page.fill("#phone", number)
    page.fill("#password", "xin-mima-2026")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/feed")

    old_page.goto(f"{live_server.url}/my/jobs")
    expect(old_page).to_have_url(f"{live_server.url}/login?next=/my/jobs")
    other.close()

    page.goto(f"{live_server.url}/account")
    expect(page.locator(".sessions li")).to_have_count(1)
    shoot(page, "26-account")
