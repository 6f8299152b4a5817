"""The landing page, sign-up (phone, then the texted code), login, logout, the language switch."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from market.accounts import codes as code_service
from market.accounts import service as account_service
from market.accounts.schemas import CodeRequest, Credentials, Signup, normalise_phone
from market.accounts.throttle import TooManyAttempts
from market.errors import N_, DomainError, TooManyRequests
from market.models import Role, User
from web.deps import CurrentLogin, SessionDep, writes_on_read
from web.errors.messages import status_of
from web.errors.pages import FormInvalid, PageRoute, form_errors
from web.i18n import locale_of, translate
from web.pages.deps import (
    OptionalUser,
    PageForm,
    anon_csrf_token,
    check_anon_csrf,
    remember_anon_csrf,
)
from web.pages.rendering import render
from web.security.cookies import clear_cookie
from web.security.login import code_tries, start_session, throttled_authenticate
from web.security.rate_limits import CodeLimit, SignupLimit

router = APIRouter(route_class=PageRoute)
NextParam = Annotated[str | None, Query(max_length=500)]
PhoneParam = Annotated[str | None, Query(max_length=20)]
LOGIN_FLASH = {"reset": N_("Your password is changed and every session ended; log in again.")}


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to; anything else (other hosts, schemes) becomes `default`."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def home_of(user: User) -> str:
    """Where a user lands after login: a worker's feed, an employer's jobs."""
    if user.role == Role.worker:
        return "/feed"
    if user.role == Role.employer:
        return "/employer/jobs"
    if user.role == Role.station:
        return "/station"  # a service station's staff: the workers they help
    return "/staff"  # union staff: their desktop console


def _logged_in(request: Request, user: User, session: SessionDep, target: str) -> Response:
    response = RedirectResponse(target, status_code=303)
    start_session(request=request, response=response, session=session, user=user)
    return response


def _anon_page(request: Request, name: str, context: dict[str, object]) -> Response:
    anon_csrf_token(request)
    response = render(request, name, context)
    remember_anon_csrf(request, response)
    return response


@router.get("/")
def landing(request: Request, user: OptionalUser) -> Response:
    """Logged-in users go to their home page; everyone else sees the welcome."""
    if user is not None:
        return RedirectResponse(home_of(user), status_code=303)
    return render(request, "auth/landing.html", private=False)


@router.get("/login")
def login_form(
    request: Request,
    next: NextParam = None,
    ok: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """The login form."""
    context = {"next": safe_next(next, ""), "values": {}, "flash": LOGIN_FLASH.get(ok or "")}
    return _anon_page(request, "auth/login.html", context)


@router.post("/login")
def login(request: Request, form: PageForm, session: SessionDep) -> Response:
    """Log in with phone and password, then go where the user was heading."""
    check_anon_csrf(request, form)
    values = {"phone": str(form.get("phone", "")), "password": str(form.get("password", ""))}
    target = safe_next(str(form.get("next") or ""), "")
    anon_csrf_token(request)
    try:
        data = Credentials.model_validate(values)
        user = throttled_authenticate(request=request, session=session, data=data)
    except TooManyAttempts as exc:
        context = {"values": {"phone": values["phone"]}, "next": target}
        errors = {"_form": translate(locale_of(request), exc.message, **exc.params)}
        headers = {"Retry-After": str(exc.retry_after)}
        raise FormInvalid(
            "auth/login.html", context, errors, status_code=429, headers=headers
        ) from exc
    except (ValidationError, DomainError) as exc:
        errors = form_errors(exc, locale_of(request))
        if "phone" not in errors and "password" not in errors:
            errors = {"password": next(iter(errors.values()))}
        context = {"values": {"phone": values["phone"]}, "next": target}
        raise FormInvalid("auth/login.html", context, errors) from exc
    return _logged_in(request, user, session, target or home_of(user))


def known_phone(raw: str | None) -> str | None:
    """The phone of a link back to a form's second step, if it is a valid one."""
    try:
        return normalise_phone(raw) if raw else None
    except ValueError:
        return None


def code_refused(
    exc: ValidationError | DomainError, locale: str
) -> tuple[dict[str, str], int, dict[str, str]]:
    """A refused code request as a form's errors, status and headers (429 says when to retry)."""
    errors = form_errors(exc, locale)
    if isinstance(exc, TooManyRequests):
        return {"phone": next(iter(errors.values()))}, 429, {"Retry-After": str(exc.retry_after)}
    return errors, 422, {}


