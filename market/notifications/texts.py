"""Which outbox events a user must not miss, who is told, and in which words.

Texts are msgids (English, translated to zh-CN in the web's catalogs) with `{name}`
params; they are rendered in the recipient's language when shown or sent. An event kind
not listed here tells no one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlmodel import Session

from market.errors import N_
from market.i18n import local
from market.models import Application, ApplicationStatus, Event, Job, User


@dataclass(frozen=True, slots=True)
class Draft:
    """One notification to write: for whom, in which words, and where a tap leads."""

    user_id: int
    title: str
    body: str
    url: str
    params: dict[str, Any] = field(default_factory=dict)
    urgent: bool = False
    held: bool = False  # a new-job alert beyond the day's number: inbox only, then the digest
    first: bool = False  # a new job of an employer who keeps the worker as a regular (常用工友)


def shift_when(job: Job) -> str:
    return local(job.start_at).strftime("%m-%d %H:%M")


def _job_params(session: Session, event: Event) -> tuple[Job | None, dict[str, Any]]:
    job = session.get(Job, event.job_id) if event.job_id else None
    if job is None:
        return None, {}
    return job, {"job": job.title, "when": shift_when(job)}


def _application(session: Session, event: Event) -> Application | None:
    application_id = event.payload.get("application")
    return session.get(Application, application_id) if isinstance(application_id, int) else None


Maker = Callable[[Session, Event], list[Draft]]


def _to_worker(title: str, body: str, url: str = "/my/jobs") -> Maker:
    def make(session: Session, event: Event) -> list[Draft]:
        job, params = _job_params(session, event)
        if event.worker_id is None or job is None:
            return []
        link = url.format(job=job.id, application=event.payload.get("application", ""))
        return [Draft(event.worker_id, title, body, link, {**params, **_money(event)})]

    return make


def _to_employer(title: str, body: str, url: str = "/employer/jobs/{job}") -> Maker:
    def make(session: Session, event: Event) -> list[Draft]:
        job, params = _job_params(session, event)
        if event.employer_id is None or job is None:
            return []
        worker = session.get(User, event.worker_id) if event.worker_id else None
        params = {**params, **_money(event), "name": worker.name if worker else ""}
        return [Draft(event.employer_id, title, body, url.format(job=job.id), params)]

    return make


def _money(event: Event) -> dict[str, Any]:
    amount = event.payload.get("amount")
    return {"amount": amount} if isinstance(amount, int) else {}


def _applied(session: Session, event: Event) -> list[Draft]:
    if event.payload.get("status") == "confirmed":  # an instant job: the worker took a place
        return _to_employer(N_("A worker took a place"), N_("{name} took a place on {job}"))(
            session, event
        )
    return _to_employer(N_("New applicant"), N_("{name} applied for {job} ({when})"))(
        session, event
    )


def _cancelled(session: Session, event: Event) -> list[Draft]:
    application = _application(session, event)
    by = event.payload.get("by") or (application.cancelled_by if application else None)
    if by == "employer":
        return _to_worker(
            N_("Job called off"), N_("The employer called off {job} ({when}); look for other work")
        )(session, event)
    if by == "worker":
        return _to_employer(N_("A hire was called off"), N_("{name} can no longer come to {job}"))(
            session, event
        )
    return []


def _user(title: str, body: str, url: str) -> Maker:
    def make(session: Session, event: Event) -> list[Draft]:
        user_id = event.payload.get("user")
        if not isinstance(user_id, int):
            return []
        return [Draft(user_id, title, body, url)]

    return make


def _both(*makers: Maker) -> Maker:
    def make(session: Session, event: Event) -> list[Draft]:
        return [draft for maker in makers for draft in maker(session, event)]

    return make


def _attendance(session: Session, event: Event) -> list[Draft]:
    if event.payload.get("by") != "employer":  # the worker's own check-in tells no one
        return []
    return _to_worker(
        N_("Your time was recorded"),
        N_("The employer recorded your time on {job}: confirm it or say what is wrong"),
        "/my/work/{application}",
    )(session, event)


def _reminder(session: Session, event: Event) -> list[Draft]:
    hours = event.payload.get("hours")
    if event.payload.get("coming"):
        title = N_("Shift soon") if hours == 2 else N_("Shift coming up")
        body = N_("{job} starts {when}. See you there")
    else:
        title = N_("Shift soon: are you coming?") if hours == 2 else N_("Are you coming?")
        body = N_("{job} starts {when}. Tap to confirm you are coming")
    drafts = _to_worker(title, body)(session, event)
    return [replace(d, urgent=hours == 2) for d in drafts]


def _digest(session: Session, event: Event) -> list[Draft]:
    """The evening's one word on the new jobs held back today (market/notifications/alerts)."""
    user_id, count = event.payload.get("user"), event.payload.get("count")
    if not isinstance(user_id, int) or not isinstance(count, int):
        return []
    title, body = N_("New jobs for you"), N_("{count} more new jobs suit you today")
    return [Draft(user_id, title, body, "/feed", {"count": count})]


