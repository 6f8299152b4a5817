"""Blocks between a worker and an employer: either side may block the other.

A block keeps them apart from then on: the employer's jobs leave the worker's feed and its
candidates leave the employer's list, the worker's claims to the employer's jobs are refused
with a neutral message, and no invite passes between them (open ones expire). What was
agreed before stands: a hire or a pending application is not cancelled by a block, and
either side calls a hire off, with a reason, the ordinary way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import and_, delete, or_, update
from sqlmodel import Session, col, select

from market.errors import N_, Conflict, NotFound
from market.events.service import event_record
from market.models import Block, Invite, InviteStatus, Role, User
from market.types import utcnow

# the one refusal a blocked worker sees: it does not say who blocked whom
BLOCKED = N_("This job does not take your application")


def _between(a: int, b: int):  # type: ignore[no-untyped-def]
    return or_(
        and_(col(Block.blocker_id) == a, col(Block.blocked_id) == b),
        and_(col(Block.blocker_id) == b, col(Block.blocked_id) == a),
    )


def is_blocked(*, session: Session, user_id: int, other_id: int) -> bool:
    """Whether either of the two has blocked the other."""
    return (
        session.exec(select(Block.blocker_id).where(_between(user_id, other_id))).first()
        is not None
    )


def blocked_with(
    *, session: Session, user_id: int, others: Iterable[int] | None = None
) -> set[int]:
    """Who among `others` (everyone when None) blocked `user_id` or was blocked by them."""
    query = select(Block.blocker_id, Block.blocked_id).where(
        or_(col(Block.blocker_id) == user_id, col(Block.blocked_id) == user_id)
    )
    rows = session.exec(query).all()
    found = {b if a == user_id else a for a, b in rows}
    return found if others is None else found & set(others)


def blocked_pairs(*, session: Session, user_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(user, other) for each block between one of `user_ids` and anyone, either way round:
    `blocked_with` for many users in one query."""
    users = sorted(set(user_ids))
    if not users:
        return set()
    query = select(Block.blocker_id, Block.blocked_id).where(
        or_(col(Block.blocker_id).in_(users), col(Block.blocked_id).in_(users))
    )
    wanted = set(users)
    found = set()
    for a, b in session.exec(query).all():
        if a in wanted:
            found.add((a, b))
        if b in wanted:
            found.add((b, a))
    return found


def _other_side(session: Session, user: User, other_id: int) -> User:
    other = session.get(User, other_id)
    wanted = Role.employer if user.role == Role.worker else Role.worker
    if other is None or other.role != wanted:
        raise NotFound(
            N_("Employer not found") if wanted == Role.employer else N_("Worker not found")
        )
    return other


def block_add(*, session: Session, user: User, other_id: int, now: datetime | None = None) -> Block:
    """Block a worker (as an employer) or an employer (as a worker); a repeat is a no-op."""
    now = now or utcnow()
    assert user.id is not None
    if user.role not in (Role.worker, Role.employer):
        raise Conflict(N_("Only workers and employers block each other"))
    _other_side(session, user, other_id)
    block = session.get(Block, (user.id, other_id))
    if block is not None:
        return block
    block = Block(blocker_id=user.id, blocked_id=other_id, created_at=now)
    session.add(block)
    worker_id, employer_id = (
        (user.id, other_id) if user.role == Role.worker else (other_id, user.id)
    )
    session.execute(  # what was offered and not answered lapses; hires stand
        update(Invite)
        .where(
            col(Invite.worker_id) == worker_id,
            col(Invite.employer_id) == employer_id,
            col(Invite.status) == InviteStatus.invited,
        )
        .values(status=InviteStatus.expired, decided_at=now)
    )
    event_record(
        session=session,
        kind="user.blocked",
        payload={"by": user.id, "user": other_id},
    )
    session.flush()
    return block


def block_remove(*, session: Session, user: User, other_id: int) -> None:
    """Undo one's own block (a block the other side made stays theirs)."""
    result = session.execute(
        delete(Block).where(col(Block.blocker_id) == user.id, col(Block.blocked_id) == other_id)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound(N_("You have not blocked this person"))
    event_record(session=session, kind="user.unblocked", payload={"by": user.id, "user": other_id})
    session.flush()


def list_blocks(*, session: Session, user_id: int) -> Sequence[tuple[Block, User]]:
    """Whom the user blocked, newest first."""
    return session.exec(
        select(Block, User)
        .join(User, col(User.id) == col(Block.blocked_id))
        .where(Block.blocker_id == user_id)
        .order_by(col(Block.created_at).desc())
    ).all()
