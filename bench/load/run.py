"""`python -m bench load`: the market's request mix against 2 replicas behind nginx.

Seeds a throw-away PostgreSQL database, starts the stack (uvicorn replicas, nginx from
`deploy/nginx`, Redis: the one given or a private one), then drives an open-loop load at
each target rate from a separate client process and prints, per request kind, answers a
second, p50/p95/p99 and the answers by status, and the highest rate at which the feed's
p99 stays under the budget with (almost) no errors.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.load.client import KINDS
from bench.load.services import PrivateRedis, redis_available
from bench.load.stack import ROOT, Stack, cpu_by_name, cpu_seconds, nginx_binary

# a claim refused because the job filled or clashes is a correct answer, not an error
EXPECTED = {"claim": {"409"}}
MAX_ERROR_SHARE = 0.01
MIN_ACHIEVED_SHARE = 0.95
IDLE_S = 4.0  # --per-kind: seconds of the stack idle read before each kind


def errors_of(kind: str, statuses: dict[str, int]) -> int:
    """Answers that are neither 2xx nor an expected refusal (0 = no answer at all)."""
    allowed = EXPECTED.get(kind, set())
    return sum(n for s, n in statuses.items() if not s.startswith("2") and s not in allowed)


def sustained(line: dict[str, Any], budget_ms: float) -> tuple[bool, str]:
    """Whether this rate was held: feed p99 within budget, errors and shortfall small."""
    kinds = line["kinds"]
    sent = sum(k["sent"] for k in kinds.values())
    errors = sum(errors_of(name, k["statuses"]) for name, k in kinds.items())
    achieved = sum(k["per_s"] for k in kinds.values())
    if kinds["feed"]["p99_ms"] > budget_ms:
        return False, f"feed p99 {kinds['feed']['p99_ms']:.0f} ms > {budget_ms:.0f} ms"
    if sent and errors / sent > MAX_ERROR_SHARE:
        return False, f"{errors} errors of {sent} requests"
    if achieved < MIN_ACHIEVED_SHARE * line["rate"]:
        return False, f"only {achieved:.0f} of {line['rate']} req/s answered"
    return True, "held"


def table(line: dict[str, Any]) -> str:
    """One rate's results as aligned text."""
    head = (
        f"{'kind':<6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}  answers"
    )
    rows = [head]
    for name, k in line["kinds"].items():
        statuses = " ".join(f"{s}:{n}" for s, n in k["statuses"].items()) or "-"
        rows.append(
            f"{name:<6} {k['per_s']:>7.1f} {k['p50_ms']:>8.1f} {k['p95_ms']:>8.1f} "
            f"{k['p99_ms']:>8.1f} {k['max_ms']:>8.1f}  {statuses}"
        )
    total = sum(k["per_s"] for k in line["kinds"].values())
    rows.append(f"{'all':<6} {total:>7.1f}   (client process used {line['client_cpu']:.2f} CPU)")
    cpu = line.get("cpu_ms_per_answer")
    if cpu:
        rows.append(
            f"server CPU per answer: replicas {cpu['replicas']:.2f} ms, PostgreSQL "
            f"{cpu['postgres']:.2f} ms, nginx {cpu['nginx']:.2f} ms ({line['answered']} answers)"
        )
    return "\n".join(rows)


def new_database(server_url: str, prefix: str = "lg_load") -> tuple[str, str]:
    """A new, migrated database of our own on the server, named `prefix`_<random>: (name, url)."""
    from sqlalchemy import create_engine, text

    from market.db import normalise_url
    from market.migrations import upgrade

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    base = normalise_url(server_url)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    url = base.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    return name, url


