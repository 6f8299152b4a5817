"""`python -m bench races --url URL [--keep]`: the concurrency races, on a database left to read.

The concurrency tests race threads against a fresh database and check its invariants; this
runs the races the issue is about (bench/races_hiring.py, bench/races_work.py) as one
command, with real threads, real commits and the real services, on a database made for it:

- PostgreSQL: a new database on the server of URL (dropped afterwards unless --keep);
- SQLite (`sqlite:///path`): a new file at path, never one that exists (removed afterwards
  unless --keep).

It prints a line per race, then the database's invariant check exactly as
`linggong check-invariants` prints it. With --keep, run that command on the database
yourself. Exit 0 when every race held and every invariant holds, 1 otherwise, 2 when the
URL cannot be used.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from bench import races_hiring, races_work
from bench.races_cast import Result
from market.db import make_engine, normalise_url
from market.migrations import upgrade
from web import cli

RACES = (*races_hiring.RACES, *races_work.RACES)


class UnusableURL(Exception):
    """The URL names no database the races may make."""


@contextmanager
def throwaway(url: str, *, keep: bool) -> Iterator[URL]:
    """A new, empty database for `url` (see the module), gone afterwards unless `keep`."""
    parsed = make_url(normalise_url(url))
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        with _new_sqlite_file(parsed, keep=keep):
            yield parsed
    elif backend == "postgresql":
        with _new_postgres_database(parsed, keep=keep) as made:
            yield made
    else:
        raise UnusableURL(f"the races run on SQLite or PostgreSQL, not {backend}")


@contextmanager
def _new_sqlite_file(url: URL, *, keep: bool) -> Iterator[None]:
    if not url.database or url.database == ":memory:":
        raise UnusableURL("give SQLite a file, sqlite:///path/races.db: the threads share it")
    path = Path(url.database)
    if path.exists():
        raise UnusableURL(f"{path} exists; the races make a new database and overwrite none")
    try:
        yield
    finally:
        if keep:
            print(f"kept database {url}")
        else:
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)


@contextmanager
def _new_postgres_database(server: URL, *, keep: bool) -> Iterator[URL]:
    name = f"lg_races_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made = server.set(database=name)
        try:
            yield made
        finally:
            if keep:
                print(f"kept database {made}")  # the password, if any, shown as ***
            else:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def report(result: Result) -> None:
    print(result.line if result.held else f"{result.line}  -- NOT HELD: {result.why}")


def run(*, url: str, keep: bool = False) -> int:
    """Make the database, run every race on it, check it: 0 when all held, else 1."""
    with throwaway(url, keep=keep) as made:
        address = made.render_as_string(hide_password=False)
        upgrade(address)
        engine = make_engine(address)
        began = time.perf_counter()
        try:
            results = []
            for race in RACES:
                results.append(race(engine))
                report(results[-1])
        finally:
            engine.dispose()
        print(f"{len(results)} races in {time.perf_counter() - began:.1f} s; the invariants:")
        invariants = cli.main(["check-invariants", "--url", address])
    return 0 if invariants == 0 and all(r.held for r in results) else 1


def main(argv: list[str]) -> int:
    """`bench races --url URL [--keep]`: 0 all held, 1 something did not, 2 unusable URL."""
    parser = argparse.ArgumentParser(
        prog="python -m bench races",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--url",
        required=True,
        help="sqlite:///new-file.db, or a PostgreSQL server (a database is made on it)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    try:
        return run(url=args.url, keep=args.keep)
    except UnusableURL as exc:
        print(str(exc), file=sys.stderr)
        return 2
