"""Union membership called straight on the service: apply, decide, list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from market.errors import Conflict, NotAllowed, NotFound
from market.membership import service as membership_service
from market.models import Membership
from tests.factories import make_employer, make_staff, make_worker
from tests.market.service_helpers import events_after, last_event_id, refused
from tests.staff_factories import make_member

NOW = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=2)


def told(session: Session, mark: int) -> list[tuple[object, ...]]:
    return [(e.kind, e.worker_id, e.payload) for e in events_after(session, mark)]


def test_a_worker_who_never_applied_has_no_membership(db: Session) -> None:
    worker = make_worker(db)
    assert membership_service.get_membership(session=db, user_id=worker.id or 0) is None


def test_applying_makes_a_pending_application_and_tells_the_union(db: Session) -> None:
    worker = make_worker(db)
    mark = last_event_id(db)
    membership = membership_service.membership_apply(session=db, worker=worker, now=NOW)
    assert membership_service.get_membership(session=db, user_id=worker.id or 0) is membership
    db.refresh(membership)
    assert (membership.user_id, membership.status, membership.applied_at) == (
        worker.id,
        "pending",
        NOW,
    )
    assert (membership.decided_at, membership.decided_by, membership.note) == (None, None, "")
    assert told(db, mark) == [("membership.applied", worker.id, {"worker": worker.id})]


def test_applying_again_while_pending_changes_nothing(db: Session) -> None:
    worker = make_worker(db)
    first = membership_service.membership_apply(session=db, worker=worker, now=NOW)
    mark = last_event_id(db)
    again = membership_service.membership_apply(session=db, worker=worker, now=LATER)
    assert again is first and again.applied_at == NOW
    assert told(db, mark) == []


def test_applying_again_after_a_rejection_starts_afresh(db: Session) -> None:
    worker, staff = make_worker(db), make_staff(db)
    membership_service.membership_apply(session=db, worker=worker, now=NOW)
    membership_service.membership_decide(
        session=db, staff=staff, user_id=worker.id or 0, approve=False, note="材料不全", now=NOW
    )
    mark = last_event_id(db)
    membership = membership_service.membership_apply(session=db, worker=worker, now=LATER)
    db.refresh(membership)
    assert (membership.status, membership.applied_at) == ("pending", LATER)
    assert (membership.decided_at, membership.decided_by, membership.note) == (None, None, "")
    assert told(db, mark) == [("membership.applied", worker.id, {"worker": worker.id})]


def test_applying_as_a_member_already_is_refused(db: Session) -> None:
    worker = make_worker(db)
    make_member(db, worker=worker, status="approved")
    refused(
        db,
        lambda: membership_service.membership_apply(session=db, worker=worker, now=NOW),
        Conflict,
        "You are already a union member",
    )


@pytest.mark.parametrize("make", [make_employer, make_staff], ids=["employer", "staff"])
def test_applying_as_anyone_but_a_worker_is_not_allowed(db: Session, make: object) -> None:
    user = make(db)  # type: ignore[operator]
    refused(
        db,
        lambda: membership_service.membership_apply(session=db, worker=user, now=NOW),
        NotAllowed,
        "Only workers can do this",
    )


@pytest.mark.parametrize(("approve", "status"), [(True, "approved"), (False, "rejected")])
def test_deciding_records_who_decided_when_and_why_and_tells_the_worker(
    db: Session, approve: bool, status: str
) -> None:
    worker, staff = make_worker(db), make_staff(db)
    membership_service.membership_apply(session=db, worker=worker, now=NOW)
    mark = last_event_id(db)
    decided = membership_service.membership_decide(
        session=db, staff=staff, user_id=worker.id or 0, approve=approve, note="已核实", now=LATER
    )
    db.refresh(decided)
    assert (decided.status, decided.decided_at, decided.decided_by, decided.note) == (
        status,
        LATER,
        staff.id,
        "已核实",
    )
    assert decided.applied_at == NOW
    payload = {"worker": worker.id, "note": "已核实"}
    assert told(db, mark) == [(f"membership.{status}", worker.id, payload)]


@pytest.mark.parametrize("status", ["approved", "rejected"])
def test_deciding_a_decided_application_is_refused(db: Session, status: str) -> None:
    worker, staff = make_worker(db), make_staff(db)
    make_member(db, worker=worker, status=status)
    refused(
        db,
        lambda: membership_service.membership_decide(
            session=db, staff=staff, user_id=worker.id or 0, approve=True, now=NOW
        ),
        Conflict,
        "This application has already been decided",
    )


def test_deciding_for_a_worker_who_never_applied_is_not_found(db: Session) -> None:
    worker, staff = make_worker(db), make_staff(db)
    refused(
        db,
        lambda: membership_service.membership_decide(
            session=db, staff=staff, user_id=worker.id or 0, approve=True, now=NOW
        ),
        NotFound,
        "Membership application not found",
    )


def test_memberships_list_oldest_first_and_filter_by_status(db: Session) -> None:
    staff = make_staff(db)
    late, early, decided = make_worker(db), make_worker(db), make_worker(db)
    membership_service.membership_apply(session=db, worker=late, now=LATER)
    membership_service.membership_apply(session=db, worker=early, now=NOW)
    membership_service.membership_apply(session=db, worker=decided, now=NOW - timedelta(days=1))
    membership_service.membership_decide(
        session=db, staff=staff, user_id=decided.id or 0, approve=True, now=NOW
    )

    def listed(**fields: object) -> list[int | None]:
        rows = membership_service.list_memberships(session=db, **fields)  # type: ignore[arg-type]
        assert all(isinstance(m, Membership) and m.user_id == u.id for m, u in rows)
        return [u.id for _m, u in rows]

    assert listed() == [decided.id, early.id, late.id]
    assert listed(status="pending") == [early.id, late.id]
    assert listed(status="approved") == [decided.id]
    assert listed(status="rejected") == []
    assert listed(limit=1) == [decided.id]