def send_code(
    request: Request,
    session: SessionDep,
    values: dict[str, str],
    purpose: code_service.Purpose,
    template: str,
) -> str:
    """Text a code for `purpose` to the form's phone and give the phone, normalised; a refused
    phone (malformed, too many codes) shows the form's step 1 again with the reason."""
    try:
        data = CodeRequest.model_validate({"phone": values["phone"], "purpose": purpose.value})
        code_service.code_request(
            session=session, phone=data.phone, purpose=purpose, tries=code_tries(request)
        )
    except (ValidationError, DomainError) as exc:
        raise code_not_sent(request, template, values, exc) from exc
    return data.phone


def code_not_sent(
    request: Request, template: str, values: dict[str, str], exc: ValidationError | DomainError
) -> FormInvalid:
    """Step 1 of a form that texts a code, again, saying why none was sent (429: when to retry)."""
    errors, status, headers = code_refused(exc, locale_of(request))
    context = {"values": values, "step": 1}
    return FormInvalid(template, context, errors, status_code=status, headers=headers)


def refusal_status(exc: ValidationError | DomainError) -> int:
    """A form's refusal status: the domain's (409 registered, 429 code spent), else 422."""
    return status_of(exc) if isinstance(exc, DomainError) else 422


@router.get("/signup")
def signup_form(
    request: Request,
    role: Annotated[str, Query(pattern="^(worker|employer)$")] = "worker",
    phone: PhoneParam = None,
) -> Response:
    """Sign-up, step 1: who one is and the phone, to which a code is texted; step 2 (once a
    code was sent): the code, one's name and a password."""
    number = known_phone(phone)
    values = {"role": role, "phone": number or ""}
    return _anon_page(request, "auth/signup.html", {"values": values, "step": 2 if number else 1})


def _role(form: PageForm) -> str:
    role = str(form.get("role", ""))
    return role if role in (Role.worker, Role.employer) else Role.worker.value


@router.post("/signup/code")
def signup_code(
    request: Request, form: PageForm, session: SessionDep, _limit: CodeLimit
) -> Response:
    """Text a sign-up code to the phone, then show the second step (the same for every phone)."""
    check_anon_csrf(request, form)
    values = {"phone": str(form.get("phone", "")), "role": _role(form)}
    anon_csrf_token(request)
    phone = send_code(request, session, values, code_service.Purpose.signup, "auth/signup.html")
    query = urlencode({"role": values["role"], "phone": phone})
    return RedirectResponse(f"/signup?{query}", status_code=303)


@router.post("/signup")
def signup(request: Request, form: PageForm, session: SessionDep, _limit: SignupLimit) -> Response:
    """Create the account with the texted code, log in, and go on to the profile (workers) or
    a first job."""
    check_anon_csrf(request, form)
    fields = ("phone", "code", "password", "name", "org_name")
    values = {k: str(form.get(k, "")) for k in fields} | {"role": _role(form)}
    anon_csrf_token(request)
    try:
        data = Signup.model_validate(values)
        user = account_service.user_signup(
            session=session, data=data, tries=code_tries(request), locale=locale_of(request)
        )
    except (ValidationError, DomainError) as exc:
        errors = form_errors(exc, locale_of(request))
        kept = {k: v for k, v in values.items() if k not in ("password", "code")}
        step = 2 if known_phone(values["phone"]) else 1
        context = {"values": kept, "step": step}
        raise FormInvalid(
            "auth/signup.html", context, errors, status_code=refusal_status(exc)
        ) from exc
    target = "/profile?welcome=1" if user.role == Role.worker else "/employer/jobs/new"
    return _logged_in(request, user, session, target)


@router.post("/logout")
def logout(request: Request, login: CurrentLogin, session: SessionDep) -> Response:
    """End this session and go back to the landing page."""
    account_service.session_revoke(session=session, token_hash=login[1].token_hash)
    response = RedirectResponse("/", status_code=303)
    clear_cookie(request, response)
    return response


@router.get("/lang/{code}")
@writes_on_read
def language(
    code: str, user: OptionalUser, session: SessionDep, next: NextParam = None
) -> RedirectResponse:
    """Switch the interface language (kept in a cookie, and a logged-in user's own, for their
    texts and pushes) and go back to the page."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in account_service.LOCALES:
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="lax", path="/")
        if user is not None:
            account_service.locale_set(session=session, user=user, locale=code)
    return response
