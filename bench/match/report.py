"""`python -m bench match` (or `linggong match bench`): choose sizes, run quality and speed,
print a table or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from bench.match.family import family
from bench.match.quality import RANKERS, cap_check, quality
from bench.match.rotation import rotation
from bench.match.simulate import make_market
from bench.match.speed import speed
from matching.scenario import ScenarioError, load_scenario
from matching.score import DEFAULT_STRENGTH, Weights


@dataclass(frozen=True, slots=True)
class BenchPlan:
    quality_workers: int
    seeds: int
    sizes: list[tuple[int, int]]
    feed_jobs: int
    dispatch: tuple[int, int]
    cap_check: tuple[int, int] | None  # a market dense enough for the retrieval cap to bite
    family_workers: int = 1500  # workers per market of the bench family
    family_seeds: int = 2  # markets per family member
    rotation_workers: int = 1500  # workers per market of the rotation check


FULL = BenchPlan(
    3000, 3, [(10_000, 3_000), (100_000, 30_000)], 100_000, (5_000, 2_000), (30_000, 10_500)
)
QUICK = BenchPlan(800, 1, [(2_000, 600)], 5_000, (1_000, 400), None, 600, 1, 600)
JOBS_PER_WORKER = 0.35  # about 0.9 open slots per worker: some trades short, some in glut


def _sizes(text: str) -> list[tuple[int, int]]:
    sizes = []
    for item in text.split(","):
        workers, _, jobs = item.lower().partition("x")
        sizes.append((int(workers), int(jobs)))
    return sizes


def _average(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean of every ranker figure (and the market figures) over several seeds."""
    merged: dict[str, Any] = {
        key: float(np.mean([r[key] for r in runs])) for key in runs[0] if key != "rankers"
    }
    merged["runs"] = len(runs)
    merged["rankers"] = {
        name: {
            m: float(np.mean([r["rankers"][name][m] for r in runs]))
            for m in runs[0]["rankers"][name]
        }
        for name in RANKERS
    }
    return merged


def _family_figures(args: argparse.Namespace, plan: BenchPlan) -> dict[str, Any]:
    weights = Weights.from_dict(json.loads(args.weights)) if args.weights else None
    return {
        "family": family(
            workers=plan.family_workers,
            seeds=plan.family_seeds,
            seed=args.seed,
            weights=weights,
            strength=DEFAULT_STRENGTH if args.strength is None else args.strength,
        ),
        "rotation": rotation(workers=plan.rotation_workers, seed=args.seed),
    }


def collect(args: argparse.Namespace) -> dict[str, Any]:
    """Run every part of the bench the arguments ask for."""
    plan = QUICK if args.quick else FULL
    if args.sizes:
        plan = replace(plan, sizes=_sizes(args.sizes))
    if args.family_workers:
        plan = replace(plan, family_workers=args.family_workers)
    if args.family_seeds:
        plan = replace(plan, family_seeds=args.family_seeds)
    if args.family_only:
        return _family_figures(args, plan)
    n_workers = args.quality_workers or plan.quality_workers
    seeds = args.seeds or plan.seeds
    runs = []
    for seed in range(args.seed, args.seed + seeds):
        workers, jobs = make_market(
            workers=n_workers, jobs=int(n_workers * JOBS_PER_WORKER), seed=seed
        )
        runs.append(quality(workers, jobs, seed=seed))
    figures: dict[str, Any] = {"quality": _average(runs), "scenarios": {}}
    figures |= _family_figures(args, plan)
    check = _sizes(args.cap_check)[0] if args.cap_check else plan.cap_check
    if check is not None:
        figures["cap_check"] = cap_check(*check, seed=args.seed)
    for path in args.scenarios:
        scenario = load_scenario(path)
        figures["scenarios"][path] = quality(
            list(scenario.workers), list(scenario.jobs), seed=args.seed
        )
    figures["speed"] = speed(
        sizes=plan.sizes,
        feed_jobs=plan.feed_jobs,
        dispatch_size=plan.dispatch,
        seed=args.seed,
    )
    return figures


