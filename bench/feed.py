"""`python -m bench feed`: the worker's feed and the employer's candidates at city scale.

For each market size (open jobs around one worker with three trades and a 30 km radius)
a throw-away PostgreSQL database is seeded (bulk insert with outbox events), then the real
server (`linggong serve --workers 2`) is started on it, so each replica builds its read
model at start-up, and `wrk` drives GET /api/v1/worker/feed?limit=20 and
GET /api/v1/jobs/{id}/candidates at full speed (req/s, p50, p99), then the feed again
paced at half the rate it sustained (p99 there is the latency budget's figure; each
connection pauses a random time after each answer, so requests arrive spread out as from
independent phones rather than in lock-step bursts). "feed, many" is the feed asked by
the other seeded workers in turn (`--workers`, one trade each within 20 km of the centre),
each request with a login drawn at random: a worker's first feed on a replica reads their
login and entry from the database, later ones find them in memory; "feed" is one worker
refreshing (the issue's figure). A bare
FastAPI app (one `async def` endpoint, 2 workers) is driven the same way in the same run;
every rate is also given as a share of the bare app's. That app, served by plain uvicorn
as the issue measured it, answers each keep-alive request 40 ms late (Nagle against wrk's
delayed ACK: p50 44 ms at any load), which caps it near 730 req/s; the "GET /, ours" row is
the same app served as `linggong serve` serves ours (`web.serving`, TCP_NODELAY), the
baseline without that stall. `--paths database` serves feeds
from the database as before the read model (main's code path, for a "before" column).

Memory per 100,000 open jobs and per 100,000 workers is measured on the largest market:
each book of the read model built in this process, traced by tracemalloc and as the
growth of the process's RSS (`--workers` sets how many workers it is built of).
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import tracemalloc
from collections.abc import Callable, Sized
from pathlib import Path
from typing import Any

from bench.load.run import drop_database, new_database
from bench.load.stack import ROOT, free_port, wait_until_up

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def parse_wrk(text: str) -> dict[str, float]:
    """req/s, p50 and p99 (ms) and non-2xx answers from `wrk --latency` output."""

    def latency(share: str) -> float:
        found = re.search(rf"^\s+{share}%\s+([\d.]+)(us|ms|s)\s*$", text, re.MULTILINE)
        return float(found.group(1)) * UNITS[found.group(2)] if found else float("nan")

    rate = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.MULTILINE)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    return {
        "rps": float(rate.group(1)) if rate else 0.0,
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": (int(bad.group(1)) if bad else 0)
        + (sum(int(x) for x in errors.groups()) if errors else 0),
    }


def wrk(
    url: str,
    args: argparse.Namespace,
    token: str | list[str] = "",
    rate: float = 0,
    quiet: bool = False,
) -> dict[str, float]:
    """One wrk run; with `rate`, each connection waits so the whole stays near that rate.
    With a list of tokens, each request logs in with one of them at random."""
    connections = args.connections
    if rate:  # few enough connections that each sends several requests a second
        connections = max(1, min(connections, int(rate / 4)))
    threads = min(args.threads, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{args.seconds}s", "--latency"]
    command += ["--timeout", "10s"]  # a slow answer is measured, not dropped
    if isinstance(token, str) and token:
        command += ["-H", f"Authorization: Bearer {token}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if isinstance(token, list) and token:
            listed = ",".join(f'"{t}"' for t in token)
            script.write(
                f"tokens = {{{listed}}}\n"
                "request = function()\n"
                '  local login = "Bearer " .. tokens[math.random(#tokens)]\n'
                '  return wrk.format(nil, nil, {["Authorization"] = login})\n'
                "end\n"
            )
        if rate:
            # each connection waits a random pause, `pause_ms` on average, after each answer:
            # with a fixed pause the connections stayed in step and every round arrived as
            # one burst of `connections` requests, which measured the burst, not the rate
            # (p99 of /healthz at 180 req/s: 32 ms in step, 8 ms spread out)
            pause_ms = int(connections * 1000 / rate)
            script.write(f"function delay()\n  return math.random(0, {2 * pause_ms})\nend\n")
        script.flush()
        if rate or isinstance(token, list):
            command += ["-s", script.name]
        done = subprocess.run(
            [*command, url], capture_output=True, text=True, timeout=args.seconds + 120, check=True
        )
    figures = parse_wrk(done.stdout)
    if not figures["rps"] and not quiet:  # say why, rather than print a row of zeros
        print(done.stdout + done.stderr, file=sys.stderr)
    return figures


class Server:
    """A server process (and its workers) on a free loopback port; stopped on exit."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [*command, "--port", str(self.port)],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_until_up(self.url + "/healthz", process=self.process, seconds=180)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _env(database_url: str, read_model: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINGGONG_")}
    env.update(
        LINGGONG_DATABASE_URL=database_url,
        LINGGONG_ENVIRONMENT="test",
        LINGGONG_RATE_LIMITS="off",
        LINGGONG_STATS_REFRESH_SECONDS="0",
        LINGGONG_FEED_READ_MODEL=read_model,
    )
    return env


