"""The `linggong` command: serve, migrate, seed-demo, create-staff, check-invariants,
stats-refresh, arrears-sweep, standby-sweep, purge, learn, notify, vapid-keys, match.

`bench` and `match bench` hand over to the benchmarks of a source checkout (`python -m bench`).
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import importlib.util
import math
import os
import sys
from pathlib import Path
from types import ModuleType

from market.settings import get_settings


def _migrate(args: argparse.Namespace) -> int:
    from market import migrations

    migrations.upgrade(get_settings().database_url, args.revision)
    print(f"database at {args.revision}")
    return 0


WS_PING_INTERVAL_S = 60.0
WS_PING_TIMEOUT_S = 30.0


def _serve(args: argparse.Namespace) -> int:
    from web.observability import LOGGING_CONFIG
    from web.serving import serve

    serve(
        "web.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        ws="websockets",
        # a frame per client per event: compressing each costs ~200 µs CPU, more than it saves
        ws_per_message_deflate=False,
        # protocol pings find dead sockets; every 20 s (the default) they cost 250 frames a
        # second at 5,000 phones. The page pings us every 25 s, which keeps NATs open.
        ws_ping_interval=WS_PING_INTERVAL_S,
        ws_ping_timeout=WS_PING_TIMEOUT_S,
        proxy_headers=True,
        forwarded_allow_ips=get_settings().forwarded_allow_ips,
        log_level=args.log_level,
        log_config=LOGGING_CONFIG,  # JSON lines; our access line replaces uvicorn's
        access_log=False,
    )
    return 0


def _seed(args: argparse.Namespace) -> int:
    from market.db import make_engine, session_scope
    from market.demo import seed as demo

    engine = make_engine(get_settings().database_url)
    try:
        with session_scope(engine) as session:
            if args.if_empty and demo.has_data(session=session):
                print("demo data already present; nothing added")
                return 0
            counts = demo.seed_demo(session=session, seed=args.seed, workers=args.workers)
    finally:
        engine.dispose()  # its connections close now, not when collected
    print("demo market seeded: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for role, phone, password in demo.DEMO_LOGINS:
        print(f"  demo {role:<8} phone {phone}  password {password}")
    return 0


def _create_staff(args: argparse.Namespace) -> int:
    from market.accounts import service as accounts
    from market.accounts.schemas import normalise_phone
    from market.db import make_engine, session_scope
    from market.errors import DomainError

    password = os.environ.get("LINGGONG_STAFF_PASSWORD") or getpass.getpass("password: ")
    if len(password) < 8:
        print("the password needs at least 8 characters", file=sys.stderr)
        return 2
    try:
        phone = normalise_phone(args.phone)
        with session_scope(make_engine(get_settings().database_url)) as session:
            user = accounts.staff_create(
                session=session, phone=phone, password=password, name=args.name
            )
    except (ValueError, DomainError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"staff account {user.id} created for {phone}")
    return 0


def _check_invariants(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from market import invariants
    from market.db import make_engine, normalise_url

    url = normalise_url(args.url or get_settings().database_url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not os.path.exists(parsed.database or ""):
        print(f"no database file at {parsed.database}", file=sys.stderr)  # and make none
        return 2
    engine = make_engine(url)
    try:
        violations = invariants.check_all(engine=engine)
    except SQLAlchemyError as exc:
        print(f"cannot read the database: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    for violation in violations:
        print(violation)
    if violations:
        print(f"{len(violations)} invariant violations", file=sys.stderr)
        return 1
    print("every invariant holds")
    return 0


def _seconds(text: str) -> float:
    """A number of seconds, 0 or more (an argparse type: a bad one exits 2 with why)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give 0 or more seconds")
    return value


def _stats_refresh(args: argparse.Namespace) -> int:
    import time

    from market.db import make_engine
    from web.stats_refresh import refresh_once

    engine = make_engine(get_settings().database_url)
    try:
        while True:
            began = time.perf_counter()
            refresh_once(engine)
            print(f"statistics rollup refreshed in {time.perf_counter() - began:.2f} s", flush=True)
            if not args.every:
                return 0
            time.sleep(args.every)
    finally:
        engine.dispose()


