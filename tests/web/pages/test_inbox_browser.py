"""The inbox on a phone: the badge, the list, and a pushed message shown by the service
worker that opens the page it is about when tapped."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from market.types import utcnow
from tests.factories import make_employer, make_job, make_worker
from tests.market.notifications.helpers import NOW, produce
from tests.market.service_helpers import hire
from tests.web.pages.browser import LiveServer, log_in, new_phone, shoot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]


def _seed(server: LiveServer) -> str:
    """A hired worker, told so in the inbox: the worker's phone number."""
    with server.session() as session:
        worker = make_worker(session, name="王建国")
        job = make_job(session, employer=make_employer(session), title="新房刷墙")
        hire(session, job=job, worker=worker, now=NOW)
        phone = worker.phone
    produce(server.engine)
    return phone


def _on_the_inbox(server: LiveServer, chromium: Any) -> tuple[Any, Any]:
    """A hired worker's phone, logged in, on the inbox: (browser context, page)."""
    context = new_phone(chromium)
    page = context.new_page()
    log_in(page, server, _seed(server))
    page.goto(f"{server.url}/inbox")
    return context, page


def test_the_badge_the_inbox_and_a_tap_on_a_message(live_server: LiveServer, chromium: Any) -> None:
    context = new_phone(chromium)
    page = context.new_page()
    log_in(page, live_server, _seed(live_server))

    expect(page.locator(".bell .count")).to_have_text("1")
    shoot(page, "inbox-badge-feed")
    page.locator(".bell").click()
    expect(page).to_have_url(re.compile(r"/inbox$"))
    expect(page.locator(".note.unread")).to_contain_text("你被录用了")
    expect(page.locator("#push-on")).to_be_visible()  # this browser can take phone messages
    shoot(page, "inbox")

    page.locator(".note").first.click()

    expect(page).to_have_url(re.compile(r"/my/jobs$"))
    expect(page.locator(".bell .count")).to_have_count(0)
    context.close()


def test_the_service_worker_shows_a_pushed_message_and_a_tap_opens_its_page(
    live_server: LiveServer, chromium: Any
) -> None:
    context = new_phone(chromium)
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = context.new_page()
    log_in(page, live_server, _seed(live_server))
    page.goto(f"{live_server.url}/inbox")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    cdp = context.new_cdp_session(page)
    registrations: list[str] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(r["registrationId"] for r in event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    page.wait_for_timeout(300)
    assert registrations, "no service worker registration"
    message = {
        "title": "你被录用了",
        "body": "新房刷墙，12-01 07:00",
        "url": "/my/jobs",
        "tag": "lg-1",
    }

    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": live_server.url,
            "registrationId": registrations[0],
            "data": json.dumps(message, ensure_ascii=False),
        },
    )

    shown = None
    for _ in range(50):
        shown = page.evaluate(
            """() => navigator.serviceWorker.ready
              .then((r) => r.getNotifications())
              .then((list) => list.map((n) => [n.title, n.body, n.data.url]))"""
        )
        if shown:
            break
        page.wait_for_timeout(100)
    assert shown == [["你被录用了", "新房刷墙，12-01 07:00", "/my/jobs"]]
    [worker] = context.service_workers
    worker.evaluate(
        """() => self.registration.getNotifications().then((list) => self.dispatchEvent(
             new NotificationEvent("notificationclick", {notification: list[0]})))"""
    )
    expect(page).to_have_url(re.compile(r"/my/jobs$"))
    context.close()


def test_im_coming_in_one_tap_before_the_shift(live_server: LiveServer, chromium: Any) -> None:
    start = utcnow().replace(microsecond=0) + timedelta(minutes=100)
    with live_server.session() as session:
        worker = make_worker(session, name="王建国")
        job = make_job(session, employer=make_employer(session), title="搬家", start_at=start)
        hire(session, job=job, worker=worker, now=utcnow())
        phone = worker.phone
    context = new_phone(chromium)
    page = context.new_page()
    log_in(page, live_server, phone)
    page.goto(f"{live_server.url}/my/jobs")
    coming = page.get_by_role("button", name="确认到岗")
    expect(coming).to_be_visible()
    shoot(page, "my-jobs-im-coming")

    coming.click()

    expect(page.locator(".flash")).to_contain_text("用工方能看到你已确认到岗")
    expect(page.locator(".badge", has_text="你已确认到岗")).to_be_visible()
    shoot(page, "my-jobs-coming-confirmed")
    context.close()


def test_text_messages_are_switched_off_and_on_from_the_inbox(
    live_server: LiveServer, chromium: Any
) -> None:
    context, page = _on_the_inbox(live_server, chromium)
    sms = page.locator('input[name="sms"]')
    expect(sms).to_be_checked()  # on by default: what must not be missed reaches the phone
    box = sms.bounding_box()
    assert box is not None and box["width"] >= 20  # its long label does not squeeze it
    sms.scroll_into_view_if_needed()
    shoot(page, "inbox-sms-setting")

    sms.uncheck()
    page.get_by_role("button", name="保存").click()

    expect(page.locator('input[name="sms"]')).not_to_be_checked()
    expect(page.get_by_text("用短信告诉我要紧的事")).to_be_visible()
    context.close()


def test_new_job_alerts_a_day_are_chosen_from_the_inbox(
    live_server: LiveServer, chromium: Any
) -> None:
    context, page = _on_the_inbox(live_server, chromium)
    alerts = page.locator('select[name="daily_alerts"]')
    expect(alerts).to_have_value("5")  # the default
    box = alerts.bounding_box()
    assert box is not None and box["height"] >= 36 and box["x"] + box["width"] <= 360
    alerts.scroll_into_view_if_needed()
    shoot(page, "inbox-daily-alerts")

    alerts.select_option("2")
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_text("已保存")).to_be_visible()
    expect(page.locator('select[name="daily_alerts"]')).to_have_value("2")
    context.close()