def _app_command() -> list[str]:
    linggong = Path(sys.executable).with_name("linggong")
    return [
        str(linggong),
        "serve",
        "--host",
        "127.0.0.1",
        "--workers",
        "2",
        "--log-level",
        "warning",
    ]


def _bare_command() -> list[str]:
    return [sys.executable, "-m", "uvicorn", "bench.feed_bare:app", "--host", "127.0.0.1",
            "--workers", "2", "--log-level", "warning", "--no-access-log"]  # fmt: skip


def _drive(url: str, args: argparse.Namespace, token: str | list[str] = "") -> dict[str, Any]:
    wrk(url, argparse.Namespace(**{**vars(args), "seconds": args.warmup}), token, quiet=True)
    full = wrk(url, args, token)
    half = wrk(url, args, token, rate=full["rps"] / 2) if full["rps"] else {}
    return {**full, "half_rps": half.get("rps", 0.0), "half_p99": half.get("p99", float("nan"))}


def _row(label: str, size: int | str, kind: str, m: dict[str, Any], bare: float) -> str:
    share = m["rps"] / bare if bare else float("nan")
    return (
        f"{label:<9} {size!s:>6} {kind:<11} {m['rps']:>8.1f} {m['p50']:>8.1f} {m['p99']:>8.1f}"
        f" {share:>6.3f} {m['half_rps']:>8.1f} {m['half_p99']:>8.1f} {m['errors']:>6}"
    )


HEAD = (
    f"{'path':<9} {'jobs':>6} {'request':<11} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
    f" {'x bare':>6} {'½ req/s':>8} {'½ p99':>8} {'errors':>6}"
)


def memory_per_100k(database_url: str) -> dict[str, tuple[float, float, int]]:
    """By book ("open jobs", "workers"): (MiB traced, MiB of RSS growth) per 100,000 of its
    entries, and the entries it was built of."""
    from sqlmodel import Session

    from market.db import make_engine
    from market.feed.book import JobBook
    from market.feed.readmodel import _load
    from market.feed.workers import WorkerBook, load_workers
    from market.types import utcnow

    engine = make_engine(database_url)

    def jobs() -> JobBook:
        book = JobBook()
        with Session(engine) as session:
            found, pending = _load(session, None)
        book.replace_all(found.values(), pending)
        return book

    def workers() -> WorkerBook:
        book = WorkerBook()
        with Session(engine) as session:
            found, _ = load_workers(session, None, utcnow())
        book.replace_all(found)
        return book

    try:
        return {"open jobs": _measured(jobs), "workers": _measured(workers)}
    finally:
        engine.dispose()


