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
from typing import Any

from sqlalchemy import tuple_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

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
    """
    now = now or utcnow()
    found = _stored(session, user_id, route, key)
    if found is not None and found.created_at <= now - TTL:
        session.delete(found)
        session.flush()
        found = None
    if found is None:
        try:
            with session.begin_nested():
                session.add(
                    IdempotencyRecord(
                        user_id=user_id,
                        route=route,
                        key=key,
                        request_hash=fingerprint,
                        status_code=0,  # answered by idempotency_finish before the commit
                        created_at=now,
                    )
                )
        except IntegrityError:  # a twin with the same key committed meanwhile
            found = _stored(session, user_id, route, key)
            if found is None:
                raise Conflict(N_("This request is already being processed; try again")) from None
        else:
            return None
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
    record = _stored(session, user_id, route, key)
    assert record is not None, "idempotency_begin claims the key first"
    record.status_code = status_code
    record.body = body
    session.add(record)
    session.flush()


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


def _stored(session: Session, user_id: int, route: str, key: str) -> IdempotencyRecord | None:
    statement = select(IdempotencyRecord).where(
        IdempotencyRecord.user_id == user_id,
        IdempotencyRecord.route == route,
        IdempotencyRecord.key == key,
    )
    return session.exec(statement.execution_options(populate_existing=True)).first()