def _quality_lines(title: str, q: dict[str, Any]) -> list[str]:
    lines = [
        f"{title}: {q['workers']:.0f} workers, {q['jobs']:.0f} jobs, {q['slots']:.0f} slots, "
        f"{q['feasible_pairs']:.0f} feasible pairs, optimum fill {q['optimum_fill']:.0f}"
        + (f" (mean of {q['runs']} seeds)" if "runs" in q else ""),
        f"  {'ranker':<10} {'fill/opt':>9} {'satisf/opt':>11} {'median km':>10}"
        f" {'placed':>7} {'gini':>6}",
    ]
    for name, r in q["rankers"].items():
        lines.append(
            f"  {name:<10} {r['fill_vs_optimum']:>9.3f} {r['satisfaction_vs_optimum']:>11.3f} "
            f"{r['median_km']:>10.2f} {r['placed_share']:>7.3f} {r['earnings_gini']:>6.3f}"
        )
    lines.append(
        f"  dispatch fill / max fill {q['dispatch_fill_vs_max']:.3f}"
        f" in {q['dispatch_s'] * 1000:.0f} ms"
    )
    return lines


def _pair(r: dict[str, float]) -> str:
    return f"{r['fill_vs_optimum']:.3f} / {r['satisfaction_vs_optimum']:.3f}"


def family_lines(f: dict[str, Any]) -> list[str]:
    """The family: each member, the mean and worst over the tuning members, the held-out one."""
    rankers = ("linggong", "nearest", "random", "linggong-once", "nearest-once")
    lines = [
        f"Bench family (k=10, random arrival order; fill / satisfaction of the optimum;"
        f" linggong strength {f['strength']}, weights {f['weights']})",
        f"  {'member':<32} {'city':<13} {'trades':<19} {'taste':<19}"
        + "".join(f" {name:>15}" for name in rankers)
        + "  targets",
    ]
    for name, m in f["members"].items():
        lines.append(
            f"  {name:<32} {m['city']:<13} {m['trades']:<19} {m['taste']:<19}"
            + "".join(f" {_pair(m[r]):>15}" for r in rankers)
            + ("  met" if f["targets_met"][name] else "  MISSED")
        )
    for kind in ("mean", "worst"):
        row = {
            r: {
                m: f["summary"][r][f"{kind}_{m}"]
                for m in ("fill_vs_optimum", "satisfaction_vs_optimum")
            }
            for r in rankers
        }
        lines.append(
            f"  {kind + ' of tuning members':<85}"
            + "".join(f" {_pair(row[r]):>15}" for r in rankers)
        )
    if "held_out" in f:
        h = f["held_out"]
        lines.append(
            f"  {'HELD OUT ' + h['name']:<32} {h['city']:<13} {h['trades']:<19} {h['taste']:<19}"
            + "".join(f" {_pair(h[r]):>15}" for r in rankers)
            + ("  met" if h["targets_met"] else "  MISSED")
        )
    lines.append(
        "  targets: fill >= 0.95 and satisfaction >= 0.75 of the optimum, both above nearest"
    )
    lines.append(
        "  -once: each list made once before anyone arrives (as `linggong match rank` prints"
        " them), not as the feed makes it on arrival; not in the targets"
    )
    return lines


def rotation_lines(r: dict[str, Any]) -> list[str]:
    """Dispatch's rotation (idle days placed / the best at max fill), per member and worst."""
    lines = [
        "Dispatch rotation on family markets with idle_days (fill / max fill,"
        " idle days placed / best at max fill)",
        f"  {'member':<32} {'hiring hall':>15} {'score only':>15}",
    ]
    rows = [*r["members"].items(), ("worst", r["worst"])]
    for name, m in rows:
        lines.append(
            f"  {name:<32}"
            + "".join(
                f" {m[f'{k}_fill_vs_max']:>6.3f} / {m[f'{k}_rotation_vs_best']:.3f}"
                for k in ("hiring_hall", "score_only")
            )
        )
    return lines