def _arrears_sweep(args: argparse.Namespace) -> int:
    from market.db import make_engine
    from web.stats_refresh import sweep_once

    engine = make_engine(get_settings().database_url)
    try:
        opened = sweep_once(engine, args.days)
    finally:
        engine.dispose()
    days = get_settings().arrears_days if args.days is None else args.days
    ids = ", ".join(map(str, opened)) or "none"
    print(f"arrears sweep ({days} days to pay): {len(opened)} cases opened: {ids}")
    return 0


def _standby_sweep(args: argparse.Namespace) -> int:
    from market.db import make_engine
    from web.stats_refresh import standby_once

    engine = make_engine(get_settings().database_url)
    try:
        swept = standby_once(engine)
    finally:
        engine.dispose()
    print(
        f"standby sweep: {swept.expired} offers expired, {swept.offered} places offered "
        f"to the next worker, {swept.closed} places on ended lists closed"
    )
    return 0


def _notify(args: argparse.Namespace) -> int:
    from market.db import make_engine
    from web.stats_refresh import notify_once

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        counts = notify_once(engine, settings)
    finally:
        engine.dispose()
    print(
        f"read {counts['events']} events; push: {counts['sent']} sent, {counts['retry']} to "
        f"retry, {counts['failed']} failed, {counts['gone']} subscriptions gone; sms: "
        f"{counts['sms_sent']} sent, {counts['sms_retry']} to retry, {counts['sms_failed']} failed"
    )
    return 0


def _vapid_keys(args: argparse.Namespace) -> int:
    from market.notifications.push import vapid_keys_new

    private, public = vapid_keys_new()
    print(f"# public key (applicationServerKey, served to browsers): {public}")
    print(f"LINGGONG_VAPID_PRIVATE_KEY={private}")
    return 0


# what each count of the purge (market/purge.py) is; a count added there is printed by its key
PURGED = {
    "sessions": "expired sessions",
    "idempotency_keys": "expired idempotency keys",
    "phone_codes": "old phone codes",
    "deliveries": "old delivery-log rows",
    "impressions": "feed impressions past their retention",
}


def _purge(args: argparse.Namespace) -> int:
    from market.db import make_engine
    from web.stats_refresh import purge_once

    engine = make_engine(get_settings().database_url)
    try:
        counts = purge_once(engine)
    finally:
        engine.dispose()
    print("purged " + ", ".join(f"{n} {PURGED.get(what, what)}" for what, n in counts.items()))
    return 0


def _learn(args: argparse.Namespace) -> int:
    from market.db import make_engine
    from market.learning.service import describe
    from web.stats_refresh import learn_once

    engine = make_engine(get_settings().database_url)
    try:
        result = learn_once(engine)
    finally:
        engine.dispose()
    if result is None:
        print("another replica is fitting the weights right now; nothing done")
        return 0
    live = "defaults" if result.live_id is None else f"version {result.live_id}"
    print(f"live weights ({live}): {describe(result.live)}")
    if result.fitted is not None:
        print(f"fitted from {result.rows} impressions (version {result.version_id}): ", end="")
        print(describe(result.fitted))
    print(("switched: " if result.switched else "not switched: ") + result.reason)
    if result.fitted is not None:
        print(f"own taste (distance against pay) fitted for {result.tastes} workers")
    return 0


def _days(text: str) -> int:
    """A whole number of days, 0 to 90 (an argparse type)."""
    if not text.isdigit() or int(text) > 90:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of days, 0 to 90")
    return int(text)


def _bench_cli() -> ModuleType | None:
    """The benchmarks' command (`bench.cli`) when this is a source checkout, else None.

    `bench` is not in the wheel and nothing in the product imports it; this is the one
    hand-over, at call time. An editable install run from outside the checkout finds it
    beside the `web` package.
    """
    checkout = Path(__file__).resolve().parents[1]
    if importlib.util.find_spec("bench") is None and (checkout / "bench" / "__init__.py").exists():
        sys.path.append(str(checkout))
    try:
        return importlib.import_module("bench.cli")
    except ModuleNotFoundError as exc:
        if exc.name in ("bench", "bench.cli"):
            return None
        raise


