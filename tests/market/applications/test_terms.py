"""Terms agreed at application: kept, sent back when worse, accepted again, then hired on."""

from __future__ import annotations

from sqlmodel import Session

from market.applications import terms as terms_service
from market.errors import Conflict, NotFound
from market.models import Application
from tests.market.applications.terms_helpers import (
    HOUR,
    Terms,
    events_since,
    last_event_id,
)
from tests.market.service_helpers import refused

SENT_BACK = "The terms changed after this worker applied: they must accept the new terms before you can hire them"  # noqa: E501


def test_an_application_keeps_the_terms_it_was_made_on(session: Session) -> None:
    gig = Terms(session)
    application = gig.claim(gig.worker())
    job = gig.job
    assert (
        application.agreed_wage,
        application.agreed_start_at,
        application.agreed_end_at,
        application.agreed_address,
        application.agreed_lat,
        application.agreed_lon,
        application.agreed_trade,
    ) == (job.wage, job.start_at, job.end_at, job.address, job.lat, job.lon, job.trade)
    assert (application.terms_version, application.terms_accepted_at) == (1, gig.now)
    assert (application.confirmed_wage, application.confirmed_terms_version) == (None, None)


def test_an_instant_claim_is_hired_on_the_terms_it_was_made_on(session: Session) -> None:
    gig = Terms(session, instant=True)
    application = gig.claim(gig.worker(), terms_version=1)
    assert application.status == "confirmed"
    assert (application.agreed_wage, application.confirmed_wage) == (400, 400)
    assert (application.terms_version, application.confirmed_terms_version) == (1, 1)


def test_a_claim_on_terms_cut_since_the_worker_read_them_is_refused(session: Session) -> None:
    gig = Terms(session, instant=True)
    gig.edit(wage=300)  # the worker's page still says 400 (terms version 1)
    worker = gig.worker()
    refused(
        session,
        lambda: gig.claim(worker, terms_version=1),
        Conflict,
        "The terms of this job changed after you opened it; read them again",
    )
    hired = gig.claim(worker, terms_version=2)  # after reading them again
    assert (hired.status, hired.agreed_wage, hired.confirmed_wage) == ("confirmed", 300, 300)


def test_a_claim_after_a_raise_needs_no_new_reading(session: Session) -> None:
    gig = Terms(session, instant=True)
    gig.edit(wage=450)
    application = gig.claim(gig.worker(), terms_version=1)
    assert (application.status, application.agreed_wage) == ("confirmed", 450)


def test_cutting_the_pay_sends_every_pending_application_back(session: Session) -> None:
    gig = Terms(session)
    workers = [gig.worker() for _ in range(2)]
    pending = [gig.claim(w) for w in workers]
    mark = last_event_id(session)

    gig.edit(wage=300)

    assert gig.job.terms_version == 2
    told = [e for e in events_since(session, mark) if e.kind == "application.terms_changed"]
    assert sorted(e.worker_id or 0 for e in told) == sorted(w.id or 0 for w in workers)
    assert all(e.payload["needs_acceptance"] and e.payload["changed"] == ["pay"] for e in told)
    for application in pending:
        gig.reload(application)
        assert application.agreed_wage == 400  # what they accepted stays on record
        assert terms_service.needs_acceptance(application, gig.job)


def test_moving_the_place_or_the_shift_sends_pending_applications_back(session: Session) -> None:
    gig = Terms(session)
    application = gig.claim(gig.worker())
    gig.edit(lat=gig.job.lat + 0.2, lon=gig.job.lon)
    assert gig.job.terms_version == 2
    gig.accept(application, session.get_one(type(gig.employer), application.worker_id))
    gig.edit(start_at=gig.job.start_at + HOUR, end_at=gig.job.end_at + HOUR)
    assert gig.job.terms_version == 3
    gig.edit(address="烟台市莱山区观海路 8 号")
    assert gig.job.terms_version == 4
    assert terms_service.needs_acceptance(gig.reload(application), gig.job)