def table(figures: dict[str, Any]) -> str:
    """The figures as a plain-text table."""
    lines = family_lines(figures["family"]) + rotation_lines(figures["rotation"])
    if "quality" not in figures:  # --family-only
        return "\n".join(lines)
    lines = _quality_lines("Quality (simulated Yantai market)", figures["quality"]) + lines
    if "cap_check" in figures:
        c = figures["cap_check"]
        lines.append(
            f"Retrieval cap ({c['cap']} nearest jobs per trade) in a dense market of"
            f" {c['workers']} workers, {c['jobs']} jobs: lists drawn from"
            f" {c['retrieved_pairs']} of {c['feasible_pairs']} feasible pairs;"
            f" our ranker capped vs on every pair: fill {c['fill_capped_vs_all']:.3f},"
            f" satisfaction {c['satisfaction_capped_vs_all']:.3f}"
        )
    for path, q in figures["scenarios"].items():
        lines += _quality_lines(f"Scenario {path}", q)
    s = figures["speed"]
    lines.append(
        "Speed (each in a fresh process; peak = resident memory above the start of the timed"
        " part, process = the process's high-water mark, inputs included)"
    )
    for size, r in s["rank_market"].items():
        lines.append(
            f"  rank top-10 for every worker {size:>13}: {r['seconds']:8.2f} s"
            f" (cpu {r['cpu_seconds']:.2f} s)   peak {r['peak_mb']:8.1f} MB"
            f"   process {r['process_peak_mb']:8.1f} MB"
        )
    f = s["feed"]
    lines.append(
        f"  single-worker feed among {f['open_jobs']} open jobs: p50 {f['p50_ms']:.2f} ms, "
        f"p99 {f['p99_ms']:.2f} ms, max {f['max_ms']:.2f} ms (cpu p50 {f['cpu_p50_ms']:.2f} ms,"
        f" p99 {f['cpu_p99_ms']:.2f} ms)   peak {f['peak_mb']:.1f} MB"
        f"   process {f['process_peak_mb']:.1f} MB"
    )
    for size, r in s["dispatch"].items():
        lines.append(
            f"  dispatch {size:>13}: {r['seconds']:8.2f} s (cpu {r['cpu_seconds']:.2f} s)"
            f"   peak {r['peak_mb']:8.1f} MB   process {r['process_peak_mb']:8.1f} MB"
        )
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench match", description="Matching quality and speed figures."
    )
    parser.add_argument("scenarios", nargs="*", help="scenario files to rank and dispatch too")
    parser.add_argument("--quick", action="store_true", help="small markets only (seconds)")
    parser.add_argument(
        "--sizes", default=None, help="speed markets as WORKERSxJOBS,... e.g. 10000x3000"
    )
    parser.add_argument(
        "--quality-workers", type=int, default=None, help="workers in the quality market"
    )
    parser.add_argument("--seeds", type=int, default=None, help="quality runs to average")
    parser.add_argument(
        "--cap-check",
        default=None,
        help="WORKERSxJOBS of the dense market the retrieval cap is checked in",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--family-only", action="store_true", help="only the bench family and dispatch rotation"
    )
    parser.add_argument("--family-workers", type=int, default=None, help="workers per member")
    parser.add_argument("--family-seeds", type=int, default=None, help="markets per member")
    parser.add_argument(
        "--strength", type=float, default=None, help="our ranker's market push in the family"
    )
    parser.add_argument(
        "--weights", default=None, help='our ranker\'s weights in the family, JSON: {"distance": 4}'
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser


def main(argv: list[str]) -> int:
    """Run the bench; 0 on success, 2 on a bad scenario or bad arguments."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    try:
        figures = collect(args)
    except ScenarioError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(figures, ensure_ascii=False, indent=1) if args.json else table(figures))
    return 0
