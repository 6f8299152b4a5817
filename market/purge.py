"""The purge of what has expired for certain: login sessions, idempotency keys, texted codes,
the notification delivery log's finished rows over 90 days old, and what feeds showed past its
retention (market/learning/impressions.py).

Run by every app replica after the statistics refresh and the arrears sweep, and as
`linggong purge`; on PostgreSQL an advisory lock lets one replica purge at a time (the
others purge nothing that round), on SQLite the write lock does.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from market.accounts import codes as code_service
from market.accounts import service as account_service
from market.db import try_xact_lock
from market.idempotency import service as idempotency_service
from market.learning import impressions as impression_service
from market.notifications import service as notification_service
from market.types import utcnow

PURGE_LOCK = 0x6C675F7075726765  # "lg_purge": held by one purge until its transaction ends


def expired_purge(*, session: Session, now: datetime | None = None) -> dict[str, int]:
    """Delete expired sessions, keys, codes, old delivery logs and impressions; how many of each."""
    now = now or utcnow()
    if not try_xact_lock(session, PURGE_LOCK):  # another replica is purging right now
        return {
            "sessions": 0,
            "idempotency_keys": 0,
            "phone_codes": 0,
            "deliveries": 0,
            "impressions": 0,
        }
    return {
        "sessions": account_service.sessions_purge(session=session, now=now),
        "idempotency_keys": idempotency_service.idempotency_purge(session=session, now=now),
        "phone_codes": code_service.codes_purge(session=session, now=now),
        "deliveries": notification_service.deliveries_purge(session=session, now=now),
        "impressions": impression_service.impressions_purge(session=session, now=now),
    }