def _bench(argv: list[str]) -> int:
    """`linggong bench NAME ...` and `linggong match bench ...`: run `python -m bench NAME ...`."""
    bench_cli = _bench_cli()
    if bench_cli is None:
        what = " ".join(argv[:1]) or "live|stats|load|feed|alerts|match|races"
        print(
            "benchmarks are not installed (they are not part of the linggong package); "
            f"run from a source checkout: python -m bench {what} ...",
            file=sys.stderr,
        )
        return 2
    return int(bench_cli.main(argv))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:2] == ["match", "bench"]:
        return _bench(["match", *argv[2:]])
    if argv and argv[0] == "match":
        from matching import cli as matching_cli

        return matching_cli.main(argv[1:])
    if argv and argv[0] == "bench":
        return _bench(argv[1:])
    args = build_parser().parse_args(argv)
    return int(args.func(args))


def build_parser() -> argparse.ArgumentParser:
    """The command line (`match` and `bench` have their own parsers)."""
    parser = argparse.ArgumentParser(prog="linggong", description="零工 Linggong marketplace")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="run the web server")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--log-level", default="info")
    p.set_defaults(func=_serve)
    p = sub.add_parser("migrate", help="bring the database schema up to date")
    p.add_argument("revision", nargs="?", default="head")
    p.set_defaults(func=_migrate)
    p = sub.add_parser("seed-demo", help="fill the database with a demo market in Yantai")
    p.add_argument("--if-empty", action="store_true", help="do nothing when there are users")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--workers", type=int, default=400)
    p.set_defaults(func=_seed)
    p = sub.add_parser("create-staff", help="create a union staff account")
    p.add_argument("--phone", required=True)
    p.add_argument("--name", required=True)
    p.set_defaults(func=_create_staff)
    p = sub.add_parser(
        "check-invariants",
        help="check the database's invariants (slots, hires, events); exit 1 when one is broken",
    )
    p.add_argument("--url", help="database URL (default: LINGGONG_DATABASE_URL)")
    p.set_defaults(func=_check_invariants)
    p = sub.add_parser(
        "stats-refresh",
        help="bring the staff statistics rollup up to date (the first run builds it)",
    )
    p.add_argument(
        "--every", type=_seconds, default=0, help="repeat every so many seconds (0: once)"
    )
    p.set_defaults(func=_stats_refresh)
    p = sub.add_parser(
        "arrears-sweep",
        help="open a union case for every shift not confirmed paid in time, or disputed "
        "(the app's replicas also do this with the statistics refresh)",
    )
    p.add_argument(
        "--days",
        type=_days,
        default=None,
        help="days an employer has to pay after the shift (default: LINGGONG_ARREARS_DAYS, 3)",
    )
    p.set_defaults(func=_arrears_sweep)
    p = sub.add_parser(
        "standby-sweep",
        help="pass standby offers past their deadline on to the next worker, close the lists "
        "of started jobs (the app's replicas also do this with the statistics refresh)",
    )
    p.set_defaults(func=_standby_sweep)
    p = sub.add_parser(
        "purge",
        help="delete expired login sessions and idempotency keys older than 24 hours "
        "(the app's replicas also do this with the statistics refresh)",
    )
    p.set_defaults(func=_purge)
    p = sub.add_parser(
        "learn",
        help="fit the ranking's weights from what feeds showed and what came of it, replay "
        "the held-out days, and switch only when they win (the replicas do this daily)",
    )
    p.set_defaults(func=_learn)
    p = sub.add_parser(
        "notify",
        help="one notification pass: new events into notifications, then the push messages due "
        "(the app's replicas do this every LINGGONG_NOTIFY_SECONDS)",
    )
    p.set_defaults(func=_notify)
    p = sub.add_parser("vapid-keys", help="print a new VAPID key pair for Web Push")
    p.set_defaults(func=_vapid_keys)
    sub.add_parser(
        "bench",
        help="benchmarks, from a source checkout only: "
        "`bench live|stats|load|feed|alerts|match|races ...` runs `python -m bench ...` "
        "(see `python -m bench --help`)",
    )
    sub.add_parser(
        "match", help="rank or dispatch a scenario file (see --help); `match bench` benchmarks"
    )
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
