"""The browser walk on a phone (360x740, zh-CN): a worker joins a full job's standby list,
a hired worker calls off, the standby worker takes the place from My jobs; then the record
page of the worker who called off late. And the offer shows up on My jobs, with no
reload, however its event meets the page's own fetches of the list."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from market.applications import service as application_service
from market.models import User
from market.standby import service as standby_service
from market.types import utcnow
from tests.factories import make_employer, make_job, make_worker
from tests.web.pages.browser import LiveFrames, LiveServer, log_in, shoot
from web.pages.places import BY_NAME

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(180)]
ZHIFU = BY_NAME["芝罘区"]


@dataclass(frozen=True)
class FullJob:
    job_id: int
    application_id: int
    hired_id: int
    hired_phone: str
    standby_phone: str


def _full_job(live_server: LiveServer, *, join: bool) -> FullJob:
    """A one-place job, its place taken; a second worker on its standby list if `join`."""
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
        if join:
            standby_service.standby_join(session=session, job_id=job.id or 0, worker=standby)
        return FullJob(job.id or 0, application.id or 0, hired.id or 0, hired.phone, standby.phone)


def _call_off(live_server: LiveServer, full: FullJob) -> None:
    """The hired worker calls off (the freed place is offered to the standby list)."""
    with live_server.session() as session:
        application_service.application_cancel(
            session=session,
            application=application_service.get_application(
                session=session, application_id=full.application_id
            ),
            user=session.get_one(User, full.hired_id),
            reason="家里有事",
        )


def _wait_for(page: Any, done: Any) -> None:
    for _ in range(100):
        if done():
            return
        page.wait_for_timeout(100)
    raise AssertionError("waited 10 s in vain")


def _my_jobs_settled(page: Any, live_server: LiveServer, full: FullJob) -> list[str]:
    """Log in as the standby worker and open My jobs, its live socket registered and no
    fetch of its list on the way; the socket's frames."""
    started: list[Any] = []
    ended: list[Any] = []
    page.on("request", lambda r: started.append(r) if "/my/jobs/list" in r.url else None)
    page.on("requestfinished", lambda r: ended.append(r) if "/my/jobs/list" in r.url else None)
    page.on("requestfailed", lambda r: ended.append(r) if "/my/jobs/list" in r.url else None)
    live = LiveFrames(page)
    log_in(page, live_server, full.standby_phone)
    page.goto(f"{live_server.url}/my/jobs")
    expect(page.locator(".standby-waiting")).to_contain_text("在候补名单上")
    frames = live.hello("/my/jobs")
    page.wait_for_timeout(300)  # a replayed event's fetch, if any, has started by now
    _wait_for(page, lambda: len(started) == len(ended))
    page.wait_for_timeout(100)  # and its answer is swapped in
    return frames


def test_standby_worker_takes_a_freed_place_and_the_late_one_sees_the_strike(
    live_server: LiveServer, phone: Any
) -> None:
    full = _full_job(live_server, join=False)

    page = phone.new_page()
    live = LiveFrames(page)
    log_in(page, live_server, full.standby_phone)
    page.goto(f"{live_server.url}/jobs/{full.job_id}")
    page.get_by_role("button", name="已招满 · 加入候补").click()
    expect(page.locator(".flash")).to_contain_text("已加入候补")
    shoot(page, "30-job-standby-joined")
    page.goto(f"{live_server.url}/my/jobs")
    expect(page.locator(".standby-waiting")).to_contain_text("在候补名单上")
    frames = live.hello("/my/jobs")  # this page's socket is registered

    _call_off(live_server, full)
    offer = page.locator(".standby-offered")
    expect(offer).to_contain_text("有空位留给你", timeout=40_000)  # no reload
    # its event came too (it may trail a fetch that an earlier event started after the offer)
    _wait_for(page, lambda: any('"standby.offered"' in frame for frame in frames))
    shoot(page, "31-my-jobs-standby-offer")
    offer.get_by_role("button", name="接下这个活").click()
    expect(page).to_have_url(re.compile(r"/my/jobs\?ok=claimed#application-\d+$"))
    expect(page.locator(".group-confirmed")).to_contain_text("搬家具")

    late = phone.new_page()
    page.context.clear_cookies()
    log_in(late, live_server, full.hired_phone)
    late.goto(f"{live_server.url}/my/record")
    expect(late.locator("#active-strikes")).to_contain_text("有效违约记录：1 条")
    late.get_by_text("对这条记录申诉").click()
    late.fill("textarea[name=text]", "孩子突然生病，可以提供医院证明")
    shoot(late, "32-my-record-appeal")
    late.get_by_role("button", name="提交申诉").click()
    expect(late.locator(".flash")).to_contain_text("申诉已提交")
    shoot(late, "33-my-record-appealed")


