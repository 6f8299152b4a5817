"""The inbox: what I was told (hired, pay recorded, terms changed ...), and how I am told."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from market.errors import N_, Invalid
from market.notifications import service as notification_service
from market.notifications.schemas import DAILY_ALERTS_MAX, DAILY_ALERTS_MIN, PreferenceUpdate
from web.deps import AfterQuery, CurrentUser, Id, SessionDep
from web.errors.pages import PageRoute
from web.pages.deps import PageForm
from web.pages.rendering import render

router = APIRouter(route_class=PageRoute)

FLASH = {
    "read": N_("All marked as read."),
    "saved": N_("Saved."),
}
HOURS = tuple(range(24))
DAILY_ALERTS = tuple(range(DAILY_ALERTS_MIN, DAILY_ALERTS_MAX + 1))


@router.get("/inbox")
def inbox(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    ok: Annotated[str | None, Query(max_length=20)] = None,
    after: AfterQuery = None,
) -> Response:
    """My notifications, newest first, and my channels and quiet hours."""
    page = notification_service.list_notifications(
        session=session, user_id=user.id or 0, after=after
    )
    pref = notification_service.get_preference(session=session, user_id=user.id or 0)
    context = {
        "notes": page.items,
        "next": page.next,
        "pref": pref,
        "hours": HOURS,
        "daily_alerts": DAILY_ALERTS if user.role == "worker" else (),
        "flash": FLASH.get(ok or ""),
    }
    return render(request, "inbox/inbox.html", context)


@router.post("/inbox/{notification_id}/open")
def open_note(notification_id: Id, user: CurrentUser, session: SessionDep) -> Response:
    """Mark it read and go where it points (my jobs, my pay, the job ...)."""
    note = notification_service.notification_read(
        session=session, user_id=user.id or 0, notification_id=notification_id
    )
    return RedirectResponse(note.url, status_code=303)


@router.post("/inbox/read-all")
def read_all(user: CurrentUser, session: SessionDep) -> Response:
    """Mark everything read."""
    notification_service.notifications_read_all(session=session, user_id=user.id or 0)
    return RedirectResponse("/inbox?ok=read", status_code=303)


def _hour(form: PageForm, name: str) -> int:
    raw = str(form.get(name) or "")
    if not raw.isdigit() or int(raw) > 23:
        raise Invalid(N_("Choose an hour from the list"), field=name)
    return int(raw)


def _daily_alerts(form: PageForm) -> int | None:
    raw = form.get("daily_alerts")
    if raw is None:
        return None  # not on the form (an employer's): unchanged
    if not str(raw).isdigit() or int(str(raw)) not in DAILY_ALERTS:
        raise Invalid(N_("Choose a number from the list"), field="daily_alerts")
    return int(str(raw))


@router.post("/inbox/settings")
def settings(form: PageForm, user: CurrentUser, session: SessionDep) -> Response:
    """Phone notifications and text messages on or off, the quiet hours, new-job alerts."""
    data = PreferenceUpdate(
        push=form.get("push") == "on",
        sms=form.get("sms") == "on",
        quiet_from=_hour(form, "quiet_from"),
        quiet_to=_hour(form, "quiet_to"),
        daily_alerts=_daily_alerts(form),
    )
    notification_service.preference_update(session=session, user_id=user.id or 0, data=data)
    return RedirectResponse("/inbox?ok=saved", status_code=303)
