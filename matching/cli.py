"""`linggong match rank|dispatch` (also `python -m matching ...`).

The benchmark (`linggong match bench`) is not part of the package: see `python -m bench match`.
"""

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
        prog="linggong match", description="Rank and dispatch a scenario file."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    rank = commands.add_parser("rank", help="ranked lists, both sides, as JSON")
    rank.add_argument("scenario")
    rank.add_argument("--k", type=int, default=10)
    rank.add_argument("--lang", choices=("en", "zh"), default="en")
    dispatch = commands.add_parser("dispatch", help="one assignment for the whole market, as JSON")
    dispatch.add_argument("scenario")
    dispatch.add_argument("--lang", choices=("en", "zh"), default="en")
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
        output = _rank(args) if args.command == "rank" else _dispatch(args)
    except ScenarioError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    json.dump(output, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0
