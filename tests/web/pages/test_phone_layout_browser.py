"""What a real phone showed wrong (issue #17): each defect, seen again in chromium at 360x740.

Screenshots land in test-artifacts/screenshots/ui-*.png.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories import (
    PASSWORD,
    make_employer,
    make_job,
    make_staff,
    make_worker,
    next_phone,
    tomorrow_at,
)
from tests.staff_factories import make_application
from tests.web.pages.browser import PHONE, SCREENSHOTS, LiveServer, new_phone, shoot
from web.pages.places import BY_NAME

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(180)]
ZHIFU = BY_NAME["芝罘区"]

# what a finger at (x, y) would touch: the element there, or one of its ancestors
HIT = """([x, y, selector]) => {
  const hit = document.elementFromPoint(x, y);
  return !!(hit && hit.closest(selector));
}"""


def _log_in(page: Any, server: LiveServer, phone: str) -> None:
    page.goto(f"{server.url}/login")
    page.fill("#phone", phone)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/(feed|employer/jobs|staff|profile)"))


def _seed_jobs(server: LiveServer, count: int, **options: Any) -> list[int]:
    with server.session() as session:
        employer = make_employer(session, name="李老板")
        ids = []
        for i in range(count):
            job = make_job(
                session,
                employer=employer,
                title=f"新房刷墙 {i + 1} 号楼",
                lat=ZHIFU.lat + 0.004 * (i + 1),
                lon=ZHIFU.lon + 0.004,
                start_at=tomorrow_at(7),
                hours=8,
                wage=options.get("wage", 240),
            )
            ids.append(job.id or 0)
        return ids


def _worker(server: LiveServer, **options: Any) -> str:
    with server.session() as session:
        return make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon, **options).phone


def test_the_job_map_stays_under_the_sticky_button_and_the_tabs(
    live_server: LiveServer, phone: Any
) -> None:
    (job_id,) = _seed_jobs(live_server, 1)
    page = phone.new_page()
    _log_in(page, live_server, _worker(live_server))
    page.goto(f"{live_server.url}/jobs/{job_id}")
    expect(page.locator("#map path.leaflet-interactive").first).to_be_attached()
    expect(page.locator("#map .leaflet-tooltip").first).to_be_attached()
    button = page.locator(".sticky-action .btn")
    tabs = page.locator(".tabs a")
    shoot(page, "ui-01-job-page")
    # room above the map, so that every layer of it can be scrolled down to the bars
    page.evaluate("document.querySelector('main').style.marginTop = '900px'")
    page.evaluate("window.scrollTo(0, document.querySelector('main').offsetTop)")
    # slide each map layer (marker, route, tooltip, zoom buttons) under the pinned bars:
    # at the layer's own centre the finger must touch the bar, not the map
    parts = ("path.leaflet-interactive", ".leaflet-tooltip", ".leaflet-control-zoom-in")
    checked = 0
    for target in (button, tabs.first):
        box = target.bounding_box()
        assert box is not None
        bar_y = box["y"] + box["height"] / 2
        for part in parts:
            for layer in page.locator(f"#map {part}").all():
                layer.evaluate(
                    """(el, y) => {
                      const r = el.getBoundingClientRect();
                      window.scrollBy(0, r.top + r.height / 2 - y);
                    }""",
                    bar_y,
                )
                r = layer.evaluate("(el) => el.getBoundingClientRect().toJSON()")
                x, y = r["x"] + r["width"] / 2, r["y"] + r["height"] / 2
                if abs(y - bar_y) > 4:
                    continue  # the page cannot scroll that far
                assert page.evaluate(HIT, [x, y, ".sticky-action, .tabs"]), (part, x, y)
                checked += 1
    assert checked >= 2 * len(parts)


def test_the_feed_shows_a_job_on_the_first_screen_with_the_filters_folded(
    live_server: LiveServer, chromium: Any
) -> None:
    _seed_jobs(live_server, 3)
    worker_phone = _worker(live_server, trades=(("painter", 2), ("bricklayer", 2)))
    for javascript in (True, False):
        context = new_phone(chromium, java_script_enabled=javascript)
        page = context.new_page()
        _log_in(page, live_server, worker_phone)
        first = page.locator("#feed-list .job").first
        expect(first).to_be_visible()
        box = first.bounding_box()
        assert box is not None
        # the first card's title and pay are above the bottom tabs, unscrolled
        assert box["y"] + 80 < PHONE["height"] - 60, box
        filters = page.locator("details.filters-fold")
        expect(filters).not_to_have_attribute("open", "")
        if javascript:  # what the phone shows before any scrolling
            page.screenshot(path=str(SCREENSHOTS / "ui-02-feed-first-screen.png"))
        expect(page.locator("fieldset.chips").first).to_be_hidden()
        filters.locator("summary").click()
        expect(page.locator("fieldset.chips").first).to_be_visible()
        if javascript:
            shoot(page, "ui-02-feed")
        context.close()


def test_a_new_job_arriving_live_is_announced_at_the_top_and_shown_on_tap(
    live_server: LiveServer, phone: Any
) -> None:
    _seed_jobs(live_server, 5, wage=400)
    page = phone.new_page()
    _log_in(page, live_server, _worker(live_server))
    expect(page.locator("#feed-list .job")).to_have_count(5)
    expect(page.locator("#live-note")).to_be_visible()
    page.evaluate("window.__sameDocument = true")

    # a farther, worse-paid job ranks last, below the fold
    with live_server.session() as session:
        far = make_job(session, title="远处的活", lat=ZHIFU.lat + 0.06, lon=ZHIFU.lon, wage=200)
        late = far.id
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    banner = page.locator("#new-jobs")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("有 1 个新工作")
    box = banner.bounding_box()
    assert box is not None and box["y"] < PHONE["height"] / 2
    card = page.locator(f"#job-{late}")
    assert not page.evaluate(
        "(el) => el.getBoundingClientRect().top < innerHeight", card.element_handle()
    )
    shoot(page, "ui-03-feed-new-job-banner")
    banner.click()
    expect(card).to_be_in_viewport()
    expect(card).to_have_class(re.compile(r"\bnew\b"))
    expect(banner).to_be_hidden()
    assert page.evaluate("window.__sameDocument") is True


def test_sign_up_shows_the_company_field_only_to_employers(
    live_server: LiveServer, chromium: Any
) -> None:
    """Sign-up is two steps (the phone, then the code): the company field comes only on an
    employer's second step, with or without JavaScript."""
    for javascript in (True, False):
        context = new_phone(chromium, java_script_enabled=javascript)
        page = context.new_page()
        for role, label in (("worker", "找活"), ("employer", "招工")):
            page.goto(f"{live_server.url}/signup")
            expect(page.locator("#org_name")).to_have_count(0)
            page.locator("label", has_text=label).first.click()
            page.fill("#phone", next_phone())
            page.locator('form[action="/signup/code"] button[type=submit]').click()
            expect(page.locator("#code")).to_be_visible()
            if role == "worker":
                expect(page.locator("#org_name")).to_have_count(0)
                if javascript:
                    shoot(page, "ui-04-signup-worker")
            else:
                expect(page.locator("#org_name")).to_be_visible()
        context.close()


