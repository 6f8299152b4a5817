"""Helpers of the browser tests: the live server's handle, a phone-like context, screenshots."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import expect
from sqlalchemy import Engine

from market.db import session_scope
from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = Path(os.environ.get("LINGGONG_TEST_ARTIFACTS", ROOT / "test-artifacts"))
SCREENSHOTS = ARTIFACTS / "screenshots"
PHONE = {"width": 360, "height": 740}
expect.set_options(timeout=10_000)  # a 2-core CI machine is slower than a phone
DEAD_TILES = "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"


@dataclass
class LiveServer:
    url: str
    engine: Engine

    def session(self) -> Any:
        """A committing session on the server's database, for seeding and checking."""
        return session_scope(self.engine)


def log_in(page: Any, server: LiveServer, phone: str) -> None:
    """Log in through the login form (the password every factory user has) and wait to leave it."""
    page.goto(f"{server.url}/login")
    page.fill("#phone", phone)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def new_phone(chromium: Any, *, locale: str = "zh-CN", **options: Any) -> Any:
    """A browser context like a cheap Android phone: 360x740, touch, Chinese."""
    context = chromium.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale=locale,
        extra_http_headers={"Accept-Language": f"{locale},zh;q=0.9"},
        **options,
    )
    context.set_default_timeout(15_000)
    return context


UNLABELLED_CONTROLS = """() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter((el) => el.type !== 'hidden' && !el.closest('dialog:not([open])'))
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                  && !(el.tagName === 'BUTTON' && el.textContent.trim()))
  .map((el) => el.outerHTML.slice(0, 80))"""


def shoot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as a test artifact, after checking what every page owes.

    Every page must fit a 360 px wide screen without sideways scrolling, and every control
    must have a label a screen reader can say.
    """
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    assert page.evaluate(UNLABELLED_CONTROLS) == [], name
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # pinned bars would land mid-page in a full-page picture: lay them flat while shooting
    style = page.add_style_tag(content=".tabs, .sticky-action { position: static !important; }")
    page.screenshot(path=str(path), full_page=True)
    style.evaluate("node => node.remove()")
    return path


def job_id_in(url: str) -> int:
    found = re.search(r"/jobs/(\d+)", url)
    assert found, url
    return int(found.group(1))


class LiveFrames:
    """The text frames a page's websockets received, socket by socket: each page load
    opens a socket of its own, and what the sockets of earlier pages got says nothing of it."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.sockets: list[tuple[str, list[str]]] = []  # (the page's URL then, frames)
        page.on("websocket", self._watch)

    def _watch(self, websocket: Any) -> None:
        frames: list[str] = []
        self.sockets.append((self.page.url, frames))
        websocket.on("framereceived", lambda data: frames.append(str(data)))

    def hello(self, path: str, timeout_ms: int = 10_000) -> list[str]:
        """The frames of the last socket opened by the page at `path`, once its hello came
        (events are routed to it from then on); the list keeps growing."""
        for _ in range(timeout_ms // 100):
            mine = [frames for url, frames in self.sockets if urlsplit(url).path == path]
            if mine and any('"hello"' in frame for frame in mine[-1]):
                return mine[-1]
            self.page.wait_for_timeout(100)
        raise AssertionError(f"the live socket of {path} never said hello")
