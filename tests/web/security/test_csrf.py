"""Every state-changing route reached with a session cookie but no CSRF token: 403, no write."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.web.security.world import (
    UNSAFE,
    fill,
    http_routes,
    log_in_with_cookie,
    make_world,
    row_counts,
)

# unsafe routes that take no session: the only ones a cookie-less cross-site post could reach
NO_SESSION_YET = {
    ("POST", "/api/v1/auth/register"),  # JSON only (a form cannot send it); makes a new session
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/codes"),  # JSON only; texts a code to whoever holds the phone
    ("POST", "/api/v1/auth/password/reset"),  # JSON only; needs the texted code
}
EXPIRED = "页面已过期"


def test_every_unsafe_route_with_a_cookie_and_no_token_is_refused_and_writes_nothing(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    cookies = {role: log_in_with_cookie(session, u)[0] for role, u in world.users().items()}
    session.commit()
    before = row_counts(session)
    unsafe = [(m, p, page) for m, p, page in http_routes(client.app) if m in UNSAFE]  # type: ignore[arg-type]
    assert len(unsafe) > 30
    checked = 0
    for method, template, page in unsafe:
        if (method, template) in NO_SESSION_YET:
            continue
        path = fill(template, world.path_ids())
        for role, token in cookies.items():
            client.cookies.clear()
            client.cookies.set("lg_session", token)
            client.cookies.set("lg_form", "cookie-side-token")  # login/sign-up double submit
            if page:
                answer = client.request(method, path, data={"reason": "x", "stars": "5"})
            else:
                answer = client.request(method, path, json={})
            assert answer.status_code == 403, (method, path, role, answer.text[:300])
            assert EXPIRED in answer.text, (method, path, role)
            checked += 1
    client.cookies.clear()
    assert row_counts(session) == before
    assert checked >= 3 * (len(unsafe) - len(NO_SESSION_YET))


def test_the_api_login_takes_no_cross_site_form_body(client: TestClient) -> None:
    for path in sorted(p for _, p in NO_SESSION_YET):
        answer = client.post(
            path,
            content=b'{"phone": "13900000000", "password": "x"}',
            headers={"Content-Type": "text/plain"},
        )
        assert answer.status_code in (415, 422), answer.text