# every line a token of the page is laid out on: "07:00–15:00", "4.4 km", "日薪 240", "¥240"
TOKEN_LINES = r"""() => {
  const token = /\d\d:\d\d\u2060?–\u2060?\d\d:\d\d|\d+\.\d\s?km|日薪\s?\d+|¥[\d,]+/g;
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const found of node.data.matchAll(token)) {
      const range = document.createRange();
      range.setStart(node, found.index);
      range.setEnd(node, found.index + found[0].length);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (tops.size > 1) broken.push(found[0]);
    }
  }
  return broken;
}"""


def test_times_distances_and_pay_never_break_inside(live_server: LiveServer, phone: Any) -> None:
    with live_server.session() as session:
        employer = make_employer(session, name="李老板")
        job = make_job(
            session,
            employer=employer,
            title="老小区外墙翻新刷漆（需自带工具）",
            lat=ZHIFU.lat + 0.04,
            lon=ZHIFU.lon,
            start_at=tomorrow_at(23),  # 07:00 local
            hours=8,
            wage=240,
        )
        job_id = job.id
    page = phone.new_page()
    _log_in(page, live_server, _worker(live_server))
    expect(page.locator(f"#job-{job_id}")).to_be_visible()
    seen = 0
    for path in ("/feed", f"/jobs/{job_id}"):
        page.goto(live_server.url + path)
        for width in range(300, 368, 4):
            page.set_viewport_size({"width": width, "height": 740})
            assert page.evaluate(TOKEN_LINES) == [], (path, width)
            seen += 1
    assert seen


def test_the_feed_asks_only_for_hashed_static_files(live_server: LiveServer, chromium: Any) -> None:
    worker_phone = _worker(live_server)
    context = new_phone(chromium, service_workers="block")
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    _log_in(page, live_server, worker_phone)
    expect(page.locator("#live-note")).to_be_visible()  # live.js was imported and connected
    static = [url for url in asked if "/static/" in url]
    assert any("/static/js/live.js?v=" in url for url in static), static
    assert [url for url in static if "?v=" not in url] == []
    context.close()


def test_employer_and_staff_pages_fit_a_phone(live_server: LiveServer, chromium: Any) -> None:
    with live_server.session() as session:
        employer = make_employer(session, name="李老板")
        soon = make_job(session, employer=employer, title="新房刷墙", start_at=tomorrow_at(23))
        make_job(session, employer=employer, title="仓库搬货", trade="mover", wage=260)
        for name in ("赵师傅", "钱师傅"):
            worker = make_worker(session, name=name, lat=ZHIFU.lat, lon=ZHIFU.lon)
            make_application(session, job=soon, worker=worker, status="applied", hired=False)
        employer_phone, job_id = employer.phone, soon.id
        staff_phone = make_staff(session).phone
    context = new_phone(chromium)
    page = context.new_page()
    _log_in(page, live_server, employer_phone)
    page.goto(f"{live_server.url}/employer/jobs")
    expect(page.locator(f"#job-{job_id} [data-waiting]")).to_have_text("2 人待你确认")
    shoot(page, "ui-05-employer-jobs")
    page.goto(f"{live_server.url}/employer/jobs/{job_id}")
    expect(page.locator(".applicant").first).to_contain_text("待你确认")
    expect(page.locator(".applicant .worker-facts").first).to_contain_text("油漆工")
    shoot(page, "ui-06-employer-job")
    page.goto(f"{live_server.url}/employer/jobs/new")
    page.fill("#date", "2020-01-01")
    page.fill("#wage", "10")
    page.get_by_role("button", name="发布").click()
    for field in ("trade", "address", "start_at", "wage"):
        expect(page.locator(f"#{field}-error")).to_be_visible()
    shoot(page, "ui-07-post-job-errors")
    context.close()

    context = new_phone(chromium)
    page = context.new_page()
    _log_in(page, live_server, staff_phone)
    page.goto(f"{live_server.url}/staff")
    expect(page.locator("#gap-table")).to_be_visible()
    shoot(page, "ui-08-staff-dashboard")
    context.close()
