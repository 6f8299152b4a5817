"""Arrears: the sweep opens one case per unpaid hire, posting holds, the on-time pay rate."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from market.errors import Conflict
from market.jobs import service as job_service
from market.jobs.schemas import JobCreate
from market.models import (
    Application,
    ApplicationStatus,
    Event,
    Job,
    JobStatus,
    ModerationAction,
    Report,
    User,
)
from market.reports import service as report_service
from market.work import arrears, overview, standing
from market.work import service as work_service
from market.work.ledger import load_ledger
from market.work.schemas import PaymentCreate
from tests.factories import job_body, make_employer, make_staff
from tests.market.service_helpers import refused
from tests.market.work.work_factories import HOUR, local_at, make_hire

SHIFT = local_at(-5, 8)  # five days ago, 08:00-16:00
NOW = local_at(0, 10)
DAY = timedelta(days=1)


def _paid(session: Session, application: Application, job: Job, amount: int) -> None:
    employer = session.get_one(User, job.employer_id)
    worker = session.get_one(User, application.worker_id)
    payment = work_service.payment_record(
        session=session,
        application=application,
        user=employer,
        data=PaymentCreate(amount=amount, method="cash", paid_at=job.end_at + HOUR),
        now=job.end_at + HOUR,
    )
    work_service.payment_confirm(session=session, payment=payment, user=worker, now=NOW)


def _cases(session: Session) -> list[Report]:
    return list(session.exec(select(Report).where(Report.kind == "unpaid")).all())


def test_the_sweep_opens_one_case_per_unpaid_hire_after_n_days(session: Session) -> None:
    unpaid, _job = make_hire(session, start_at=SHIFT, wage=300)
    partly, job2 = make_hire(session, start_at=SHIFT, wage=300)
    _paid(session, partly, job2, 100)
    paid, job3 = make_hire(session, start_at=SHIFT, wage=300)
    _paid(session, paid, job3, 300)
    recent, _ = make_hire(session, start_at=NOW - 30 * HOUR)  # ended 22 hours ago
    make_hire(session, start_at=SHIFT, status=ApplicationStatus.no_show)
    gone, job5 = make_hire(session, start_at=SHIFT)
    job5.status = JobStatus.cancelled
    old, _ = make_hire(session, start_at=NOW - 90 * DAY)  # before the work record's lookback
    session.flush()

    opened = arrears.arrears_sweep(session=session, now=NOW, days=3)
    assert sorted(r.application_id for r in opened) == sorted([unpaid.id, partly.id])
    assert {r.job_record["reason"] for r in opened} == {"overdue"}
    by_app = {r.application_id: r for r in opened}
    assert by_app[partly.id].job_record["owed"] == 200
    assert by_app[unpaid.id].work_record_id == unpaid.id
    told = session.exec(select(Event).where(Event.kind == "arrears.opened")).all()
    assert sorted(e.worker_id for e in told) == sorted([unpaid.worker_id, partly.worker_id])

    assert arrears.arrears_sweep(session=session, now=NOW + DAY, days=3) == []  # never twice
    later = arrears.arrears_sweep(session=session, now=NOW + 3 * DAY, days=3)
    assert [r.application_id for r in later] == [recent.id]
    assert not any(r.application_id in (paid.id, gone.id, old.id) for r in _cases(session))


def test_a_case_opens_once_and_only_when_due(session: Session) -> None:
    application, job = make_hire(session, start_at=SHIFT)
    ledger = load_ledger(session=session, application=application, job=job)
    refused(
        session,
        lambda: arrears.case_open(
            session=session, ledger=ledger, reason="overdue", now=NOW, days=9
        ),
        Conflict,
        "The employer still has time to pay",
    )
    refused(
        session,
        lambda: arrears.case_open(session=session, ledger=ledger, reason="disputed", now=NOW),
        Conflict,
        "No payment of this work is disputed",
    )
    report = arrears.case_open(session=session, ledger=ledger, reason="overdue", now=NOW, days=3)
    refused(
        session,
        lambda: arrears.case_open(session=session, ledger=ledger, reason="overdue", now=NOW),
        Conflict,
        "The union already has a case for this work",
    )
    staff = make_staff(session)
    report_service.report_resolve(session=session, report=report, staff=staff, outcome="paid")
    refused(
        session,
        lambda: report_service.report_resolve(
            session=session, report=report, staff=staff, outcome="paid"
        ),
        Conflict,
        "This report is already resolved",
    )
    assert arrears.arrears_sweep(session=session, now=NOW, days=3) == []  # resolved, not reopened
    paid, job2 = make_hire(session, start_at=SHIFT)
    _paid(session, paid, job2, 300)
    full = load_ledger(session=session, application=paid, job=job2)
    refused(
        session,
        lambda: arrears.case_open(session=session, ledger=full, reason="overdue", now=NOW),
        Conflict,
        "This work is paid in full",
    )


def test_staff_stop_an_employer_in_arrears_posting_until_it_is_settled(session: Session) -> None:
    _application, job = make_hire(session, start_at=SHIFT)
    employer = session.get_one(User, job.employer_id)
    staff = make_staff(session)
    refused(
        session,
        lambda: standing.posting_hold_place(
            session=session, staff=staff, employer_id=employer.id or 0, reason="欠薪"
        ),
        Conflict,
        "This employer has no open unpaid-wage case",
    )
    (case,) = arrears.arrears_sweep(session=session, now=NOW, days=3)
    assert standing.employers_in_arrears(session=session, employer_ids=[employer.id or 0]) == {
        employer.id
    }
    standing.posting_hold_place(
        session=session, staff=staff, employer_id=employer.id or 0, reason="欠薪未结"
    )
    data = JobCreate.model_validate(job_body())
    refused(
        session,
        lambda: job_service.job_post(session=session, employer=employer, data=data),
        Conflict,
        "The union has stopped your postings until the unpaid wages of your workers are "
        "settled. Pay them, or call the union office.",
    )
    assert session.exec(select(Event.kind).where(Event.kind == "posting.stopped")).all()
    report_service.report_resolve(session=session, report=case, staff=staff, outcome="paid")
    assert job_service.job_post(session=session, employer=employer, data=data).id  # settled
    standing.posting_hold_lift(session=session, staff=staff, employer_id=employer.id or 0)
    refused(
        session,
        lambda: standing.posting_hold_lift(
            session=session, staff=staff, employer_id=employer.id or 0
        ),
        Conflict,
        "This employer's postings are not stopped",
    )
    actions = session.exec(
        select(ModerationAction.action).where(ModerationAction.user_id == employer.id)
    ).all()
    assert actions == ["employer.posting_stopped", "employer.posting_resumed"]


def test_the_on_time_pay_rate_counts_finished_hires_paid_in_full_in_time(
    session: Session,
) -> None:
    employer = make_employer(session)
    on_time, job = make_hire(session, start_at=SHIFT, employer=employer)
    _paid(session, on_time, job, 300)
    make_hire(session, start_at=SHIFT, employer=employer)  # never paid
    make_hire(session, start_at=NOW - 3 * HOUR, employer=employer)  # still has time
    record = standing.get_pay_record(session=session, employer_id=employer.id or 0, now=NOW)
    assert (record.finished, record.paid_on_time, record.on_time_rate) == (2, 1, 0.5)
    fresh = make_employer(session)
    assert standing.get_pay_record(session=session, employer_id=fresh.id or 0).on_time_rate is None
    reliability = report_service.get_employer_reliability(
        session=session, employer_id=employer.id or 0
    )
    assert reliability.finished_hires == 2 and reliability.open_unpaid_cases == 0


def test_staff_see_open_arrears_by_employer_trade_and_district(session: Session) -> None:
    big = make_employer(session, name="欠得多")
    small = make_employer(session, name="欠得少")
    for _ in range(2):
        make_hire(session, start_at=SHIFT, employer=big, wage=400)
    make_hire(session, start_at=SHIFT - 2 * DAY, employer=small, wage=200)
    arrears.arrears_sweep(session=session, now=NOW, days=3)
    groups = overview.arrears_by(session=session, by="employer", now=NOW)
    assert [(g.label, g.cases, g.amount, g.days_max) for g in groups] == [
        ("欠得多的公司", 2, 800, 5),
        ("欠得少的公司", 1, 200, 7),
    ]
    (trade,) = overview.arrears_by(session=session, by="trade", now=NOW)
    assert (trade.key, trade.cases, trade.amount, trade.days_mean) == ("painter", 3, 1000, 5.7)
    (district,) = overview.arrears_by(session=session, by="district", now=NOW)
    assert district.key == "芝罘区"
    cases = overview.list_open_cases(session=session, now=NOW)
    assert [c.days_outstanding for c in cases] == [7, 5, 5]


def test_workers_see_an_employer_with_an_open_case_flagged_on_its_jobs(session: Session) -> None:
    from market.feed import service as feed_service
    from market.feed.schemas import FeedFilter
    from tests.factories import make_job, make_worker, tomorrow_at

    owing = make_employer(session, name="欠薪的")
    fair = make_employer(session, name="守信的")
    make_hire(session, start_at=SHIFT, employer=owing)
    arrears.arrears_sweep(session=session, now=NOW, days=3)
    flagged = make_job(session, employer=owing, start_at=tomorrow_at(1))
    clean = make_job(session, employer=fair, start_at=tomorrow_at(1))
    worker = make_worker(session)
    feed = feed_service.list_feed(session=session, worker_id=worker.id or 0, data=FeedFilter())
    shown = {item.job.id: item.employer_unpaid for item in feed.items}
    assert shown == {flagged.id: True, clean.id: False}


def test_paid_in_full_and_confirmed_closes_the_case_the_work_record_opened(
    session: Session,
) -> None:
    settled, job = make_hire(session, start_at=SHIFT, wage=300)
    partly, job2 = make_hire(session, start_at=SHIFT, wage=300)
    by_staff, job3 = make_hire(session, start_at=SHIFT, wage=300)
    opened = {r.application_id: r for r in arrears.arrears_sweep(session=session, now=NOW, days=3)}
    staff = make_staff(session)
    report_service.report_resolve(
        session=session, report=opened[by_staff.id], staff=staff, outcome="mediated"
    )
    _paid(session, settled, job, 200)
    assert opened[settled.id].status == "open"  # 100 still owed
    _paid(session, settled, job, 100)
    _paid(session, partly, job2, 250)
    _paid(session, by_staff, job3, 300)

    case = opened[settled.id]
    assert (case.status, case.outcome, case.handled_by) == ("resolved", "paid", None)
    assert case.resolved_at == NOW
    assert opened[partly.id].status == "open"
    assert (opened[by_staff.id].outcome, opened[by_staff.id].handled_by) == ("mediated", staff.id)
    closing = session.exec(select(Event).where(Event.kind == "report.resolved")).all()
    assert [(e.payload["report"], e.payload.get("by")) for e in closing] == [
        (opened[by_staff.id].id, None),
        (case.id, "work_record"),
    ]
    employer = session.get_one(User, job.employer_id)
    assert standing.employers_in_arrears(session=session, employer_ids=[employer.id or 0]) == set()
