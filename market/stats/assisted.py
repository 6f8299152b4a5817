"""Assisted placements: hires of workers a service station registered, by station."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from market.models import HIRED, Application, AssistedWorker, Station
from market.stations import service as station_service
from market.stats.periods import Period


def assisted_placements(*, session: Session, period: Period | None = None) -> dict[int, int]:
    """Hires of station-registered workers per station id (those decided in `period`)."""
    query = (
        select(AssistedWorker.station_id, func.count(col(Application.id)))
        .join(Application, col(Application.worker_id) == col(AssistedWorker.worker_id))
        .where(col(Application.status).in_(HIRED))
        .group_by(col(AssistedWorker.station_id))
    )
    if period is not None:
        query = query.where(
            col(Application.decided_at) >= period.start, col(Application.decided_at) < period.end
        )
    return {station_id: int(n) for station_id, n in session.exec(query).all()}


def list_assisted_placements(
    *, session: Session, period: Period | None = None
) -> list[tuple[Station, int]]:
    """Every station (by district and name) with its assisted placements in `period`."""
    counts = assisted_placements(session=session, period=period)
    return [
        (station, counts.get(station.id or 0, 0))
        for station in station_service.list_stations(session=session)
    ]
