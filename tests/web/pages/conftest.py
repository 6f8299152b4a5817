"""Page tests: a real server on loopback for the browser, Debian's chromium through Playwright.

The server runs uvicorn in a thread over a migrated database of the test's own; the map
tiles point at a closed loopback port, so every map test also proves the page works when
tiles cannot load.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from market.db import make_engine
from market.settings import Settings
from tests.servers import free_port
from tests.web.pages.browser import CHROMIUM, DEAD_TILES, LiveServer, new_phone


@pytest.fixture
def live_server(sqlite_template: Path, tmp_path: Path) -> Iterator[LiveServer]:
    """The whole app on 127.0.0.1, over a fresh database."""
    from web.app import create_app

    path = tmp_path / "live.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    settings = Settings(environment="test", database_url=f"sqlite:///{path}", tile_url=DEAD_TILES)
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, engine=engine),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws="websockets-sansio",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield LiveServer(url=f"http://127.0.0.1:{port}", engine=engine)
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's chromium, headless (the browser tests are skipped, saying why, without it)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(chromium: Any) -> Iterator[Any]:
    context = new_phone(chromium)
    yield context
    context.close()
