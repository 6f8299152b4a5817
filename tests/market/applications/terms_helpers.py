"""A job with pending and hired workers, driven through the services; refusals change nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from market.applications import service as application_service
from market.applications import terms as terms_service
from market.jobs import service as job_service
from market.jobs.schemas import JobUpdate
from market.models import Application, Event, Job, User
from tests.factories import make_employer, make_job, make_worker

HOUR = timedelta(hours=1)


def last_event_id(session: Session) -> int:
    return session.exec(select(Event.id).order_by(col(Event.id).desc())).first() or 0


def events_since(session: Session, event_id: int) -> list[Event]:
    return list(session.exec(select(Event).where(col(Event.id) > event_id).order_by(col(Event.id))))


class Terms:
    """One employer's job (400 a shift tomorrow) and helpers to drive it."""

    def __init__(
        self, session: Session, *, headcount: int = 3, wage: int = 400, instant: bool = False
    ) -> None:
        self.session = session
        self.employer = make_employer(session)
        self.job = make_job(
            session, employer=self.employer, headcount=headcount, wage=wage, instant=instant
        )
        self.now = self.job.start_at - 20 * HOUR

    def worker(self) -> User:
        return make_worker(self.session)

    def claim(self, worker: User, *, terms_version: int | None = None) -> Application:
        return application_service.application_claim(
            session=self.session,
            job_id=self.job.id or 0,
            worker=worker,
            terms_version=terms_version,
            now=self.now,
        ).application

    def confirm(self, application: Application) -> Application:
        return application_service.application_confirm(
            session=self.session, application=application, employer=self.employer, now=self.now
        )

    def edit(self, **fields: Any) -> Job:
        return job_service.job_update(
            session=self.session, job=self.job, data=JobUpdate(**fields), now=self.now
        )

    def accept(
        self, application: Application, worker: User, *, terms_version: int | None = None
    ) -> Application:
        return terms_service.application_accept_terms(
            session=self.session,
            application=application,
            worker=worker,
            terms_version=terms_version,
            now=self.now,
        )

    def reload(self, row: Any) -> Any:
        self.session.refresh(row)
        return row
