"""The union's wage floor: staff set it per trade (and district); jobs below it are refused.

A refused job is not written, but the attempt is counted: the refusal carries a trace
(`market.errors.DomainError.trace`) that the caller writes after rolling back, so staff
see how many employers tried to pay under the floor.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from market.errors import N_, Invalid, NotFound
from market.events.service import event_record
from market.models import User, WageFloor, WageFloorRefusal
from market.types import utcnow
from market.wages.schemas import FloorAttempts, WageFloorSet

BELOW_FLOOR = N_("The pay for this trade may not be below {floor} yuan a day (the union's floor)")


class BelowWageFloor(Invalid):
    """The pay offered is below the union's floor for the job's trade and district."""


def list_wage_floors(*, session: Session) -> Sequence[WageFloor]:
    """Every floor, by trade, the trade-wide one before the districts'."""
    return session.exec(
        select(WageFloor).order_by(col(WageFloor.trade), col(WageFloor.district))
    ).all()


def get_wage_floor(*, session: Session, floor_id: int) -> WageFloor:
    """The floor, or NotFound."""
    floor = session.get(WageFloor, floor_id)
    if floor is None:
        raise NotFound(N_("Wage floor not found"))
    return floor


def floor_for(*, session: Session, trade: str, district: str) -> WageFloor | None:
    """The floor in force: the district's own, else the trade's, else none."""
    rows = session.exec(
        select(WageFloor).where(
            WageFloor.trade == trade, col(WageFloor.district).in_({district, ""})
        )
    ).all()
    return max(rows, key=lambda f: f.district != "", default=None)


def wage_floor_set(
    *, session: Session, staff: User, data: WageFloorSet, now: datetime | None = None
) -> WageFloor:
    """Set the floor of a trade (in a district, or everywhere); jobs already posted stay."""
    now = now or utcnow()
    floor = session.exec(
        select(WageFloor).where(WageFloor.trade == data.trade, WageFloor.district == data.district)
    ).first() or WageFloor(trade=data.trade, district=data.district, daily_wage=data.daily_wage)
    floor.daily_wage, floor.set_by, floor.updated_at = data.daily_wage, staff.id, now
    session.add(floor)
    session.flush()
    _event(session, "wage_floor.set", floor)
    return floor


def wage_floor_delete(*, session: Session, floor: WageFloor) -> None:
    """Remove a floor (a district's: the trade-wide floor applies there again)."""
    _event(session, "wage_floor.removed", floor)
    session.delete(floor)
    session.flush()


def _event(session: Session, kind: str, floor: WageFloor) -> None:
    event_record(
        session=session,
        kind=kind,
        payload={
            "id": floor.id,
            "trade": floor.trade,
            "district": floor.district,
            "daily_wage": floor.daily_wage,
        },
    )


def check_wage_floor(
    *,
    session: Session,
    trade: str,
    district: str,
    wage: int,
    employer_id: int,
    job_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """Refuse pay below the floor; the refusal leaves its count behind (see the module)."""
    floor = floor_for(session=session, trade=trade, district=district)
    if floor is None or wage >= floor.daily_wage:
        return
    attempt = WageFloorRefusal(
        trade=trade,
        district=district,
        wage=wage,
        floor=floor.daily_wage,
        employer_id=employer_id,
        job_id=job_id,
        created_at=now or utcnow(),
    )

    def count(session: Session) -> None:
        floor_refusal_record(session=session, refusal=attempt)

    raise BelowWageFloor(BELOW_FLOOR, field="wage", floor=floor.daily_wage, trace=count)


def floor_refusal_record(*, session: Session, refusal: WageFloorRefusal) -> WageFloorRefusal:
    """Count one job refused under the floor (staff see it live)."""
    session.add(refusal)
    session.flush()
    event_record(
        session=session,
        kind="wage_floor.refused",
        job_id=refusal.job_id,
        payload={
            "trade": refusal.trade,
            "district": refusal.district,
            "wage": refusal.wage,
            "floor": refusal.floor,
        },
    )
    session.flush()
    return refusal


def count_floor_refusals(*, session: Session, start: datetime, end: datetime) -> int:
    """How many jobs were refused under the floor in [start, end)."""
    return session.exec(
        select(func.count()).where(
            col(WageFloorRefusal.created_at) >= start, col(WageFloorRefusal.created_at) < end
        )
    ).one()


def list_floor_attempts(*, session: Session, start: datetime, end: datetime) -> list[FloorAttempts]:
    """Refusals under the floor in [start, end) per trade and district, the most first."""
    attempts = func.count().label("attempts")
    trade, district = col(WageFloorRefusal.trade), col(WageFloorRefusal.district)
    when = col(WageFloorRefusal.created_at)
    rows = session.execute(
        sa_select(
            trade,
            district,
            attempts,
            func.count(col(WageFloorRefusal.employer_id).distinct()),
            func.min(col(WageFloorRefusal.wage)),
        )
        .where(when >= start, when < end)
        .group_by(trade, district)
        .order_by(attempts.desc(), trade, district)
    ).all()
    return [FloorAttempts(t, d, int(n), int(e), int(w)) for t, d, n, e, w in rows]
