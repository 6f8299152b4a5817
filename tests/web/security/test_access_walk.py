"""Every route, called as each kind of caller, over ids that belong to somebody.

Callers: `anon`; `worker` and `employer`, strangers to every id in the path; `my_worker`
and `my_employer`, who own them (the worker applied to the employer's job, made the
report, got the proposal); `staff`. Each route declares who gets in; everyone else must get
401, 403, 404 (or, on a page, the way to the login form), and nobody ever a 5xx. A route
without a declared expectation fails the test: declare it when you add it.

"Gets in" means the route ran past its access checks: 2xx, or a 409/422 about the state or
the (deliberately empty) body.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.web.security.world import World, fill, http_routes, log_in_with_cookie, make_world

CALLERS = (
    "anon",
    "worker",
    "employer",
    "my_worker",
    "my_employer",
    "staff",
    "station",  # staff of the station that registered the assisted worker
    "other_station",  # staff of another station
)
EVERYONE = frozenset(CALLERS)
USERS = EVERYONE - {"anon"}
WORKERS = frozenset({"worker", "my_worker"})
EMPLOYERS = frozenset({"employer", "my_employer"})
STAFF = frozenset({"staff"})
MY_WORKER = frozenset({"my_worker"})
MY_EMPLOYER = frozenset({"my_employer"})
PARTIES = MY_WORKER | MY_EMPLOYER  # the two sides of the application
STATIONS = frozenset({"station", "other_station"})
MY_STATION = frozenset({"station"})  # the station that registered the worker in the path
RECORD_READERS = PARTIES | STAFF  # a work record, its evidence sheet: the two sides and staff

EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    # public: documentation, probes, the app shell, login and sign-up
    ("GET", "/openapi.json"): EVERYONE,
    ("GET", "/docs"): EVERYONE,
    ("GET", "/docs/oauth2-redirect"): EVERYONE,
    ("GET", "/redoc"): EVERYONE,
    ("GET", "/healthz"): EVERYONE,
    ("GET", "/readyz"): EVERYONE,
    ("GET", "/metrics"): frozenset(),  # loopback or the token only: see test_observability
    ("GET", "/manifest.webmanifest"): EVERYONE,
    ("GET", "/sw.js"): EVERYONE,
    ("GET", "/offline"): EVERYONE,
    ("GET", "/"): EVERYONE,
    ("GET", "/login"): EVERYONE,
    ("POST", "/login"): EVERYONE,
    ("GET", "/signup"): EVERYONE,
    ("POST", "/signup"): EVERYONE,
    ("POST", "/signup/code"): EVERYONE,
    ("GET", "/password/reset"): EVERYONE,
    ("POST", "/password/reset/code"): EVERYONE,
    ("POST", "/password/reset"): EVERYONE,
    ("POST", "/api/v1/auth/codes"): EVERYONE,
    ("POST", "/api/v1/auth/password/reset"): EVERYONE,
    ("GET", "/lang/{code}"): EVERYONE,
    ("POST", "/api/v1/auth/register"): EVERYONE,
    ("POST", "/api/v1/auth/login"): EVERYONE,
    ("GET", "/api/v1/trades"): EVERYONE,
    ("GET", "/api/v1/certificates"): EVERYONE,
    ("GET", "/api/v1/push/key"): EVERYONE,  # the server's public key
    # any logged-in user
    ("POST", "/logout"): USERS,
    ("POST", "/api/v1/auth/logout"): USERS,
    ("GET", "/api/v1/auth/me"): USERS,
    ("POST", "/api/v1/auth/password"): USERS,
    ("GET", "/api/v1/auth/sessions"): USERS,
    ("POST", "/api/v1/auth/sessions/logout-others"): USERS,
    ("GET", "/account"): USERS,
    ("POST", "/settings/text-size"): USERS,  # the large-text cookie
    ("POST", "/account/password"): USERS,
    ("POST", "/account/sessions/logout-others"): USERS,
    ("POST", "/api/v1/auth/phone/code"): USERS,  # my own number, changed by a code
    ("POST", "/api/v1/auth/phone"): USERS,
    ("GET", "/account/phone"): USERS,
    ("POST", "/account/phone/code"): USERS,
    ("POST", "/account/phone"): USERS,
    ("GET", "/api/v1/jobs/{job_id}"): USERS,
    ("GET", "/api/v1/jobs/{job_id}/employer"): USERS,
    ("GET", "/api/v1/employers/{employer_id}/reliability"): USERS,
    ("GET", "/api/v1/stations/nearest"): USERS,
    ("GET", "/api/v1/me/export"): USERS,
    ("POST", "/api/v1/live/ticket"): USERS,
    ("DELETE", "/api/v1/me"): USERS - STAFF,  # staff accounts are closed by the union office
    # a worker's own record of strikes and standby lists; a strike or a place on a list is
    # only its worker's (joining a list: any worker, the job decides)
    ("GET", "/api/v1/worker/record"): WORKERS,
    # an employer's own credit code or private-person statement
    ("GET", "/api/v1/employer/profile"): EMPLOYERS,
    ("PUT", "/api/v1/employer/profile"): EMPLOYERS,
    ("POST", "/account/employer"): EMPLOYERS,
    # an employer's own licence photo (staff fetch anyone's under /api/v1/staff/)
    ("GET", "/api/v1/employer/licence"): EMPLOYERS,
    ("PUT", "/api/v1/employer/licence"): EMPLOYERS,
    ("POST", "/account/employer/licence"): EMPLOYERS,
    # a worker's own legal name and ID number: only the worker (never an employer)
    ("GET", "/api/v1/worker/identity"): WORKERS,
    ("PUT", "/api/v1/worker/identity"): WORKERS,
    ("DELETE", "/api/v1/worker/identity"): WORKERS,
    ("POST", "/profile/identity"): WORKERS,
    ("GET", "/my/record"): WORKERS,
    ("GET", "/api/v1/worker/standby"): WORKERS,
    ("POST", "/api/v1/jobs/{job_id}/standby"): WORKERS,
    ("POST", "/jobs/{job_id}/standby"): WORKERS,
    ("POST", "/api/v1/worker/standby/{standby_id}/accept"): MY_WORKER,
    ("POST", "/api/v1/worker/standby/{standby_id}/decline"): MY_WORKER,
    ("POST", "/api/v1/worker/standby/{standby_id}/leave"): MY_WORKER,
    ("POST", "/my/standby/{standby_id}/accept"): MY_WORKER,
    ("POST", "/my/standby/{standby_id}/decline"): MY_WORKER,
    ("POST", "/my/standby/{standby_id}/leave"): MY_WORKER,
    ("POST", "/api/v1/worker/strikes/{strike_id}/appeal"): MY_WORKER,
    ("POST", "/my/strikes/{strike_id}/appeal"): MY_WORKER,
    # my notifications: everyone has an inbox; a notification is only its user's
    ("GET", "/api/v1/notifications"): USERS,
    ("GET", "/api/v1/notifications/unread-count"): USERS,
    ("POST", "/api/v1/notifications/read-all"): USERS,
    ("POST", "/api/v1/notifications/{notification_id}/read"): MY_WORKER,
    ("GET", "/api/v1/notifications/settings"): USERS,
    ("PUT", "/api/v1/notifications/settings"): USERS,
    ("POST", "/api/v1/push/subscriptions"): USERS,
    ("DELETE", "/api/v1/push/subscriptions"): USERS,
    ("GET", "/inbox"): USERS,
    ("POST", "/inbox/read-all"): USERS,
    ("POST", "/inbox/settings"): USERS,
    ("POST", "/inbox/{notification_id}/open"): MY_WORKER,
    # workers
    ("GET", "/api/v1/worker/profile"): WORKERS,
    ("PATCH", "/api/v1/worker/profile"): WORKERS,
    ("PUT", "/api/v1/worker/available-now"): WORKERS,
    ("GET", "/api/v1/worker/feed"): WORKERS,
    ("GET", "/api/v1/worker/applications"): WORKERS,
    ("POST", "/api/v1/jobs/{job_id}/claim"): WORKERS,
    ("POST", "/api/v1/reports"): WORKERS,
    ("GET", "/api/v1/worker/reports"): WORKERS,
    ("GET", "/api/v1/worker/proposals"): WORKERS,
    ("GET", "/api/v1/worker/membership"): WORKERS,
    ("POST", "/api/v1/worker/membership"): WORKERS,
    ("POST", "/api/v1/worker/proposals/{proposal_id}/accept"): MY_WORKER,
    ("POST", "/api/v1/worker/proposals/{proposal_id}/decline"): MY_WORKER,
    ("GET", "/feed"): WORKERS,
    ("GET", "/feed/cards"): WORKERS,
    ("GET", "/jobs/{job_id}"): WORKERS,
    ("GET", "/jobs/{job_id}/claim"): WORKERS,
    ("POST", "/jobs/{job_id}/claim"): WORKERS,
    ("POST", "/available-now"): WORKERS,
    ("GET", "/profile"): WORKERS,
    ("POST", "/profile"): WORKERS,
    ("POST", "/profile/union"): WORKERS,
    ("GET", "/my/jobs"): WORKERS,
    ("GET", "/my/jobs/list"): WORKERS,
    ("POST", "/my/applications/{application_id}/cancel"): MY_WORKER,
    ("POST", "/my/applications/{application_id}/rate"): MY_WORKER,
    ("POST", "/my/applications/{application_id}/accept-terms"): MY_WORKER,
    ("POST", "/my/applications/{application_id}/coming"): MY_WORKER,
    ("POST", "/api/v1/applications/{application_id}/accept-terms"): MY_WORKER,
    # employers
    ("POST", "/api/v1/jobs"): EMPLOYERS,
    ("GET", "/api/v1/employer/jobs"): EMPLOYERS,
    ("PATCH", "/api/v1/jobs/{job_id}"): MY_EMPLOYER,
    ("POST", "/api/v1/jobs/{job_id}/cancel"): MY_EMPLOYER,
    ("POST", "/api/v1/jobs/{job_id}/complete"): MY_EMPLOYER,
    ("GET", "/api/v1/jobs/{job_id}/applications"): MY_EMPLOYER,
    ("GET", "/api/v1/jobs/{job_id}/candidates"): MY_EMPLOYER,
    ("GET", "/api/v1/employer/jobs/{job_id}/moderation"): MY_EMPLOYER,
    ("POST", "/api/v1/applications/{application_id}/confirm"): MY_EMPLOYER,
    ("POST", "/api/v1/applications/{application_id}/decline"): MY_EMPLOYER,
    ("POST", "/api/v1/applications/{application_id}/no-show"): MY_EMPLOYER,
    ("GET", "/employer/jobs"): EMPLOYERS,
    ("GET", "/employer/jobs/new"): EMPLOYERS,
    ("POST", "/employer/jobs/new"): EMPLOYERS,
    ("GET", "/employer/jobs/{job_id}"): MY_EMPLOYER,
    ("GET", "/employer/jobs/{job_id}/applicants"): MY_EMPLOYER,
    ("POST", "/employer/applications/{application_id}/confirm"): MY_EMPLOYER,
    ("POST", "/employer/applications/{application_id}/decline"): MY_EMPLOYER,
    ("POST", "/employer/applications/{application_id}/no-show"): MY_EMPLOYER,
    ("POST", "/employer/applications/{application_id}/cancel"): MY_EMPLOYER,
    ("POST", "/employer/applications/{application_id}/rate"): MY_EMPLOYER,
    ("POST", "/employer/jobs/{job_id}/complete"): MY_EMPLOYER,
    ("POST", "/employer/jobs/{job_id}/cancel"): MY_EMPLOYER,
    # either side of one application
    ("GET", "/api/v1/applications/{application_id}"): PARTIES,
    ("POST", "/api/v1/applications/{application_id}/cancel"): PARTIES,
    ("POST", "/api/v1/applications/{application_id}/rating"): PARTIES,
    # a service station's pages: its staff; a worker it registered, only that station's staff
    ("GET", "/station"): STATIONS,
    ("GET", "/station/workers/new"): STATIONS,
    ("POST", "/station/workers"): STATIONS,
    ("GET", "/station/workers/{worker_id}"): MY_STATION,
    ("POST", "/station/workers/{worker_id}/profile"): MY_STATION,
    ("POST", "/station/workers/{worker_id}/password"): MY_STATION,
    ("GET", "/station/workers/{worker_id}/jobs"): MY_STATION,
    ("POST", "/station/workers/{worker_id}/jobs/{job_id}/claim"): MY_STATION,
    ("GET", "/station/workers/{worker_id}/jobs/{job_id}/slip"): MY_STATION,
    # the work record of a hire (attendance and pay): the two sides write, staff read too
    ("GET", "/api/v1/work/records/{record_id}"): RECORD_READERS,
    ("POST", "/api/v1/work/records/{record_id}/check-in"): PARTIES,
    ("POST", "/api/v1/work/records/{record_id}/check-out"): PARTIES,
    ("POST", "/api/v1/work/records/{record_id}/corrections"): PARTIES,
    ("POST", "/api/v1/work/attendance/{entry_id}/confirm"): PARTIES,
    ("POST", "/api/v1/work/attendance/{entry_id}/dispute"): PARTIES,
    ("POST", "/api/v1/work/records/{record_id}/payments"): MY_EMPLOYER,
    ("POST", "/api/v1/work/payments/{payment_id}/confirm"): MY_WORKER,
    ("POST", "/api/v1/work/payments/{payment_id}/dispute"): MY_WORKER,
    ("GET", "/api/v1/work/jobs/{job_id}/code"): MY_EMPLOYER,
    ("GET", "/api/v1/work/jobs/{job_id}"): MY_EMPLOYER,
    ("GET", "/api/v1/work/pay"): WORKERS,
    ("GET", "/api/v1/work/owed"): EMPLOYERS,
    ("GET", "/my/pay"): WORKERS,
    ("GET", "/my/work/{record_id}"): MY_WORKER,
    ("GET", "/my/work/{record_id}/part"): MY_WORKER,
    ("POST", "/my/work/{record_id}/check-in"): MY_WORKER,
    ("POST", "/my/work/{record_id}/check-out"): MY_WORKER,
    ("POST", "/my/work/{record_id}/correction"): MY_WORKER,
    ("POST", "/my/work/attendance/{entry_id}/answer"): MY_WORKER,
    ("POST", "/my/work/payments/{payment_id}/confirm"): MY_WORKER,
    ("POST", "/my/work/payments/{payment_id}/dispute"): MY_WORKER,
    ("GET", "/my/pay/employers/{employer_id}/evidence"): MY_WORKER,
    ("GET", "/work/scan"): WORKERS,  # where the job's QR code leads
    ("GET", "/employer/jobs/{job_id}/work"): MY_EMPLOYER,
    ("GET", "/employer/jobs/{job_id}/work/part"): MY_EMPLOYER,
    ("POST", "/employer/work/{record_id}/attendance"): MY_EMPLOYER,
    ("POST", "/employer/work/{record_id}/correction"): MY_EMPLOYER,
    ("POST", "/employer/work/{record_id}/payments"): MY_EMPLOYER,
    ("POST", "/employer/work/attendance/{entry_id}/answer"): MY_EMPLOYER,
    ("GET", "/employer/pay"): EMPLOYERS,
    ("GET", "/work/records/{record_id}/evidence"): RECORD_READERS,
    # both sides choose: invites, the rehire list (常用工友), blocks; each block and list
    # entry is its maker's, an invite its worker's
    ("POST", "/employer/invites"): EMPLOYERS,  # the job in the form decides
    ("GET", "/employer/rehire"): EMPLOYERS,
    ("POST", "/employer/rehire"): EMPLOYERS,
    ("POST", "/employer/rehire/{worker_id}/remove"): MY_EMPLOYER,
    ("GET", "/employer/blocks"): EMPLOYERS,
    ("POST", "/employer/blocks"): EMPLOYERS,
    ("POST", "/employer/blocks/{user_id}/remove"): MY_EMPLOYER,
    ("GET", "/my/invites"): WORKERS,
    ("POST", "/my/invites/{invite_id}/accept"): MY_WORKER,
    ("POST", "/my/invites/{invite_id}/decline"): MY_WORKER,
    ("POST", "/jobs/{job_id}/block"): WORKERS,
    ("GET", "/my/blocks"): WORKERS,
    ("POST", "/my/blocks/{user_id}/remove"): MY_WORKER,
    ("POST", "/api/v1/jobs/{job_id}/invites"): EMPLOYERS,  # 404 or 422 by the body: see tests
    ("GET", "/api/v1/worker/invites"): WORKERS,
    ("POST", "/api/v1/worker/invites/{invite_id}/accept"): MY_WORKER,
    ("POST", "/api/v1/worker/invites/{invite_id}/decline"): MY_WORKER,
    ("GET", "/api/v1/blocks"): USERS,
    ("POST", "/api/v1/blocks"): USERS,  # 422 for an empty body; staff are refused (409)
    ("DELETE", "/api/v1/blocks/{user_id}"): MY_EMPLOYER,
    ("GET", "/api/v1/employer/rehire"): EMPLOYERS,
    ("POST", "/api/v1/employer/rehire"): EMPLOYERS,
    ("DELETE", "/api/v1/employer/rehire/{worker_id}"): MY_EMPLOYER,
}
# the anonymous forms: their token is the browser's form cookie, whoever is logged in
ANON_FORMS = ("/login", "/signup", "/signup/code", "/password/reset", "/password/reset/code")
STAFF_PREFIXES = ("/api/v1/staff/", "/staff")  # the whole console: staff only


def expected(method: str, path: str) -> frozenset[str] | None:
    if (method, path) in EXPECTED:
        return EXPECTED[(method, path)]
    if path.startswith(STAFF_PREFIXES):
        return STAFF
    return None


def _got_in(status: int, location: str) -> bool:
    if status in (401, 403, 404):
        return False
    return not (status == 303 and location.startswith("/login"))


def _caller_users(world: World) -> dict[str, object]:
    return {
        "worker": world.other_worker,
        "employer": world.other_employer,
        "my_worker": world.worker,
        "my_employer": world.employer,
        "staff": world.staff,
        "station": world.station_staff,
        "other_station": world.other_station_staff,
    }


def _call(
    client: TestClient, method: str, path: str, page: bool, login: tuple[str, str] | None
) -> tuple[int, str]:
    client.cookies.clear()
    client.cookies.set("lg_form", "anon-form-token")  # the login and sign-up forms' token
    csrf = "anon-form-token"
    if login is not None:
        client.cookies.set("lg_session", login[0])
        csrf = csrf if path in ANON_FORMS else login[1]
    headers = {"X-CSRF-Token": csrf}
    if method == "GET":
        answer = client.get(path, headers=headers, follow_redirects=False)
    elif page:
        answer = client.request(method, path, data={"csrf_token": csrf}, follow_redirects=False)
    else:
        answer = client.request(method, path, json={}, headers=headers, follow_redirects=False)
    return answer.status_code, answer.headers.get("location", "")


def test_every_route_lets_in_only_the_declared_callers(
    client: TestClient, session: Session
) -> None:
    routes = http_routes(client.app)  # type: ignore[arg-type]
    undeclared = sorted({(m, p) for m, p, _ in routes if expected(m, p) is None})
    assert undeclared == [], f"declare who may call these routes in EXPECTED: {undeclared}"
    stale = sorted(set(EXPECTED) - {(m, p) for m, p, _ in routes})
    assert stale == [], f"EXPECTED names routes that no longer exist: {stale}"
    wrong = []
    for method, template, page in routes:
        world = make_world(session)  # fresh rows per route: one route's writes never leak
        logins = {
            role: log_in_with_cookie(session, user)  # type: ignore[arg-type]
            for role, user in _caller_users(world).items()
        }
        session.commit()
        path = fill(template, world.path_ids(template))
        allowed = expected(method, template) or frozenset()
        for caller in CALLERS:
            status, location = _call(client, method, path, page, logins.get(caller))
            if status >= 500:
                wrong.append((method, template, caller, status, "server error"))
            elif _got_in(status, location) != (caller in allowed):
                wrong.append((method, template, caller, status, location))
    client.cookies.clear()
    assert wrong == [], "\n".join(map(str, wrong))
