"""The reverse-proxy piece of docker-compose, run for real: nginx in front of two uvicorns."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from market.migrations import upgrade
from tests.servers import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (.ci/run installs it)"),
]


def _render(tmp: Path, listen: int, upstreams: list[int]) -> Path:
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n" for p in upstreams)
    (tmp / "upstream.conf").write_text(f"upstream linggong_app {{\n{servers}}}\n")
    conf = (ROOT / "deploy/nginx/nginx.conf").read_text()
    conf = conf.replace("/etc/nginx/linggong/upstream.conf", str(tmp / "upstream.conf"))
    conf = conf.replace("pid /tmp/nginx.pid;", f"pid {tmp}/nginx.pid;")
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    conf = conf.replace("access_log /dev/stdout;", f"access_log {tmp}/access.log;")
    conf = conf.replace("error_log  /dev/stderr warn;", f"error_log {tmp}/error.log warn;")
    path = tmp / "nginx.conf"
    path.write_text(conf)
    return path


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[list[tuple[subprocess.Popen[bytes], int]]]:
    """Two app processes on one migrated database, each on its own loopback port."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    upgrade(url)
    env = {**os.environ, "LINGGONG_DATABASE_URL": url, "LINGGONG_ENVIRONMENT": "test"}
    started = []
    for _ in range(2):
        port = free_port()
        command = [sys.executable, "-m", "web.cli", "serve", "--port", str(port)]
        started.append(
            (subprocess.Popen([*command, "--log-level", "warning"], cwd=ROOT, env=env), port)
        )
    try:
        for proc, port in started:
            wait_until_up(f"http://127.0.0.1:{port}/healthz", process=proc)
        yield started
    finally:
        for proc, _ in started:
            proc.send_signal(signal.SIGTERM)
        for proc, _ in started:
            proc.wait(timeout=10)


def test_proxy_config_passes_nginx_own_check(tmp_path: Path) -> None:
    conf = _render(tmp_path, free_port(), [free_port(), free_port()])
    result = subprocess.run(
        [NGINX or "nginx", "-t", "-c", str(conf), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_requests_keep_flowing_when_one_replica_dies(
    tmp_path: Path, replicas: list[tuple[subprocess.Popen[bytes], int]]
) -> None:
    listen = free_port()
    conf = _render(tmp_path, listen, [port for _, port in replicas])
    nginx = subprocess.Popen(
        [NGINX or "nginx", "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off;"]
    )
    try:
        wait_until_up(f"http://127.0.0.1:{listen}/healthz", process=nginx)
        killed, _ = replicas[0]
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=5)
        statuses = []
        for _ in range(20):
            with urllib.request.urlopen(f"http://127.0.0.1:{listen}/readyz", timeout=5) as response:
                statuses.append(response.status)
        assert statuses == [200] * 20
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=10)
