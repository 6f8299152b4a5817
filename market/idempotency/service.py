"""Idempotency keys: a retried write (same user, route and key) gets the first answer again.

The record is written in the write's own transaction, so it exists exactly when the write
committed: a response lost on the way back is replayed on retry, a failed write leaves no
record and is simply done again. A key stays valid for 24 hours.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import CursorResult, tuple_, update
from sqlmodel import Session, col, delete, select

from market.db import dialect_insert
from market.errors import N_, Conflict, Invalid
from market.models import IdempotencyRecord
from market.types import utcnow

TTL = timedelta(hours=24)
PURGE_BATCH = 5_000  # rows per DELETE, so no statement holds locks on a huge set


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: Any


def request_fingerprint(*, path: str, payload: Any) -> str:
    """A hash of what was asked: the concrete path and the parsed body."""
    text = json.dumps({"path": path, "body": payload}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def idempotency_begin(
    *,
    session: Session,
    user_id: int,
    route: str,
    key: str,
    fingerprint: str,
    now: datetime | None = None,
) -> Replay | None:
    """The stored answer for this key, or None after claiming the key for this request.

    A different request under a used key is refused (Invalid); a concurrent twin waits on
    the key's row and then replays the first one's answer.

    The claim is one statement (`INSERT ... ON CONFLICT DO NOTHING RETURNING`): a first
    request, nearly every one, costs one round trip here and one in `idempotency_finish`,
    where a read, a savepoint, an insert and its release took four.
    """
    now = now or utcnow()
    claim = partial(
        _claimed, session, user_id=user_id, route=route, key=key, fingerprint=fingerprint, now=now
    )
    if claim():
        return None
    # the key is taken: by a committed request (PostgreSQL waited for a twin in flight)
    found = _stored(session, user_id, route, key)
    if found is not None and found.created_at <= now - TTL:
        session.delete(found)
        session.flush()
        found = None
    if found is None:  # expired, or its twin's row went meanwhile: claim it once more
        if claim():
            return None
        raise Conflict(N_("This request is already being processed; try again"))
    if found.request_hash != fingerprint:
        raise Invalid(
            N_("This Idempotency-Key was already used for a different request"),
            field="Idempotency-Key",
        )
    return Replay(status_code=found.status_code, body=found.body)


def idempotency_finish(
    *, session: Session, user_id: int, route: str, key: str, status_code: int, body: Any
) -> None:
    """Store the answer to replay (in the same transaction as the write itself)."""
    done: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(IdempotencyRecord)
        .where(
            col(IdempotencyRecord.user_id) == user_id,
            col(IdempotencyRecord.route) == route,
            col(IdempotencyRecord.key) == key,
        )
        .values(status_code=status_code, body=body)
        .execution_options(synchronize_session=False)
    )
    assert done.rowcount == 1, "idempotency_begin claims the key first"


def idempotency_purge(
    *, session: Session, now: datetime | None = None, batch_size: int = PURGE_BATCH
) -> int:
    """Forget every key older than 24 hours, in batches; returns how many."""
    cutoff = (now or utcnow()) - TTL
    key = tuple_(
        col(IdempotencyRecord.user_id), col(IdempotencyRecord.route), col(IdempotencyRecord.key)
    )
    purged = 0
    while True:
        batch = (
            select(IdempotencyRecord.user_id, IdempotencyRecord.route, IdempotencyRecord.key)
            .where(col(IdempotencyRecord.created_at) < cutoff)
            .limit(batch_size)
        )
        result = session.exec(delete(IdempotencyRecord).where(key.in_(batch)))
        deleted = int(result.rowcount or 0)  # type: ignore[attr-defined]
        purged += deleted
        if deleted < batch_size:
            return purged


def _claimed(
    session: Session, *, user_id: int, route: str, key: str, fingerprint: str, now: datetime
) -> bool:
    """Insert the key's row unless it exists; whether this call inserted it."""
    insert = dialect_insert(session)
    statement = (
        insert(IdempotencyRecord)
        .values(
            user_id=user_id,
            route=route,
            key=key,
            request_hash=fingerprint,
            status_code=0,  # answered by idempotency_finish before the commit
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(col(IdempotencyRecord.user_id))
    )
    return session.execute(statement).first() is not None


def _stored(session: Session, user_id: int, route: str, key: str) -> IdempotencyRecord | None:
    statement = select(IdempotencyRecord).where(
        IdempotencyRecord.user_id == user_id,
        IdempotencyRecord.route == route,
        IdempotencyRecord.key == key,
    )
    return session.exec(statement.execution_options(populate_existing=True)).first()
