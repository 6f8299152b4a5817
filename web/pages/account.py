"""Password reset by texted code (anyone), and my account: change the password or the phone
number (by a code texted to the new one), my sessions, an employer's licence photo."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from market.accounts import codes as code_service
from market.accounts import employers as employer_service
from market.accounts import passwords as password_service
from market.accounts import phone as phone_service
from market.accounts.schemas import (
    PasswordChange,
    PasswordReset,
    PhoneChange,
    PhoneCodeRequest,
)
from market.errors import N_, DomainError, Invalid
from market.models import Role
from web.deps import CurrentEmployer, CurrentLogin, SessionDep
from web.errors.pages import FormInvalid, PageRoute, form_errors
from web.i18n import locale_of
from web.pages.auth import (
    PhoneParam,
    code_not_sent,
    known_phone,
    refusal_status,
    safe_next,
    send_code,
)
from web.pages.deps import PageForm, anon_csrf_token, check_anon_csrf, remember_anon_csrf
from web.pages.rendering import TEXT_SIZE_COOKIE, render
from web.security.login import code_tries
from web.security.rate_limits import CodeLimit, PasswordChangeLimit, ResetLimit

router = APIRouter(route_class=PageRoute)
FLASH = {
    "changed": N_("Password changed. Your other sessions are logged out."),
    "ended": N_("Logged out everywhere else."),
    "employer": N_("Saved. Union staff will check it against your licence."),
    "phone": N_("Your phone number is changed. Your other sessions are logged out."),
    "licence": N_("Photo saved. Union staff will check your details against it."),
}


def _code_sent(path: str, phone: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode({'phone': phone})}", status_code=303)


def _code_refused(
    request: Request, template: str, phone: str, exc: ValidationError | DomainError
) -> FormInvalid:
    """Step 2 again (step 1 for a malformed number), saying why the code was refused."""
    errors = form_errors(exc, locale_of(request))
    context = {"values": {"phone": phone}, "step": 2 if known_phone(phone) else 1}
    return FormInvalid(template, context, errors, status_code=refusal_status(exc))


@router.get("/password/reset")
def reset_form(request: Request, phone: PhoneParam = None) -> Response:
    """Reset, step 1: the phone, to which a code is texted; step 2: the code and a new password."""
    number = known_phone(phone)
    anon_csrf_token(request)
    context = {"values": {"phone": number or ""}, "step": 2 if number else 1}
    response = render(request, "auth/reset.html", context)
    remember_anon_csrf(request, response)
    return response


@router.post("/password/reset/code")
def reset_code(
    request: Request, form: PageForm, session: SessionDep, _limit: CodeLimit
) -> Response:
    """Text a reset code, if the phone has an account; the next step looks the same either way."""
    check_anon_csrf(request, form)
    values = {"phone": str(form.get("phone", ""))}
    anon_csrf_token(request)
    phone = send_code(request, session, values, code_service.Purpose.reset, "auth/reset.html")
    return _code_sent("/password/reset", phone)


@router.post("/password/reset")
def reset(request: Request, form: PageForm, session: SessionDep, _limit: ResetLimit) -> Response:
    """Set the new password with the code; every session ends; log in again."""
    check_anon_csrf(request, form)
    values = {k: str(form.get(k, "")) for k in ("phone", "code", "password")}
    anon_csrf_token(request)
    try:
        data = PasswordReset.model_validate(values)
        password_service.password_reset(session=session, data=data, tries=code_tries(request))
    except (ValidationError, DomainError) as exc:
        raise _code_refused(request, "auth/reset.html", values["phone"], exc) from exc
    return RedirectResponse("/login?ok=reset", status_code=303)


def _account_context(
    session: SessionDep, login: CurrentLogin, **context: object
) -> dict[str, object]:
    user, current = login
    sessions = password_service.list_sessions(session=session, user=user, current=current)
    if user.role == Role.employer:
        context.setdefault(
            "employer",
            employer_service.get_employer_profile(session=session, employer_id=user.id or 0),
        )
        times = employer_service.licence_times(session=session, employer_ids=[user.id or 0])
        context["licence_at"] = times.get(user.id or 0)
    return {"sessions": sessions, **context}


def _account_page(
    request: Request, session: SessionDep, login: CurrentLogin, **context: object
) -> Response:
    return render(request, "auth/account.html", _account_context(session, login, **context))


@router.get("/account")
def account(
    request: Request,
    login: CurrentLogin,
    session: SessionDep,
    ok: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """My account: change the password; where I am logged in, and log out everywhere else."""
    return _account_page(request, session, login, flash=FLASH.get(ok or ""))


@router.post("/account/password")
def change_password(
    request: Request,
    form: PageForm,
    login: CurrentLogin,
    session: SessionDep,
    _limit: PasswordChangeLimit,
) -> Response:
    """Change the password (the current one required); every other session ends."""
    values = {k: str(form.get(k, "")) for k in ("old_password", "new_password")}
    try:
        data = PasswordChange.model_validate(values)
        password_service.password_change(
            session=session, user=login[0], current=login[1], data=data
        )
    except (ValidationError, DomainError) as exc:
        errors = form_errors(exc, locale_of(request))
        raise FormInvalid("auth/account.html", _account_context(session, login), errors) from exc
    return RedirectResponse("/account?ok=changed", status_code=303)


@router.post("/account/sessions/logout-others")
def logout_others(login: CurrentLogin, session: SessionDep) -> Response:
    """Log out everywhere else."""
    password_service.sessions_end_others(session=session, user=login[0], current=login[1])
    return RedirectResponse("/account?ok=ended", status_code=303)


@router.post("/settings/text-size")
def text_size(form: PageForm, _login: CurrentLogin) -> Response:
    """Normal or large text on every page (kept in a cookie, read when a page is rendered)."""
    size = form.get("size")
    if size not in ("normal", "large"):
        raise Invalid(N_("Choose normal or large text"))
    response = RedirectResponse(safe_next(str(form.get("next") or ""), "/account"), 303)
    if size == "large":
        response.set_cookie(
            TEXT_SIZE_COOKIE, "large", max_age=365 * 24 * 3600, samesite="lax", path="/"
        )
    else:
        response.delete_cookie(TEXT_SIZE_COOKIE, path="/")
    return response


@router.post("/account/employer")
def employer_identity(
    request: Request,
    form: PageForm,
    login: CurrentLogin,
    employer: CurrentEmployer,
    session: SessionDep,
) -> Response:
    """Give my 统一社会信用代码, or state that I hire as a private person."""
    code = form.get("credit_code")
    private = form.get("private_person") == "1"
    try:
        employer_service.employer_identity_set(
            session=session,
            employer=employer,
            credit_code=code if isinstance(code, str) else "",
            private_person=private,
        )
    except DomainError as exc:
        errors = form_errors(exc, locale_of(request))
        context = _account_context(session, login, typed_code=code)
        raise FormInvalid("auth/account.html", context, errors) from exc
    return RedirectResponse("/account?ok=employer#employer", status_code=303)


@router.post("/account/employer/licence")
def employer_licence(
    request: Request,
    form: PageForm,
    login: CurrentLogin,
    employer: CurrentEmployer,
    session: SessionDep,
) -> Response:
    """Send the photo of my business licence; a new one is verified again by staff."""
    photo, data = form.get("photo"), b""
    if isinstance(photo, UploadFile):
        with photo.file:  # read by hand (not a FastAPI parameter): closed by hand too
            data = photo.file.read(employer_service.MAX_LICENCE_BYTES + 1)
    try:
        employer_service.licence_set(session=session, employer=employer, data=data)
    except DomainError as exc:
        errors = form_errors(exc, locale_of(request))
        raise FormInvalid("auth/account.html", _account_context(session, login), errors) from exc
    return RedirectResponse("/account?ok=licence#employer", status_code=303)


@router.get("/account/phone")
def phone_form(request: Request, _login: CurrentLogin, phone: PhoneParam = None) -> Response:
    """Change my number, step 1: the new number, to which a code is texted; step 2: the code
    and my current password."""
    number = known_phone(phone)
    context = {"values": {"phone": number or ""}, "step": 2 if number else 1}
    return render(request, "auth/phone.html", context)


@router.post("/account/phone/code")
def phone_code(
    request: Request, form: PageForm, login: CurrentLogin, session: SessionDep, _limit: CodeLimit
) -> Response:
    """Text a code to the new number; the next step looks the same whether or not it is taken."""
    values = {"phone": str(form.get("phone", ""))}
    try:
        data = PhoneCodeRequest.model_validate(values)
        phone_service.phone_code_request(
            session=session, user=login[0], phone=data.phone, tries=code_tries(request)
        )
    except (ValidationError, DomainError) as exc:
        raise code_not_sent(request, "auth/phone.html", values, exc) from exc
    return _code_sent("/account/phone", data.phone)


@router.post("/account/phone")
def phone_change(
    request: Request,
    form: PageForm,
    login: CurrentLogin,
    session: SessionDep,
    _codes: ResetLimit,
    _passwords: PasswordChangeLimit,
) -> Response:
    """Move my account to the new number; my other sessions end; the old number is told."""
    values = {k: str(form.get(k, "")) for k in ("phone", "code", "password")}
    try:
        data = PhoneChange.model_validate(values)
        phone_service.phone_change(
            session=session, user=login[0], current=login[1], data=data, tries=code_tries(request)
        )
    except (ValidationError, DomainError) as exc:
        raise _code_refused(request, "auth/phone.html", values["phone"], exc) from exc
    return RedirectResponse("/account?ok=phone", status_code=303)
