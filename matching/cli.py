"""`linggong match rank|dispatch|bench` (also `python -m matching ...`)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from matching.model import Match
from matching.reasons import format_reason
from matching.scenario import ScenarioError, load_scenario


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linggong match", description="Rank, dispatch, benchmark."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    rank = commands.add_parser("rank", help="ranked lists, both sides, as JSON")
    rank.add_argument("scenario")
    rank.add_argument("--k", type=int, default=10)
    rank.add_argument("--lang", choices=("en", "zh"), default="en")
    dispatch = commands.add_parser("dispatch", help="one assignment for the whole market, as JSON")
    dispatch.add_argument("scenario")
    dispatch.add_argument("--lang", choices=("en", "zh"), default="en")
    bench = commands.add_parser("bench", help="quality and speed figures")
    bench.add_argument("scenarios", nargs="*", help="scenario files to rank and dispatch too")
    bench.add_argument("--quick", action="store_true", help="small markets only (seconds)")
    bench.add_argument(
        "--sizes", default=None, help="speed markets as WORKERSxJOBS,... e.g. 10000x3000"
    )
    bench.add_argument(
        "--quality-workers", type=int, default=None, help="workers in the quality market"
    )
    bench.add_argument("--seeds", type=int, default=None, help="quality runs to average")
    bench.add_argument(
        "--cap-check",
        default=None,
        help="WORKERSxJOBS of the dense market the retrieval cap is checked in",
    )
    bench.add_argument("--seed", type=int, default=7)
    bench.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser


def _entry(match: Match, other: str, lang: str) -> dict[str, Any]:
    return {
        other: getattr(match, other),
        "score": match.score,
        "reason": format_reason(match.reason, lang),
    }


def _rank(args: argparse.Namespace) -> dict[str, Any]:
    from matching.index import rank_market

    scenario = load_scenario(args.scenario)
    ranking = rank_market(scenario.workers, scenario.jobs, k=args.k)
    return {
        "workers": {
            w: [_entry(m, "job", args.lang) for m in ms] for w, ms in ranking.workers.items()
        },
        "jobs": {j: [_entry(m, "worker", args.lang) for m in ms] for j, ms in ranking.jobs.items()},
    }


def _dispatch(args: argparse.Namespace) -> dict[str, Any]:
    from matching.dispatch import dispatch

    scenario = load_scenario(args.scenario)
    result = dispatch(scenario.workers, scenario.jobs)
    return {
        "assignments": [
            {
                "worker": m.worker,
                "job": m.job,
                "score": m.score,
                "reason": format_reason(m.reason, args.lang),
            }
            for m in result.assignments
        ],
        "unfilled": result.unfilled,
        "idle": result.idle,
    }


def main(argv: list[str]) -> int:
    """Run one subcommand; 0 on success, 2 on a bad scenario or bad arguments."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    try:
        if args.command == "bench":
            from matching.bench_report import run_bench_cli

            return run_bench_cli(args)
        output = _rank(args) if args.command == "rank" else _dispatch(args)
    except ScenarioError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    json.dump(output, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0
