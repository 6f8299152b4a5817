"""Logging in through the real form (cookie and CSRF token), as a browser would."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from market.models import User
from tests.factories import PASSWORD


def form_token(html: str) -> str:
    """The page's form token (the hidden `csrf_token` field)."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return found.group(1)


def log_in(client: TestClient, user: User, page: str | None = None, *, switch: bool = False) -> str:
    """Log in through the login form; returns the session's form token, read off `page`
    (by default the page the login leads to). `switch`: forget the browser's cookies first,
    as a second user on the same phone would be."""
    if switch:
        client.cookies.clear()
    token = form_token(client.get("/login").text)
    answer = client.post(
        "/login",
        data={"csrf_token": token, "phone": user.phone, "password": PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return form_token(client.get(page or answer.headers["location"]).text)