def _measured(build: Callable[[], Sized]) -> tuple[float, float, int]:
    build()  # imports, caches and pools warmed, then let go
    gc.collect()
    before = _rss_kib()
    book = build()
    gc.collect()
    rss = (_rss_kib() - before) / 1024
    del book
    gc.collect()
    tracemalloc.start()
    book = build()
    gc.collect()
    traced = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    scale = 100_000 / max(1, len(book))
    return traced * scale, rss * scale, len(book)


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    from bench.feed_market import seed_feed_market
    from market.db import make_engine

    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="linggong-feed-") as tmp:
        log = Path(tmp) / "server.log"
        bare_server = Server(_bare_command(), _env("", "off"), log)
        try:
            bare = _drive(bare_server.url + "/", args)
        finally:
            bare_server.stop()
        prompt = Server([sys.executable, "-m", "bench.feed_bare"], _env("", "off"), log)
        try:
            no_delay = _drive(prompt.url + "/", args)
        finally:
            prompt.stop()
        print(HEAD)
        print(_row("bare app", "-", "GET /", bare, bare["rps"]), flush=True)
        print(_row("bare app", "-", "GET /, ours", no_delay, bare["rps"]), flush=True)
        for size in args.sizes:
            name, url = new_database(args.postgres_url, "lg_feed")
            try:
                engine = make_engine(url)
                market = seed_feed_market(engine, jobs=size, workers=args.workers)
                engine.dispose()
                # the notification pass catches up before the servers start, so their
                # background loop is idle while the feed is measured, as on a quiet market
                linggong = Path(sys.executable).with_name("linggong")
                subprocess.run(
                    [str(linggong), "notify"], env=_env(url, "off"), cwd=ROOT, check=True,
                    capture_output=True,
                )  # fmt: skip
                for path in args.paths:
                    server = Server(
                        _app_command(), _env(url, "on" if path == "model" else "off"), log
                    )
                    try:
                        feed_url = server.url + "/api/v1/worker/feed?limit=20"
                        feed = _drive(feed_url, args, market.worker_token)
                        crowd = _drive(feed_url, args, market.crowd_tokens)
                        candidates = _drive(
                            f"{server.url}/api/v1/jobs/{market.job_id}/candidates",
                            args,
                            market.employer_token,
                        )
                    finally:
                        server.stop()
                    rows = (("feed", feed), ("feed, many", crowd), ("candidates", candidates))
                    for kind, m in rows:
                        print(_row(path, size, kind, m, bare["rps"]), flush=True)
                        results.append({"path": path, "jobs": size, "kind": kind, **m})
                if size == max(args.sizes) and args.memory:
                    for what, (traced, rss, n) in memory_per_100k(url).items():
                        print(
                            f"read model memory per 100,000 {what} (built of {n}): "
                            f"{traced:.0f} MiB traced (tracemalloc), {rss:.0f} MiB RSS growth",
                            flush=True,
                        )
            finally:
                drop_database(args.postgres_url, name)
        if args.show_log:
            print(log.read_text(errors="replace"))
    _summary(results, bare["rps"])
    return results


def _summary(results: list[dict[str, Any]], bare: float) -> None:
    for path in sorted({r["path"] for r in results}):
        feed = {r["jobs"]: r for r in results if r["path"] == path and r["kind"] == "feed"}
        if len(feed) < 2:
            continue
        low, high = min(feed), max(feed)
        cost = feed[low]["rps"] / feed[high]["rps"] if feed[high]["rps"] else float("inf")
        print(
            f"{path}: feed cost at {high} jobs = {cost:.2f}x its cost at {low} (target <= 1.3);"
            + "".join(f" at {n}: {r['rps'] / bare:.3f} of bare" for n, r in sorted(feed.items()))
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench feed", description=__doc__)
    parser.add_argument(
        "--postgres-url", default=os.environ.get("LINGGONG_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    )
    parser.add_argument("--sizes", default="200,2000,20000", help="open jobs around the worker")
    parser.add_argument("--paths", default="model", help="model, database or model,database")
    parser.add_argument("--workers", type=int, default=1000, help="workers (candidates) seeded")
    parser.add_argument("--seconds", type=int, default=10, help="each measured wrk run")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured wrk run first")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-memory", dest="memory", action="store_false")
    parser.add_argument("--show-log", action="store_true", help="print the servers' log")
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",")]
    args.paths = [p for p in args.paths.split(",") if p]
    if not set(args.paths) <= {"model", "database"}:
        parser.error("--paths takes model and/or database")
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install -y wrk)", file=sys.stderr)
        return 2
    # a stopped bench still stops its servers and drops its databases
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    run(args)
    return 0