def test_a_raise_or_a_new_title_needs_no_acceptance(session: Session) -> None:
    gig = Terms(session)
    application = gig.claim(gig.worker())
    mark = last_event_id(session)
    gig.edit(wage=450, title="刷墙（加急）", headcount=4)
    assert gig.job.terms_version == 1
    gig.reload(application)
    assert (application.agreed_wage, application.terms_version) == (450, 1)
    kinds = [e.kind for e in events_since(session, mark)]
    assert kinds == ["application.pay_raised", "job.updated"]
    assert gig.confirm(application).confirmed_wage == 450


def test_the_employer_cannot_hire_on_terms_the_worker_did_not_accept(session: Session) -> None:
    gig = Terms(session)
    application = gig.claim(gig.worker())
    gig.edit(wage=300)
    refused(session, lambda: gig.confirm(application), Conflict, SENT_BACK)


def test_after_accepting_the_new_terms_the_worker_is_hired_on_them(session: Session) -> None:
    gig = Terms(session)
    worker = gig.worker()
    application = gig.claim(worker)
    gig.edit(wage=300, lat=gig.job.lat + 0.1, lon=gig.job.lon + 0.1)
    mark = last_event_id(session)

    gig.accept(application, worker, terms_version=2)

    assert (application.agreed_wage, application.agreed_lat) == (300, gig.job.lat)
    assert (application.terms_version, application.terms_accepted_at) == (2, gig.now)
    [accepted] = events_since(session, mark)
    assert (accepted.kind, accepted.worker_id, accepted.employer_id) == (
        "application.terms_accepted",
        worker.id,
        gig.employer.id,
    )
    hired = gig.confirm(application)
    assert (hired.status, hired.confirmed_wage, hired.confirmed_terms_version) == (
        "confirmed",
        300,
        2,
    )


def test_accepting_terms_that_changed_again_meanwhile_is_refused(session: Session) -> None:
    gig = Terms(session)
    worker = gig.worker()
    application = gig.claim(worker)
    gig.edit(wage=300)
    gig.edit(wage=250)  # the worker's page showed version 2
    refused(
        session,
        lambda: gig.accept(application, worker, terms_version=2),
        Conflict,
        "The terms changed again while you read them; read them again and confirm",
    )


def test_another_worker_cannot_accept_for_someone(session: Session) -> None:
    gig = Terms(session)
    application = gig.claim(gig.worker())
    gig.edit(wage=300)
    stranger = gig.worker()
    refused(session, lambda: gig.accept(application, stranger), NotFound, "Application not found")
    refused(
        session, lambda: gig.accept(application, gig.employer), NotFound, "Application not found"
    )


def test_only_a_pending_application_takes_new_terms(session: Session) -> None:
    gig = Terms(session)
    worker = gig.worker()
    application = gig.claim(worker)
    gig.confirm(application)
    refused(
        session,
        lambda: gig.accept(application, worker),
        Conflict,
        "Only a pending application takes new terms; this one is {status}",
    )


def test_accepting_terms_already_accepted_writes_nothing(session: Session) -> None:
    gig = Terms(session)
    worker = gig.worker()
    application = gig.claim(worker)
    mark = last_event_id(session)
    assert gig.accept(application, worker, terms_version=1) is application
    assert events_since(session, mark) == []


def test_a_worker_may_withdraw_instead_of_accepting(session: Session) -> None:
    from market.applications import service as application_service

    gig = Terms(session)
    worker = gig.worker()
    application = gig.claim(worker)
    gig.edit(wage=300)
    withdrawn = application_service.application_cancel(
        session=session, application=application, user=worker, reason="工钱太低", now=gig.now
    )
    assert withdrawn.status == "withdrawn"
    again: Application = gig.claim(worker)  # applying again takes the terms as they are now
    assert (again.id, again.status, again.agreed_wage, again.terms_version) == (
        application.id,
        "applied",
        300,
        2,
    )