def test_an_offer_arriving_while_my_jobs_is_being_fetched_is_fetched_again(
    live_server: LiveServer, phone: Any
) -> None:
    """The list's fetch was answered before the call-off; the offer's event comes while it
    is still on its way: once it lands, the list is fetched again and shows the offer."""
    full = _full_job(live_server, join=True)
    page = phone.new_page()
    frames = _my_jobs_settled(page, live_server, full)
    held: list[tuple[Any, Any]] = []  # (route, the answer it got before the call-off)
    holding = [True]

    def hold(route: Any) -> None:
        if holding[0]:
            held.append((route, route.fetch()))
        else:
            route.continue_()

    page.route("**/my/jobs/list*", hold)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # a phone waking
    _wait_for(page, lambda: held)

    _call_off(live_server, full)
    _wait_for(page, lambda: any('"standby.offered"' in frame for frame in frames))
    holding[0] = False
    route, stale = held[0]
    assert len(held) == 1 and "standby-offered" not in stale.text()
    route.fulfill(response=stale)  # the fetch lands, answered before the offer was made

    expect(page.locator(".standby-offered")).to_contain_text("有空位留给你", timeout=10_000)


def test_an_offer_arriving_while_the_worker_is_on_the_list_shows_once_they_leave_it(
    live_server: LiveServer, phone: Any
) -> None:
    """The list is not swapped under a control the worker is on; the offer that came
    meanwhile is fetched as soon as the focus leaves the list."""
    full = _full_job(live_server, join=True)
    page = phone.new_page()
    frames = _my_jobs_settled(page, live_server, full)
    leave = page.get_by_role("button", name="退出候补")
    leave.focus()

    _call_off(live_server, full)
    _wait_for(page, lambda: any('"standby.offered"' in frame for frame in frames))
    page.wait_for_timeout(500)
    expect(page.locator(".standby-waiting")).to_be_visible()  # not swapped under the focus
    page.evaluate("document.activeElement.blur()")

    expect(page.locator(".standby-offered")).to_contain_text("有空位留给你", timeout=10_000)


def test_an_offer_made_while_a_new_tab_loads_my_jobs_is_not_lost(
    live_server: LiveServer, phone: Any
) -> None:
    """A tab with no live position of its own (opened from a text message, say): the page
    is built, then the call-off commits before its live socket connects. The socket resumes
    from the event the page was built after (base.html's `live-seq`), so the offer is
    replayed and shows; a socket starting from "now" would never hear of it."""
    full = _full_job(live_server, join=True)
    first = phone.new_page()
    elsewhere = LiveFrames(first)  # the worker's other tab hears events as they go out
    log_in(first, live_server, full.standby_phone)
    first.goto(f"{live_server.url}/my/jobs")
    other = elsewhere.hello("/my/jobs")
    page = phone.new_page()  # logged in, but a tab of its own: no live position stored
    called_off: list[bool] = []

    def late_socket(socket: Any) -> None:  # the page is on screen; its socket not yet open
        if not called_off:
            _call_off(live_server, full)
            called_off.append(True)
            # the server has sent the offer out (to the other tab) before this socket opens
            _wait_for(first, lambda: any('"standby.offered"' in frame for frame in other))
        socket.connect_to_server()

    page.route_web_socket(re.compile(r"/ws(\?|$)"), late_socket)
    live = LiveFrames(page)
    page.goto(f"{live_server.url}/my/jobs")
    seq = page.locator('meta[name="live-seq"]').get_attribute("content")
    assert seq is not None and int(seq) >= 0
    frames = live.hello("/my/jobs")
    assert called_off
    expect(page.locator(".standby-offered")).to_contain_text("有空位留给你", timeout=10_000)
    assert any('"standby.offered"' in frame for frame in frames)
    shoot(page, "32-my-jobs-offer-made-while-loading")
