"""What staff see of one report, gathered in one call (the console page and the API)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from market.models import Report, ReportNote, User
from market.moderation import service as moderation_service
from market.reports import service as report_service
from market.workers import identity as identity_service


@dataclass(frozen=True)
class ReportDetail:
    report: Report
    worker: User
    employer: User
    notes: Sequence[ReportNote]
    identity: identity_service.Identity | None = None  # the worker's, if given (staff only)


def get_report_detail(*, session: Session, report: Report) -> ReportDetail:
    """The report with both sides' accounts and the staff's notes, oldest first."""
    return ReportDetail(
        report=report,
        worker=moderation_service.get_user(session=session, user_id=report.worker_id),
        employer=moderation_service.get_user(session=session, user_id=report.employer_id),
        notes=report_service.list_report_notes(session=session, report_id=report.id or 0),
        identity=identity_service.get_identity(session=session, worker_id=report.worker_id),
    )
