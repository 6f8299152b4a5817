"""Scripts and styles under content-hashed URLs, cached for a year, fetched in parallel."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import make_worker
from tests.web.pages.staff.helpers import log_in
from web.pages import assets

IMMUTABLE = "public, max-age=31536000, immutable"


def _feed(client: TestClient, session: Session) -> str:
    log_in(client, make_worker(session), page="/feed")
    return client.get("/feed").text


def test_the_feeds_modules_and_their_imports_are_hashed_and_cached_for_a_year(
    client: TestClient, session: Session
) -> None:
    page = _feed(client, session)
    script = re.search(r'<script type="module" src="(/static/js/feed\.js\?v=\w+)"', page)
    preloads = re.findall(r'<link rel="modulepreload" href="([^"]+)"', page)
    assert script is not None
    # the whole graph is asked for at once: no waterfall feed.js -> refresh.js -> live.js
    assert {p.split("?")[0] for p in preloads} == {"/static/js/refresh.js", "/static/js/live.js"}
    for url in [script.group(1), *preloads]:
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert answer.headers["cache-control"] == IMMUTABLE, url
        assert answer.headers["content-type"].startswith("text/javascript")
        # every module it loads, by a hashed URL (a plain one would be revalidated each time)
        named = re.findall(r"""(?:from|import\()\s*["']([^"']+\.js[^"']*)["']""", answer.text)
        assert all(re.fullmatch(r"/static/js/[\w.-]+\.js\?v=\w+", n) for n in named), named
        for hashed in named:
            assert hashed in preloads
    feed_js = client.get(script.group(1)).text
    assert '"./refresh.js"' not in feed_js and f'"{assets.url("js/refresh.js")}"' in feed_js


def test_a_stale_or_missing_hash_is_never_cached_for_long(client: TestClient) -> None:
    for url in ("/static/js/live.js", "/static/js/live.js?v=0000000000", "/static/css/app.css"):
        answer = client.get(url)
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == "no-cache", url
    assert client.get("/static/js/nothing.js?v=1").status_code == 404
    assert client.get("/static/js/../../app.py").status_code == 404


def test_a_changed_import_changes_the_url_of_every_module_that_loads_it() -> None:
    refresh = assets.asset("js/refresh.js")
    assert assets.url("js/live.js") in refresh.body.decode()
    # the hash is over the served text, which names live.js by its own hash
    assert refresh.digest != assets.asset("js/live.js").digest
    assert "js/live.js" in assets.asset("js/feed.js").imports


def test_every_page_script_is_deferred_or_a_module_but_the_tiny_early_one(
    client: TestClient, session: Session
) -> None:
    page = _feed(client, session)
    for tag in re.findall(r"<script[^>]*>", page):
        if "early.js" in tag:
            continue  # marks the page as scripted before it paints: a few bytes, cached a year
        assert 'type="module"' in tag or " defer" in tag, tag
        assert "?v=" in tag, tag
