"""The pages' refusals: an error page, or the form again with its messages next to the fields.

`PageRoute` renders a page route's errors as HTML and raises the rendered page on, so the
request's session dependency still sees a failure and rolls back; the API's handlers are
untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from market.errors import DomainError, Unauthenticated
from web.errors.messages import (
    HTTP_MESSAGES,
    database_refusal,
    message_of,
    retry_after_of,
    status_of,
    validation_messages,
)
from web.i18n import locale_of, translate
from web.pages.rendering import render


class FormInvalid(Exception):
    """Raised by a page route to show its form again with messages next to the fields."""

    def __init__(
        self,
        template: str,
        context: dict[str, Any],
        errors: dict[str, str],
        *,
        status_code: int = 422,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(template)
        self.template, self.context, self.errors = template, context, errors
        self.status_code, self.headers = status_code, headers or {}


def form_errors(exc: ValidationError | DomainError, locale: str) -> dict[str, str]:
    """Field name -> message in the page's language (`_form` for the form as a whole)."""
    if isinstance(exc, DomainError):
        return {exc.field or "_form": message_of(exc, locale, page=True)}
    errors: dict[str, str] = {}
    for item in validation_messages(list(exc.errors()), locale):
        field = item["field"].split(".")[0] or "_form"
        errors.setdefault(field if field != "body" else "_form", item["message"])
    return errors


def _back_link(request: Request) -> str | None:
    """The page the user came from, when it is one of ours."""
    referer = request.headers.get("referer") or ""
    base = str(request.base_url)
    return "/" + referer[len(base) :] if referer.startswith(base) else None


def _error_page(request: Request, status: int, message: str) -> Response:
    context = {"message": message, "back": _back_link(request)}
    return render(request, "error.html", context, status_code=status)


def _domain(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if isinstance(exc, Unauthenticated) and request.method == "GET":
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/login?next={target}", status_code=303)
    message = message_of(exc, locale_of(request), page=True)
    response = _error_page(request, status_of(exc), message)
    retry_after = retry_after_of(exc)
    if retry_after is not None:
        response.headers["Retry-After"] = retry_after
    return response


def _form_invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FormInvalid)
    context = {**exc.context, "errors": exc.errors}
    response = render(request, exc.template, context, status_code=exc.status_code)
    response.headers.update(exc.headers)
    return response


def _invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    messages = validation_messages(list(exc.errors()), locale_of(request))
    text = "; ".join(m["message"] for m in messages[:3])
    return _error_page(request, 422, text)


def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    text = HTTP_MESSAGES.get(exc.status_code, str(exc.detail))
    return _error_page(request, exc.status_code, translate(locale_of(request), text))


def _database_down(request: Request, exc: Exception) -> Response:
    """A phone tapping "claim" while the database is away gets a page, not JSON."""
    refusal = database_refusal(request, exc)
    if refusal is None:
        raise exc  # a bug, not an outage: the app's 500 handler logs it
    message, retry = refusal
    response = _error_page(request, 503, translate(locale_of(request), message))
    response.headers["Retry-After"] = retry
    return response


PAGE_HANDLERS: dict[type[Exception], Callable[[Request, Exception], Response]] = {
    DomainError: _domain,
    FormInvalid: _form_invalid,
    RequestValidationError: _invalid,
    StarletteHTTPException: _http,
    DBAPIError: _database_down,
    PoolTimeout: _database_down,
}


class PageResponse(Exception):
    """An error already rendered as a page, on its way out through the dependencies.

    Raising (rather than returning) it lets the session dependency see the failure and
    roll back; `install` registers the handler that finally sends `response`.
    """

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def _rendered(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageResponse)
    return exc.response


class PageRoute(APIRoute):
    """An APIRoute whose errors are rendered as pages."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # pages are HTML for browsers, not part of the API contract; the router always
        # passes include_in_schema, so a default would never apply
        kwargs["include_in_schema"] = False
        super().__init__(*args, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except tuple(PAGE_HANDLERS) as exc:
                render_error = next(h for cls, h in PAGE_HANDLERS.items() if isinstance(exc, cls))
                raise PageResponse(render_error(request, exc)) from exc

        return page_handler


def install(app: FastAPI) -> None:
    """Let page errors out as the pages rendered them."""
    app.add_exception_handler(PageResponse, _rendered)
