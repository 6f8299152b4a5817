"""The reverse-proxy piece of docker-compose, run for real: nginx in front of two uvicorns."""

from __future__ import annotations

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
