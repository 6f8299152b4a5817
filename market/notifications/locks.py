"""One replica at a time: a transaction-scoped PostgreSQL advisory lock, tried not awaited."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session


def try_xact_lock(session: Session, key: int) -> bool:
    """Take lock `key` until this transaction ends; False when another replica holds it.

    SQLite needs none: every writing transaction already holds the database lock
    (``BEGIN IMMEDIATE``, market/db.py).
    """
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(
        session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key}).scalar_one()
    )
