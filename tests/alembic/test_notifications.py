"""Migration 0011 on a market with history: the outbox cursor starts after the last event,
so no one is told again of what happened before notifications existed."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, pool, text

from market.db import normalise_url
from market.migrations import upgrade


def test_the_cursor_starts_after_the_newest_event(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0010")
    engine = create_engine(normalise_url(url), poolclass=pool.NullPool)
    with engine.begin() as connection:
        for seq in (1, 2, 3):
            connection.execute(
                text(
                    "INSERT INTO event (seq, kind, created_at, payload) "
                    "VALUES (:seq, 'application.confirmed', '2026-11-01 08:00:00', '{}')"
                ),
                {"seq": seq},
            )

    upgrade(url)

    with engine.connect() as connection:
        rows = connection.execute(text("SELECT name, last_seq FROM notify_cursor")).all()
    assert [tuple(r) for r in rows] == [("outbox", 3)]
    engine.dispose()
