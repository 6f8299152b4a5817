"""Keyset paging of the long lists: every row once, in the list's order, whatever arrives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from market import paging
from market.applications import service as application_service
from market.errors import Invalid
from market.jobs import service as job_service
from market.models import JobStatus
from market.moderation import service as moderation_service
from market.reports import service as report_service
from tests.factories import make_employer, make_job, make_staff, make_worker
from tests.paging_factories import EPOCH, make_hires, make_jobs, make_reports
from tests.staff_factories import make_application


def test_the_report_queue_pages_through_250_reports_once_each_while_one_arrives(
    db: Session,
) -> None:
    made = make_reports(db, 250)
    seen, cursor, pages = [], None, 0
    while True:
        page = report_service.list_reports(session=db, after=cursor, limit=60)
        seen += [report.id for report, _w, _e in page.items]
        pages += 1
        if pages == 2:
            make_reports(db, 1, first=250)  # a new report comes in between pages
        if (cursor := page.next) is None:
            break
    assert pages == 5
    assert len(seen) == len(set(seen)) == 251
    assert seen[:250] == [r.id for r in made]  # oldest first, id breaking the ties


def test_the_employers_jobs_page_upcoming_soonest_first_then_past_latest_first(
    db: Session,
) -> None:
    employer = make_employer(db)
    upcoming = make_jobs(db, employer, 40)  # from 2030, three to a start time
    now = datetime(2031, 1, 1, tzinfo=UTC)  # nothing has happened yet at 2030: all ahead
    past = [make_job(db, employer=employer, start_at=now - timedelta(days=d)) for d in (1, 9)]
    past += [make_job(db, employer=employer, start_at=now - timedelta(days=3 + d)) for d in (0, 0)]
    cancelled = make_job(db, employer=employer, start_at=EPOCH + timedelta(days=400))
    cancelled.status = JobStatus.cancelled
    db.add(cancelled)
    db.flush()
    seen, cursor = [], None
    for _ in range(10):
        page = job_service.list_employer_jobs(
            session=db, employer_id=employer.id or 0, after=cursor, limit=7, now=EPOCH
        )
        seen += [job.id for job in page.items]
        cursor = page.next
        if cursor is None:
            break
    assert cursor is None
    ahead = sorted(upcoming + past, key=lambda j: (j.start_at, j.id or 0))
    ahead = [j for j in ahead if j.start_at >= EPOCH]
    behind = sorted([cancelled], key=lambda j: (j.start_at, j.id or 0), reverse=True)
    assert seen[: len(ahead)] == [j.id for j in ahead]  # every job still ahead, soonest first
    assert seen[len(ahead) :] == [j.id for j in behind]  # then called off and over
    # seen from a later day: the past ones follow, latest first, ties by id
    page = job_service.list_employer_jobs(
        session=db, employer_id=employer.id or 0, limit=200, now=now
    )
    later = [j.id for j in page.items]
    over = sorted(upcoming + past + [cancelled], key=lambda j: (j.start_at, j.id or 0))
    assert later == [j.id for j in reversed(over)]


def test_an_employers_jobs_page_link_from_elsewhere_is_refused(db: Session) -> None:
    employer = make_employer(db)
    with pytest.raises(Invalid):
        job_service.list_employer_jobs(
            session=db, employer_id=employer.id or 0, after=paging.encode(7, EPOCH, 1)
        )


def test_waiting_applicants_are_counted_per_job(db: Session) -> None:
    employer = make_employer(db)
    first, second, none = (make_job(db, employer=employer) for _ in range(3))
    for status in ("applied", "applied", "confirmed", "declined"):
        make_application(db, job=first, worker=make_worker(db), status=status)
    make_application(db, job=second, worker=make_worker(db), status="applied")
    ids = [first.id or 0, second.id or 0, none.id or 0]
    counts = application_service.count_waiting(session=db, job_ids=ids)
    assert counts == {first.id: 2, second.id: 1}


def test_the_workers_applications_page_soonest_shift_first_without_gaps(db: Session) -> None:
    worker = make_worker(db)
    made = make_hires(db, worker, 60)
    first = application_service.list_worker_applications(
        session=db, worker_id=worker.id or 0, limit=25
    )
    second = application_service.list_worker_applications(
        session=db, worker_id=worker.id or 0, after=first.next, limit=25
    )
    third = application_service.list_worker_applications(
        session=db, worker_id=worker.id or 0, after=second.next, limit=25
    )
    assert [len(p.items) for p in (first, second, third)] == [25, 25, 10] and third.next is None
    ids = [a.id for page in (first, second, third) for a, _j, _e in page.items]
    assert ids == [a.id for a in made]


def test_the_moderation_log_pages_newest_first(db: Session) -> None:
    staff = make_staff(db)
    jobs = [make_job(db) for _ in range(5)]
    for job in jobs:
        moderation_service.job_hide(session=db, staff=staff, job=job, reason="虚假招工")
    first = moderation_service.list_moderation_actions(session=db, limit=3)
    rest = moderation_service.list_moderation_actions(session=db, after=first.next, limit=3)
    ids = [a.id for a in [*first.items, *rest.items]]
    assert len(ids) == 5 and ids == sorted(ids, reverse=True) and rest.next is None


@pytest.mark.parametrize("cursor", ["not-a-cursor", "", paging.encode(1), "W1sxXV0", "%%%"])
def test_a_malformed_cursor_is_refused_as_invalid(db: Session, cursor: str) -> None:
    with pytest.raises(Invalid):
        report_service.list_reports(session=db, after=cursor)


def test_the_page_size_is_kept_within_one_and_two_hundred() -> None:
    assert paging.clamp(0) == 1 and paging.clamp(10_000) == paging.MAX_LIMIT
