"""The docker-compose stack without Docker: N uvicorn replicas behind nginx, on loopback.

nginx runs with `deploy/nginx/nginx.conf` and the upstream block of
`deploy/nginx/upstream.conf`, rewritten only where a container name or a fixed path has
to become a loopback port or a temporary directory, so what is measured and fault-tested
here is the proxy configuration that ships.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parents[2]
NGINX_DIR = ROOT / "deploy" / "nginx"


def nginx_binary() -> str | None:
    """Debian's nginx, wherever it is on this machine (None when it is not installed)."""
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User and system CPU seconds of a process (all its threads) so far; (0, 0) once gone."""
    try:
        return _cpu_of(Path(f"/proc/{pid}/stat").read_text())
    except OSError:
        return 0.0, 0.0


def cpu_by_name(names: tuple[str, ...]) -> dict[int, tuple[str, float]]:
    """Every running process whose command name is one of `names`: pid -> (name, CPU s),
    counting the children it has reaped: PostgreSQL's postmaster reaps each backend that
    exits (a pooled connection closed under load), whose CPU a reading of the live
    processes alone would lose."""
    found: dict[int, tuple[str, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        if name in names:
            found[int(entry.name)] = (name, sum(_cpu_of(stat, reaped=True)))
    return found


def _cpu_of(stat: str, *, reaped: bool = False) -> tuple[float, float]:
    """User and system CPU seconds from the text of a /proc/<pid>/stat file (with `reaped`,
    plus those of the children it waited for: cutime, cstime)."""
    fields = stat.rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    user, system = int(fields[11]), int(fields[12])
    if reaped:
        user, system = user + int(fields[13]), system + int(fields[14])
    return user / tick, system / tick


def wait_until_up(
    url: str, *, process: subprocess.Popen[bytes] | None = None, seconds: float = 30
) -> None:
    """Poll `url` until it answers 200; fail early when `process` has exited."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server behind {url} exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {seconds} s")
        time.sleep(0.1)


def render_nginx(workdir: Path, listen: int, upstreams: list[int]) -> Path:
    """nginx.conf and its upstream block for loopback: returns the main file's path."""
    shipped = (NGINX_DIR / "upstream.conf").read_text()
    options = re.search(r"^\s*server \S+ ([^;]*);", shipped, re.MULTILINE)
    extra = f" {options.group(1)}" if options else ""
    servers = "".join(f"    server 127.0.0.1:{port}{extra};\n" for port in upstreams)
    upstream = re.sub(r"(?m)^\s*server \S+[^;]*;\n", "", shipped)
    upstream = upstream.replace("{\n", "{\n" + servers, 1)
    (workdir / "upstream.conf").write_text(upstream)
    conf = (NGINX_DIR / "nginx.conf").read_text()
    for old, new in (
        ("/etc/nginx/linggong/upstream.conf", str(workdir / "upstream.conf")),
        ("pid /tmp/nginx.pid;", f"pid {workdir}/nginx.pid;"),
        ("listen 80;", f"listen 127.0.0.1:{listen};"),
        ("access_log /dev/stdout;", f"access_log {workdir}/access.log;"),
        ("error_log  /dev/stderr warn;", f"error_log {workdir}/error.log warn;"),
    ):
        if old not in conf:
            raise ValueError(f"deploy/nginx/nginx.conf no longer contains {old!r}")
        conf = conf.replace(old, new)
    path = workdir / "nginx.conf"
    path.write_text(conf)
    return path


class Replica:
    """One app process: `uvicorn web.app:create_app --factory --ws websockets`."""

    def __init__(self, env: dict[str, str], log: Path, log_level: str) -> None:
        self.port = free_port()
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-W", "ignore:The `websockets` implementation", "-m", "uvicorn",
                 "web.app:create_app", "--factory", "--ws", "websockets",
                 "--ws-per-message-deflate", "false", "--host", "127.0.0.1",
                 "--port", str(self.port), "--log-level", log_level, "--no-access-log",
                 "--backlog", "4096"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


class Stack:
    """`replicas` app processes on one database (and Redis, if given) behind one nginx."""

    def __init__(
        self,
        *,
        database_url: str,
        workdir: Path,
        redis_url: str | None = None,
        replicas: int = 2,
        log_level: str = "warning",
        env: dict[str, str] | None = None,
    ) -> None:
        nginx = nginx_binary()
        if nginx is None:
            raise RuntimeError("nginx is not installed")
        self.nginx_binary = nginx
        self.workdir = workdir
        self.count = replicas
        self.log_level = log_level
        environment = {k: v for k, v in os.environ.items() if not k.startswith("LINGGONG_")}
        environment.update(LINGGONG_DATABASE_URL=database_url, LINGGONG_ENVIRONMENT="test")
        # thousands of simulated workers claim from one address: not a test of rate limits
        environment["LINGGONG_RATE_LIMITS"] = "off"
        if redis_url:
            environment["LINGGONG_REDIS_URL"] = redis_url
        environment.update(env or {})
        self.env = environment
        self.replicas: list[Replica] = []
        self.nginx: subprocess.Popen[bytes] | None = None
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self) -> Stack:
        """Start every replica, wait until each answers, then nginx in front of them."""
        try:
            self.replicas = [
                Replica(self.env, self.workdir / f"replica-{i}.log", self.log_level)
                for i in range(self.count)
            ]
            for replica in self.replicas:
                wait_until_up(replica.url + "/healthz", process=replica.process, seconds=60)
            conf = render_nginx(self.workdir, self.port, [r.port for r in self.replicas])
            self.nginx = subprocess.Popen(
                [self.nginx_binary, "-c", str(conf), "-p", str(self.workdir), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            wait_until_up(self.url + "/healthz", process=self.nginx)
        except BaseException:
            self.stop()
            raise
        return self

    def kill_replica(self, index: int, sig: signal.Signals = signal.SIGKILL) -> Replica:
        """Kill one replica (SIGKILL by default: no goodbye to its clients) and reap it."""
        replica = self.replicas[index]
        replica.process.send_signal(sig)
        replica.process.wait(timeout=10)
        return replica

    def logs(self) -> str:
        """Every replica's output and nginx's error log, for a failing test's report."""
        parts = [f"--- {p.name}\n{p.read_text(errors='replace')}" for p in self._log_files()]
        return "\n".join(parts)

    def _log_files(self) -> list[Path]:
        files = [r.log for r in self.replicas] + [self.workdir / "error.log"]
        return [p for p in files if p.exists()]

    def stop(self) -> None:
        """Stop nginx and every replica still running; safe to call twice."""
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(
                signal.SIGTERM
            )  # fast: open websockets would hold up a graceful quit
            try:
                self.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
                self.nginx.wait(timeout=10)
        for replica in self.replicas:
            replica.stop()

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
