"""What a refusal says and which status it carries, the same for the API and the pages."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request

from market.accounts.codes import CodeSpent
from market.accounts.throttle import TooManyAttempts
from market.errors import (
    N_,
    Conflict,
    DomainError,
    Invalid,
    NotAllowed,
    NotFound,
    TooManyRequests,
    Unauthenticated,
)
from market.models import Role
from web.i18n import is_msgid, translate

log = logging.getLogger("linggong.web")

STATUS = {
    NotFound: 404,
    Conflict: 409,
    NotAllowed: 403,
    Invalid: 422,
    Unauthenticated: 401,
    TooManyAttempts: 429,
    TooManyRequests: 429,
    CodeSpent: 429,
}


def retry_after_of(exc: DomainError) -> str | None:
    """The Retry-After seconds of a 429 (a throttled login or a rate limit), else None."""
    if isinstance(exc, TooManyAttempts | TooManyRequests):
        return str(exc.retry_after)
    return None


class RoleRequired(NotAllowed):
    """Only accounts of `role` may do this: raised by the one role check (`web.deps`)."""

    def __init__(self, role: Role) -> None:
        super().__init__(API_ROLE_MESSAGES[role])
        self.role = role


# A role refusal names what was refused: the API an action, a page the page.
API_ROLE_MESSAGES = {
    Role.worker: N_("Only workers can do this"),
    Role.employer: N_("Only employers can do this"),
    Role.staff: N_("Only union staff can do this"),
    Role.station: N_("Only service-station staff can do this"),
}
PAGE_ROLE_MESSAGES = {
    Role.worker: N_("This page is for workers"),
    Role.employer: N_("This page is for employers"),
    Role.staff: N_("This page is for union staff"),
    Role.station: N_("This page is for service-station staff"),
}


def status_of(exc: DomainError) -> int:
    return next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)


def message_of(exc: DomainError, locale: str, *, page: bool = False) -> str:
    """The refusal in the user's language, worded for a page when `page`."""
    if page and isinstance(exc, RoleRequired):
        return translate(locale, PAGE_ROLE_MESSAGES[exc.role])
    return translate(locale, exc.message, **exc.params)


# pydantic error types -> translatable messages (ctx values fill the params)
VALIDATION_MESSAGES = {
    "missing": N_("This field is required"),
    "extra_forbidden": N_("Unknown field"),
    "greater_than": N_("Must be greater than {gt}"),
    "greater_than_equal": N_("Must be at least {ge}"),
    "less_than": N_("Must be less than {lt}"),
    "less_than_equal": N_("Must be at most {le}"),
    "string_too_short": N_("Must be at least {min_length} characters"),
    "string_too_long": N_("Must be at most {max_length} characters"),
    "too_long": N_("At most {max_length} items"),
    "string_type": N_("Must be text"),
    "string_pattern_mismatch": N_("Wrong format"),
    "int_parsing": N_("Must be a whole number"),
    "int_type": N_("Must be a whole number"),
    "int_from_float": N_("Must be a whole number"),
    "float_parsing": N_("Must be a number"),
    "float_type": N_("Must be a number"),
    "finite_number": N_("Must be a number"),
    "bool_parsing": N_("Must be true or false"),
    "bool_type": N_("Must be true or false"),
    "datetime_parsing": N_("Give a date and time like 2026-12-01T08:00:00+08:00"),
    "datetime_from_date_parsing": N_("Give a date and time like 2026-12-01T08:00:00+08:00"),
    "datetime_type": N_("Give a date and time like 2026-12-01T08:00:00+08:00"),
    "timezone_aware": N_("Give the time with its time zone, e.g. +08:00"),
    "list_type": N_("Must be a list"),
    "dict_type": N_("Must be an object"),
    "model_attributes_type": N_("Must be an object"),
    "model_type": N_("Must be an object"),
    "json_invalid": N_("The request body is not valid JSON"),
    "json_type": N_("The request body is not valid JSON"),
}
GENERIC_INVALID = N_("Invalid value")


def _field_of(loc: tuple[Any, ...], kind: str = "") -> str:
    if kind.startswith("json_"):  # the loc holds a character offset, not a field
        return "body"
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


def validation_messages(errors: list[dict[str, Any]], locale: str) -> list[dict[str, str]]:
    """Each pydantic error as {field, message} in the user's language."""
    result = []
    for error in errors:
        ctx = error.get("ctx") or {}
        # our validators raise msgids; a library's own text (FastAPI's "Expected UploadFile,
        # received: <class 'str'>") is no message for a person: it gets the generic one
        if error["type"] == "value_error" and is_msgid(str(ctx.get("error", ""))):
            message = translate(locale, str(ctx["error"]))
        else:
            template = VALIDATION_MESSAGES.get(error["type"], GENERIC_INVALID)
            message = translate(locale, template, **{k: v for k, v in ctx.items() if k != "error"})
        field = _field_of(tuple(error.get("loc", ())), error["type"])
        result.append({"field": field, "message": message})
    return result


# what the API's and the pages' refusals of a bare HTTP error say
HTTP_MESSAGES = {
    400: N_("The request body could not be read; check how it is encoded"),
    404: N_("Not found"),
    405: N_("This method is not allowed here"),
    413: N_("The request is too large"),
    415: N_("Send the request body as JSON (Content-Type: application/json)"),
}
UNEXPECTED_MESSAGE = N_("Something went wrong on our side; nothing was changed. Please try again.")
BUSY_MESSAGE = N_("The service is busy or briefly unavailable; nothing was changed. Try again.")
STORAGE_MESSAGE = N_(
    "The service is temporarily unavailable and nothing was changed. "
    "Please try again in a few minutes."
)
# what a database says when its disk is full or read-only: SQLite's result codes (the
# extended ones start with these), PostgreSQL's SQLSTATEs
SQLITE_STORAGE = {
    "SQLITE_FULL": "disk full",
    "SQLITE_READONLY": "read-only",
    "SQLITE_CANTOPEN": "cannot open the database file",  # e.g. a WAL database, read-only
    "SQLITE_IOERR": "disk I/O error",
}
POSTGRES_STORAGE = {"53100": "disk full", "25006": "read-only"}


def storage_fault(exc: DBAPIError) -> str | None:
    """What is wrong with the database's storage (disk full, read-only), or None."""
    name = getattr(exc.orig, "sqlite_errorname", None)
    if isinstance(name, str):
        return next((v for k, v in SQLITE_STORAGE.items() if name.startswith(k)), None)
    return POSTGRES_STORAGE.get(getattr(exc.orig, "sqlstate", None) or "")


def database_refusal(request: Request, exc: Exception) -> tuple[str, str] | None:
    """(message, Retry-After seconds) of a 503 for a database that cannot serve, or None.

    Logged here once, for the operator; None means a bug, not an outage (a 500).
    """
    where = (request.method, request.url.path)
    if isinstance(exc, PoolTimeout):  # every connection stayed busy for the pool's whole wait
        log.warning("database pool exhausted on %s %s: %s", *where, exc)
        return BUSY_MESSAGE, "5"
    if not isinstance(exc, DBAPIError):
        return None
    fault = storage_fault(exc)
    if fault is not None:  # needs an operator: free disk space, remount read-write
        log.error("database storage fault (%s) on %s %s: %s", fault, *where, exc)
        return STORAGE_MESSAGE, "60"
    if isinstance(exc, OperationalError):  # a lost connection, a lock timeout
        log.warning("database unavailable on %s %s: %s", *where, exc)
        return BUSY_MESSAGE, "5"
    return None
