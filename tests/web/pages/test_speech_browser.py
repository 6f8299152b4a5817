"""Read aloud and large text in chromium at 360x740 (issue #17).

Headless chromium has no voices, so `speechSynthesis.speak` is replaced by a recorder before
any page script runs; the rest is the real app. Screenshots: test-artifacts/screenshots/voice-*.png.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories import make_employer, make_job, make_worker, tomorrow_at
from tests.web.pages.browser import PHONE, LiveServer, log_in, shoot
from web.pages.places import BY_NAME

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(180)]
ZHIFU = BY_NAME["芝罘区"]
RECORDER = """
window.__spoken = [];
window.__cancelled = 0;
if (window.speechSynthesis) {
  speechSynthesis.speak = (u) => window.__spoken.push({ text: u.text, lang: u.lang });
  speechSynthesis.cancel = () => { window.__cancelled += 1; };
}
"""
NO_SPEECH = "Object.defineProperty(window, 'speechSynthesis', { value: undefined });"
# does the element's content fit its box, and the box the screen?
FITS = """(el) => {
  const box = el.getBoundingClientRect();
  return el.scrollWidth <= el.clientWidth + 1 && box.left >= 0 && box.right <= window.innerWidth;
}"""


def _seed(server: LiveServer) -> tuple[str, list[int]]:
    with server.session() as session:
        employer = make_employer(session, name="李老板")
        ids = [
            make_job(
                session,
                employer=employer,
                title=f"新房刷墙 {i} 号楼",
                lat=ZHIFU.lat + 0.01 * i,
                lon=ZHIFU.lon,
                start_at=tomorrow_at(1),
                wage=240,
            ).id
            or 0
            for i in (1, 2)
        ]
        worker = make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon, radius_km=20)
        return worker.phone, ids


def _worker_page(server: LiveServer, phone: Any, script: str) -> tuple[Any, int]:
    """The seeded worker logged in on a phone whose speech is `script` (the recorder, or
    none at all): the page and the nearer job's id."""
    worker, (first, _second) = _seed(server)
    page = phone.new_page()
    page.add_init_script(script)
    log_in(page, server, worker)
    return page, first


def test_the_speaker_button_reads_the_card_and_the_job_page_and_stops_on_a_second_tap(
    live_server: LiveServer, phone: Any
) -> None:
    page, first = _worker_page(live_server, phone, RECORDER)
    page.goto(f"{live_server.url}/feed")
    button = page.locator(f"#job-{first} .speak")
    expect(button).to_be_visible()
    button.click()
    spoken = page.evaluate("window.__spoken")
    assert len(spoken) == 1 and spoken[0]["lang"] == "zh-CN"
    text = spoken[0]["text"]
    assert text.startswith("油漆工：新房刷墙 1 号楼。日薪 240 元。离你 1.1 公里。明天")
    assert "地点：芝罘区，烟台市芝罘区南大街。还剩 3 个名额，共 3 个。" in text
    expect(button).to_have_attribute("aria-pressed", "true")
    assert page.url.endswith("/feed")  # the tap spoke; it did not open the job
    button.click()  # again: stop
    expect(button).to_have_attribute("aria-pressed", "false")
    assert len(page.evaluate("window.__spoken")) == 1 and page.evaluate("window.__cancelled") == 2

    page.goto(f"{live_server.url}/jobs/{first}")
    page.get_by_role("button", name="读给我听").click()
    (said,) = page.evaluate("window.__spoken")
    assert said == {"text": text, "lang": "zh-CN"}


def test_the_speaker_button_is_hidden_where_the_browser_cannot_speak(
    live_server: LiveServer, phone: Any
) -> None:
    page, first = _worker_page(live_server, phone, NO_SPEECH)
    page.goto(f"{live_server.url}/feed")
    expect(page.locator(f"#job-{first} .btn-claim")).to_be_visible()
    expect(page.locator(f"#job-{first} .speak")).to_be_hidden()


def test_large_text_from_the_profile_still_fits_cards_sticky_button_and_tabs(
    live_server: LiveServer, phone: Any
) -> None:
    page, first = _worker_page(live_server, phone, RECORDER)
    page.goto(f"{live_server.url}/profile")
    normal = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.get_by_role("button", name="大字").click()
    page.wait_for_url(re.compile(r"/profile$"))
    expect(page.locator("html")).to_have_class(re.compile(r"\btext-large\b"))
    large = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert large / normal >= 1.2
    expect(page.get_by_role("button", name="大字")).to_have_attribute("aria-pressed", "true")
    shoot(page, "voice-profile-large")

    page.goto(f"{live_server.url}/feed")
    card = page.locator(f"#job-{first}")
    for part in (card, card.locator(".btn-claim"), card.locator(".speak"), card.locator("h3")):
        assert part.evaluate(FITS), part
    for link in page.locator(".top .brand, .top-tools a, .top-tools .link").all():
        assert link.bounding_box()["height"] <= 52, link.inner_text()  # one line each
    for tab in page.locator(".tabs a").all():
        assert tab.evaluate(FITS), tab.inner_text()
    assert page.locator(".tabs").bounding_box()["y"] + 60 <= PHONE["height"] + 1
    shoot(page, "voice-feed-large")

    page.goto(f"{live_server.url}/jobs/{first}")
    sticky = page.locator(".sticky-action .btn")
    expect(sticky).to_be_visible()
    assert sticky.evaluate(FITS)
    box, tabs = sticky.bounding_box(), page.locator(".tabs").bounding_box()
    assert box["y"] + box["height"] <= tabs["y"] + 1  # the 报名 button sits above the tabs
    shoot(page, "voice-job-large")
