"""The ranking weights page in a real browser: staff roll back to an earlier version.

Screenshots land in test-artifacts/screenshots/staff-weights-*.png.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pytest
from playwright.sync_api import expect

from market.models import WeightsVersion
from matching.score import DEFAULT_WEIGHTS, Weights
from tests.factories import make_staff
from tests.web.pages.browser import LiveServer, log_in
from tests.web.pages.staff.test_browser import DESKTOP, in_own_browser, shoot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(180)]
PAY_FIRST = Weights(
    trade_fit=1.5, time_fit=0.5, distance=2.5, wage=4.5, reliability=0.8, rating=0.2
)


def _seed(server: LiveServer) -> str:
    with server.session() as session:
        staff = make_staff(session)
        earlier = {"replay_fitted": 0.58, "replay_live": 0.55, "rows": 5210}
        later = {"replay_fitted": 0.66, "replay_live": 0.58, "rows": 6120}
        session.add(WeightsVersion(weights=asdict(DEFAULT_WEIGHTS), metrics=earlier))
        session.add(
            WeightsVersion(weights=asdict(PAY_FIRST), metrics=later, live=True, switched_by="learn")
        )
        return staff.phone


def test_staff_roll_the_weights_back_to_an_earlier_version(live_server: LiveServer) -> None:
    phone = _seed(live_server)
    in_own_browser(lambda browser: _roll_back(browser, live_server, phone))


def _roll_back(chromium: Any, live_server: LiveServer, phone: str) -> None:
    context = chromium.new_context(
        viewport=DESKTOP, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, live_server, phone)
    page.get_by_role("link", name="排序权重").click()
    expect(page.locator("#live-title")).to_have_text("当前启用：第 2 版")
    expect(page.locator("#version-2")).to_contain_text("使用中")
    shoot(page, "staff-weights-01-live")
    page.locator("#version-1").get_by_role("button", name="启用").click()
    expect(page.locator(".flash")).to_have_text("列表现已按标为启用的权重排序。")
    expect(page.locator("#live-title")).to_have_text("当前启用：第 1 版")
    page.get_by_role("button", name="恢复默认权重").click()
    expect(page.locator("#live-title")).to_have_text("当前启用：默认权重")
    shoot(page, "staff-weights-02-defaults")
    context.close()
