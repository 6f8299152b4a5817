"""What the staff's moderation page shows, gathered in one call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from market.models import EmployerProfile, Job, ModerationAction, User
from market.moderation import service as moderation_service
from market.reliability import service as reliability_service

POSTINGS_SHOWN = 30
LOG_SHOWN = 30


@dataclass(frozen=True)
class ModerationBoard:
    query: str
    accounts: Sequence[tuple[User, EmployerProfile | None]]  # none without a query
    jobs: Sequence[Job]  # matching the query, else the latest postings
    hidden: Sequence[Job]
    log: Sequence[ModerationAction]
    strikes: dict[int, int]  # each listed worker's active strikes, shown beside "suspend"


def get_moderation_board(*, session: Session, query: str = "") -> ModerationBoard:
    """Accounts and postings matching `query`, what is hidden now, and the latest actions."""
    query = query.strip()
    accounts = moderation_service.search_accounts(session=session, query=query) if query else []
    return ModerationBoard(
        query=query,
        accounts=accounts,
        jobs=moderation_service.search_jobs(session=session, query=query, limit=POSTINGS_SHOWN),
        hidden=moderation_service.list_hidden_jobs(session=session),
        log=moderation_service.list_moderation_actions(session=session, limit=LOG_SHOWN).items,
        strikes=reliability_service.active_strike_counts(
            session=session, worker_ids=[u.id or 0 for u, _e in accounts if u.role == "worker"]
        ),
    )
