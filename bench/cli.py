"""`python -m bench NAME [options]`: one benchmark (live, stats, load, feed, alerts, prices,
book, match, races) and its options."""

from __future__ import annotations

import importlib
import sys

# benchmark -> (module with `main(argv) -> int`, what it measures)
BENCHMARKS = {
    "live": ("bench.live", "websocket post-to-delivery latency and server CPU per message"),
    "stats": ("bench.stats", "staff statistics queries on a large market, on PostgreSQL"),
    "load": ("bench.load.run", "the request mix through nginx to two replicas"),
    "feed": ("bench.feed", "the feed and candidates at 200/2,000/20,000 jobs vs a bare app"),
    "alerts": ("bench.alerts", "what a posted job costs the new-job alerts, model vs database"),
    "prices": ("bench.prices", "what solving the feed's slot prices costs a replica"),
    "book": ("bench.book", "what a job's change costs each replica's book, and a feed"),
    "match": ("bench.match.report", "ranking quality vs the offline optimum, speed, memory"),
    "races": ("bench.races", "the concurrency races on a database left to check (--keep)"),
}


def usage() -> str:
    lines = ["usage: python -m bench {" + ",".join(BENCHMARKS) + "} [options]", ""]
    lines += [f"  {name:<6} {what}" for name, (_, what) in BENCHMARKS.items()]
    lines.append("\n`python -m bench NAME --help` lists a benchmark's options.")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Run the benchmark named first in `argv`; 2 (and the usage) for an unknown one."""
    if not argv or argv[0] in ("-h", "--help"):
        print(usage(), file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    if argv[0] not in BENCHMARKS:
        print(f"unknown benchmark {argv[0]!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(BENCHMARKS[argv[0]][0])
    return int(module.main(argv[1:]))
