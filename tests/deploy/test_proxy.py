"""The reverse-proxy piece of docker-compose, run for real: nginx in front of two uvicorns."""

from __future__ import annotations

import gzip
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.load.stack import Stack, free_port, nginx_binary, render_nginx
from market.migrations import upgrade

NGINX = nginx_binary()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (.ci/run installs it)"),
]


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    """Two app processes on one migrated SQLite database, behind nginx."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    upgrade(url)
    with Stack(database_url=url, workdir=tmp_path) as running:
        yield running


def test_proxy_config_passes_nginx_own_check(tmp_path: Path) -> None:
    conf = render_nginx(tmp_path, free_port(), [free_port(), free_port()])
    result = subprocess.run(
        [NGINX or "nginx", "-t", "-c", str(conf), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_rendered_upstream_keeps_the_shipped_options_on_loopback(tmp_path: Path) -> None:
    render_nginx(tmp_path, 8080, [9001, 9002])
    upstream = (tmp_path / "upstream.conf").read_text()
    assert "least_conn;" in upstream and "keepalive 32;" in upstream
    assert "server 127.0.0.1:9001 max_fails=2 fail_timeout=5s;" in upstream
    assert "server 127.0.0.1:9002 max_fails=2 fail_timeout=5s;" in upstream
    assert "app1" not in upstream


def test_requests_keep_flowing_when_one_replica_dies(stack: Stack) -> None:
    stack.kill_replica(0)
    statuses = []
    for _ in range(20):
        with urllib.request.urlopen(stack.url + "/readyz", timeout=5) as response:
            statuses.append(response.status)
    assert statuses == [200] * 20


def _get(url: str, encoding: str) -> tuple[dict[str, str], bytes]:
    headers = {"Accept-Encoding": encoding} if encoding else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
        return {k.lower(): v for k, v in r.headers.items()}, r.read()


def test_nginx_compresses_and_the_replicas_answer_plain_behind_it(stack: Stack) -> None:
    """Phones get gzip through the proxy, made by nginx (level 5: the gzip header's XFL
    byte is 0), not by the replica (Starlette's level 9 writes 2), whose interpreter is
    the market's scarcest CPU; the app alone still compresses (`make run`)."""
    path = "/openapi.json"  # JSON of a few hundred kB
    alone_headers, alone = _get(stack.replicas[0].url + path, "gzip")
    assert alone_headers["content-encoding"] == "gzip" and alone[8] == 2
    plain_headers, plain = _get(stack.url + path, "")
    assert "content-encoding" not in plain_headers
    headers, body = _get(stack.url + path, "gzip")
    assert headers["content-encoding"] == "gzip" and body[8] == 0
    assert gzip.decompress(body) == plain == gzip.decompress(alone)
    assert "Accept-Encoding" in headers["vary"]