def drop_database(server_url: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    from market.db import normalise_url

    admin = create_engine(normalise_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _seed(url: str, workers: int) -> dict[str, Any]:
    from bench.load.seed import seed_load_market
    from market.db import make_engine, session_scope

    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            market = seed_load_market(session=session, workers=workers, logins=min(workers, 300))
    finally:
        engine.dispose()
    return asdict(market)


class _Meter:
    """CPU seconds the stack's parts used since the last reading: the replicas (every
    thread), PostgreSQL (every server process) and nginx.

    A backend that exits (a pooled connection closed under load) is counted through the
    postmaster, which reaped it: its whole life's CPU joins the postmaster's children's
    time (`cpu_by_name`), so what the last reading already counted of it is taken off."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.last = self._now()

    def _now(self) -> dict[int, tuple[str, float]]:
        found = cpu_by_name(("postgres", "nginx"))
        for replica in self.stack.replicas:
            found[replica.process.pid] = ("replicas", sum(cpu_seconds(replica.process.pid)))
        return found

    def used(self) -> dict[str, float]:
        now = self._now()
        used = used_between(self.last, now)
        self.last = now
        return used


Reading = dict[int, tuple[str, float]]  # pid: (part, CPU seconds so far)


def used_between(last: Reading, now: Reading) -> dict[str, float]:
    """CPU seconds each part used between two readings: a process gone since the last
    (not a replica) was reaped by its parent, whose reading now holds all of its CPU."""
    used = {"replicas": 0.0, "postgres": 0.0, "nginx": 0.0}
    for pid, (name, seconds) in now.items():
        used[name] += seconds - last.get(pid, (name, 0.0))[1]
    for pid, (name, seconds) in last.items():
        if pid not in now and name != "replicas":
            used[name] -= seconds  # counted again, whole, in its parent's reaped time
    return used


def _with_cpu(line: dict[str, Any], used: dict[str, float]) -> dict[str, Any]:
    """The line with the stack's CPU per answered request, in ms, by part."""
    answered = sum(
        n for k in line["kinds"].values() for status, n in k["statuses"].items() if status != "0"
    )
    line["answered"] = answered
    line["cpu_ms_per_answer"] = {
        part: round(seconds * 1000 / max(answered, 1), 2) for part, seconds in used.items()
    }
    return line


def _drive(stack: Stack, market: dict[str, Any], args: argparse.Namespace) -> list[dict[str, Any]]:
    """Run the client process over every rate (stopping after two misses); its lines."""
    lines: list[dict[str, Any]] = []
    baselines: list[dict[str, Any]] = []
    misses = 0
    for rate in args.rates:
        plan = {"base_url": stack.url, "market": market, "rates": [rate],
                "seconds": args.seconds, "warmup": args.warmup if not lines else 0,
                "one_at_a_time": 0 if lines else 20, "pause": 0, "seed": rate}  # fmt: skip
        timeout = args.seconds * 4 + args.warmup + 60
        read = [
            _with_cpu(got, used)
            for used, got in _client_lines(stack, plan, timeout)
            if "warmed_up" not in got
        ]
        *first, last = read
        for baseline in first:
            print("\n== one request at a time (service time, no queueing)")
            print(table(baseline), flush=True)
            baselines.append(baseline)
        line = last
        line["load_average"] = os.getloadavg()
        held, why = sustained(line, args.budget_ms)
        line["held"], line["why"] = held, why
        lines.append(line)
        print(f"\n== target {rate} req/s for {line['seconds']:.0f} s: {why}; "
              f"load average {' '.join(f'{x:.2f}' for x in line['load_average'])}")  # fmt: skip
        print(table(line), flush=True)
        misses = 0 if held else misses + 1
        if misses >= 2 and not args.all_rates:
            print("(two rates missed in a row: higher ones skipped)")
            break
        time.sleep(2)
    return baselines + lines


def _client_lines(
    stack: Stack, plan: dict[str, Any], timeout: float
) -> Iterator[tuple[dict[str, float], dict[str, Any]]]:
    """Run the client process on `plan`; each line it prints as a phase ends, with the CPU
    the stack's parts used since the line before (or the start)."""
    with tempfile.TemporaryDirectory(prefix="linggong-load-") as tmp:
        path = Path(tmp) / "plan.json"
        path.write_text(json.dumps(plan))
        meter = _Meter(stack)
        with subprocess.Popen(
            [sys.executable, "-m", "bench.load.client", str(path)],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        ) as client:  # fmt: skip
            assert client.stdout is not None
            for text in client.stdout:  # a phase's line as it ends: its CPU is read then
                yield meter.used(), json.loads(text)
            if client.wait(timeout=timeout) != 0:
                raise RuntimeError(f"the load client exited with {client.returncode}")


def _per_kind(stack: Stack, market: dict[str, Any], args: argparse.Namespace) -> None:
    """After a mixed warm-up (at the lowest of `--rates`), each kind alone: the stack idle
    for IDLE_S, then `--per-kind` requests of the kind one after another; the CPU each part
    used a request, less what it used idle over the same time (background loops run either
    way)."""
    kinds = list(KINDS) if args.kinds == "all" else args.kinds.split(",")
    plan = {"base_url": stack.url, "market": market, "rates": [], "seconds": 0,
            "warmup": args.warmup, "warmup_rate": min(args.rates), "seed": 1,
            "per_kind": {"kinds": kinds, "count": args.per_kind, "idle_s": IDLE_S}}  # fmt: skip
    print(f"\n== each kind alone: {args.per_kind} requests one after another, net of the "
          f"stack's idle CPU over {IDLE_S:.0f} s before each (ms a request)")  # fmt: skip
    print(f"{'kind':<6} {'replicas':>9} {'PostgreSQL':>11} {'nginx':>6}  answers")
    idle: dict[str, float] = {}
    for used, got in _client_lines(stack, plan, timeout=600):
        if "idle" in got:
            idle = {part: cpu / got["seconds"] for part, cpu in used.items()}
        elif "kind" in got:
            net = {
                part: (cpu - idle.get(part, 0.0) * got["seconds"]) * 1000 / args.per_kind
                for part, cpu in used.items()
            }
            answers = " ".join(f"{s}:{n}" for s, n in got["statuses"].items())
            print(f"{got['kind']:<6} {net['replicas']:>9.2f} {net['postgres']:>11.2f} "
                  f"{net['nginx']:>6.2f}  {answers}", flush=True)  # fmt: skip


def run(args: argparse.Namespace) -> int:
    if nginx_binary() is None:  # say so before seeding a database for nothing
        print("nginx is not installed: the load goes through the shipped proxy", file=sys.stderr)
        return 2
    redis: PrivateRedis | None = None
    name = ""
    workdir = Path(tempfile.mkdtemp(prefix="linggong-stack-"))
    try:
        redis_url = args.redis_url
        if not redis_url:
            if not redis_available():
                print("no --redis-url and no redis-server to start a private one", file=sys.stderr)
                return 2
            redis = PrivateRedis().start()
            redis_url = redis.url
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
              f"on {os.cpu_count()} CPUs", flush=True)  # fmt: skip
        name, url = new_database(args.postgres_url)
        began = time.monotonic()
        market = _seed(url, args.workers)
        print(f"seeded {args.workers} workers, {len(market['employer_tokens'])} employers, "
              f"{len(market['job_ids'])} open jobs in {time.monotonic() - began:.0f} s; "
              f"{args.replicas} replicas behind nginx, Redis {redis_url}", flush=True)  # fmt: skip
        with Stack(
            database_url=url, redis_url=redis_url, workdir=workdir, replicas=args.replicas
        ) as stack:
            if args.per_kind:
                _per_kind(stack, market, args)
                return 0
            lines = _drive(stack, market, args)  # the one-at-a-time line first, as rate 0
        _report(lines, args)
        if args.json:
            Path(args.json).write_text(json.dumps(lines, indent=1))
        return 0
    finally:
        if redis is not None:
            redis.stop()
        if name:
            drop_database(args.postgres_url, name)
        shutil.rmtree(workdir, ignore_errors=True)


def _report(lines: list[dict[str, Any]], args: argparse.Namespace) -> None:
    lines = [line for line in lines if line["rate"]]
    print(f"\n== summary (feed p99 budget {args.budget_ms:.0f} ms)")
    print(f"{'target':>7} {'answered':>9} {'feed p50':>9} {'feed p95':>9} {'feed p99':>9} "
          f"{'app ms':>7} {'db ms':>6}  held")  # fmt: skip
    for line in lines:
        feed = line["kinds"]["feed"]
        total = sum(k["per_s"] for k in line["kinds"].values())
        verdict = "yes" if line["held"] else "no: " + line["why"]
        cpu = line["cpu_ms_per_answer"]
        print(f"{line['rate']:>7} {total:>9.1f} {feed['p50_ms']:>9.1f} {feed['p95_ms']:>9.1f} "
              f"{feed['p99_ms']:>9.1f} {cpu['replicas']:>7.2f} {cpu['postgres']:>6.2f}  "
              f"{verdict}")  # fmt: skip
    print("(app ms, db ms: CPU of the replicas and of PostgreSQL per answered request)")
    held = [line for line in lines if line["held"]]
    if held:
        best = max(held, key=lambda line: line["rate"])
        feed = best["kinds"]["feed"]
        total = sum(k["per_s"] for k in best["kinds"].values())
        print(f"highest sustained rate: {best['rate']} req/s target, {total:.1f} req/s answered, "
              f"feed p99 {feed['p99_ms']:.1f} ms")  # fmt: skip
    else:
        print(f"highest sustained rate: none of {[line['rate'] for line in lines]} req/s held")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench load", description=__doc__)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "LINGGONG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
        ),
        help="PostgreSQL server: a throw-away database is made there and dropped",
    )
    parser.add_argument("--redis-url", help="Redis to use (default: a private redis-server)")
    parser.add_argument("--rates", default="10,20,40,80,160",
                        type=lambda s: [int(x) for x in s.split(",") if x],
                        help="target requests a second, comma-separated")  # fmt: skip
    parser.add_argument("--seconds", type=float, default=20, help="how long each rate runs")
    parser.add_argument("--warmup", type=float, default=5, help="unmeasured seconds first")
    parser.add_argument("--workers", type=int, default=400, help="workers in the seeded market")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--budget-ms", type=float, default=300.0, help="feed p99 budget")
    parser.add_argument("--all-rates", action="store_true", help="do not stop after two misses")
    parser.add_argument("--json", help="also write every rate's figures to this file")
    parser.add_argument("--per-kind", type=int, default=0, metavar="N",
                        help="instead of rates: after the warm-up, N requests of each kind alone, "
                        "and the CPU each part of the stack spent a request")  # fmt: skip
    parser.add_argument("--kinds", default="all", help="with --per-kind: which, e.g. claim,post")
    args = parser.parse_args(argv)
    unknown = set(args.kinds.split(",")) - {"all", *KINDS}
    if unknown:
        parser.error(f"unknown kinds {sorted(unknown)}: choose among {', '.join(KINDS)}")
    return run(args)
