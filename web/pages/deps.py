"""Dependencies of the pages alone: the posted form, who (if anyone) is looking, and the
anonymous-form tokens of login and sign-up.

Who may see a page is checked by the same dependencies as the API (`web.deps`): a form
post's hidden `csrf_token` field is read there, like the API's `X-CSRF-Token` header.
"""

from __future__ import annotations

import secrets
from functools import partial
from typing import Annotated

from fastapi import Depends, Request, Response
from starlette.datastructures import FormData

from market.accounts import service as account_service
from market.errors import N_, NotAllowed
from market.models import User
from market.notifications import service as notification_service
from web.deps import SAFE_METHODS, SessionDep
from web.security.cookies import read_cookie, set_cookie

ANON_CSRF_COOKIE = "lg_form"  # double-submit token for the login and sign-up forms


async def _form(request: Request) -> FormData:
    """The posted form (empty for GET)."""
    if request.method in SAFE_METHODS:
        return FormData()
    return await request.form()


PageForm = Annotated[FormData, Depends(_form)]


def _optional_user(request: Request, session: SessionDep) -> User | None:
    """Who is logged in, if anyone (for pages that anyone may see)."""
    token = read_cookie(request)
    found = (
        account_service.get_session_user(session=session, token=token, touch=False)
        if token
        else None
    )
    if found is None:
        return None
    user, row = found
    request.state.user = user
    request.state.csrf_token = row.csrf_token
    request.state.unread = partial(
        notification_service.count_unread, session=session, user_id=user.id or 0
    )
    return user


OptionalUser = Annotated[User | None, Depends(_optional_user)]


def anon_csrf_token(request: Request) -> str:
    """The browser's anonymous form token (made now if it has none yet)."""
    token = read_cookie(request, ANON_CSRF_COOKIE) or getattr(request.state, "anon_csrf", None)
    if not token:
        token = secrets.token_urlsafe(24)
    request.state.anon_csrf = token
    request.state.csrf_token = token
    return token


def remember_anon_csrf(request: Request, response: Response) -> None:
    """Send the anonymous form token as a cookie when the browser did not have it."""
    token = getattr(request.state, "anon_csrf", None)
    if token and read_cookie(request, ANON_CSRF_COOKIE) != token:
        set_cookie(request, response, token, base=ANON_CSRF_COOKIE, max_age=None, samesite="strict")


def check_anon_csrf(request: Request, form: FormData) -> None:
    """Login and sign-up forms: the hidden token must match the browser's cookie."""
    cookie = read_cookie(request, ANON_CSRF_COOKIE) or ""
    sent = form.get("csrf_token")
    if not cookie or not isinstance(sent, str) or not secrets.compare_digest(cookie, sent):
        raise NotAllowed(N_("The page has expired; reload it and try again"))