def _checkin_open(session: Session, event: Event) -> list[Draft]:
    application = _application(session, event)
    if application is None or application.status != ApplicationStatus.confirmed:
        return []  # called off since: no word
    drafts = _to_worker(
        N_("Check-in is open"),
        N_("{job} starts {when}: on site, check in with the employer's code"),
        "/my/work/{application}",
    )(session, event)
    return [replace(d, urgent=True) for d in drafts]  # the shift is about to start


MAKERS: dict[str, Maker] = {
    "application.created": _applied,
    "application.confirmed": _to_worker(
        N_("You are hired"), N_("{job}, {when}. The employer's phone is in My jobs")
    ),
    "application.declined": _to_worker(
        N_("Not hired this time"), N_("The employer did not take you for {job}")
    ),
    "application.cancelled": _cancelled,
    "application.withdrawn": _to_employer(
        N_("An applicant withdrew"), N_("{name} withdrew from {job}")
    ),
    "application.terms_changed": _to_worker(
        N_("The job's terms changed"), N_("{job}: the terms changed; read them and confirm again")
    ),
    "application.pay_raised": _to_worker(N_("Pay raised"), N_("{job}: the pay went up")),
    "application.no_show": _to_worker(
        N_("Marked as not come"), N_("The employer marked you as not come to {job}")
    ),
    "attendance.recorded": _attendance,
    "payment.recorded": _to_worker(
        N_("Pay recorded"),
        N_("{job}: the employer recorded ¥{amount} paid; confirm it or dispute it"),
        "/my/work/{application}",
    ),
    "payment.confirmed": _to_employer(
        N_("Payment confirmed"), N_("{name} confirmed ¥{amount} for {job}"), "/employer/pay"
    ),
    "payment.disputed": _to_employer(
        N_("Payment disputed"),
        N_("{name} disputes the ¥{amount} recorded for {job}"),
        "/employer/jobs/{job}/work",
    ),
    "arrears.opened": _both(
        _to_worker(
            N_("Unpaid wages: case opened"),
            N_("The union opened a case for your unpaid wages on {job}"),
            "/my/pay",
        ),
        _to_employer(
            N_("Unpaid wages: case opened"),
            N_("The union opened a case: wages for {job} are unpaid"),
            "/employer/pay",
        ),
    ),
    "dispatch.proposed": _to_worker(
        N_("The union proposes a job"), N_("{job}, {when}: take it or leave it"), "/jobs/{job}"
    ),
    "invite.sent": _to_worker(
        N_("You are invited to a job"),
        N_("{job}, {when}: the employer invites you. Accept or decline"),
        "/my/invites",
    ),
    "invite.declined": _to_employer(
        N_("An invite was declined"), N_("{name} declined your invite to {job}")
    ),
    "shift.reminder": _reminder,
    "checkin.open": _checkin_open,
    "job.digest": _digest,
    "user.suspended": _user(
        N_("Account suspended"), N_("Your account is suspended; ask the union why"), "/"
    ),
    "user.reinstated": _user(N_("Account reinstated"), N_("Your account works again"), "/"),
}


def drafts_for(*, session: Session, event: Event) -> list[Draft]:
    """The notifications an event makes (none for a kind no one must be told of)."""
    maker = MAKERS.get(event.kind)
    return maker(session, event) if maker else []
