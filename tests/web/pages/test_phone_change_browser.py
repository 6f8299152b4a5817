"""A phone number changed by a code texted to the new number, in a real browser at 360x740;
and an employer's licence photo on the account page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from market.accounts import employers as employer_service
from tests.factories import PASSWORD, make_employer, make_worker, png_image, sent_code
from tests.web.pages.browser import LiveServer, new_phone, shoot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(180)]


def _log_in(page: Any, server: LiveServer, number: str, landing: str) -> None:
    page.goto(f"{server.url}/login")
    page.fill("#phone", number)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{server.url}{landing}")


def test_worker_moves_the_account_to_a_new_number_and_the_old_phone_is_logged_out(
    live_server: LiveServer, phone: Any, chromium: Any
) -> None:
    with live_server.session() as session:
        number = make_worker(session, name="赵师傅").phone
    other = new_phone(chromium)  # another phone, still logged in
    old_page = other.new_page()
    _log_in(old_page, live_server, number, "/feed")

    page = phone.new_page()
    _log_in(page, live_server, number, "/feed")
    page.goto(f"{live_server.url}/account")
    lefts = page.eval_on_selector_all(".sessions li", "els => els.map(e => e.offsetLeft)")
    assert len(lefts) == 2 and len(set(lefts)) == 1  # one device a line, not side by side
    shoot(page, "50-phone-account")
    page.get_by_role("link", name="更换手机号").click()
    page.fill("#phone", "12345")
    page.get_by_role("button", name="发送验证码").click()
    expect(page.locator("#phone-error")).to_contain_text("11 位")
    shoot(page, "51-phone-malformed")
    page.fill("#phone", "139 0013 9456")
    page.get_by_role("button", name="发送验证码").click()

    expect(page.locator(".flash")).to_contain_text("6 位验证码已发送到 13900139456")
    with live_server.session() as session:
        code = sent_code(session, "13900139456")
    page.fill("#code", f"{(int(code) + 1) % 10**6:06d}")  # a slip of the finger first
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="改用新号码").click()
    expect(page.locator("#code-error")).to_have_text("验证码不对，还可以试 4 次")
    shoot(page, "52-phone-wrong-code")
    page.fill("#code", code)
    page.fill("#password", PASSWORD)
    shoot(page, "53-phone-code")
    page.get_by_role("button", name="改用新号码").click()

    expect(page).to_have_url(f"{live_server.url}/account?ok=phone")
    expect(page.locator(".flash")).to_contain_text("手机号已更换")
    expect(page.locator("#phone")).to_contain_text("13900139456")
    expect(page.locator(".sessions li")).to_have_count(1)
    shoot(page, "54-phone-done")
    old_page.goto(f"{live_server.url}/my/jobs")
    expect(old_page).to_have_url(f"{live_server.url}/login?next=/my/jobs")
    other.close()


def test_employer_sees_the_licence_photo_and_can_send_a_new_one(
    live_server: LiveServer, phone: Any
) -> None:
    with live_server.session() as session:
        employer = make_employer(session, name="钱老板")
        employer_service.licence_set(
            session=session, employer=employer, data=png_image(320, 200, (60, 120, 200))
        )
        session.commit()
        number = employer.phone
    page = phone.new_page()
    _log_in(page, live_server, number, "/employer/jobs")
    page.goto(f"{live_server.url}/account#licence")
    image = page.locator("img.licence-photo")
    expect(image).to_be_visible()
    assert page.evaluate("document.querySelector('img.licence-photo').naturalWidth") == 320
    page.set_input_files(
        "#licence-photo",
        files=[{"name": "x.gif", "mimeType": "image/gif", "buffer": b"GIF89a...."}],
    )
    page.get_by_role("button", name="上传照片").click()
    expect(page.locator("#photo-error")).to_contain_text("照片必须是 JPEG、PNG 或 WebP 图片")
    page.locator("#employer").scroll_into_view_if_needed()
    shoot(page, "55-licence-refused")
