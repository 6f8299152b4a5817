"""Translations from Babel message catalogs (zh-CN first, English as the msgid language)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matching import reasons
from matching import trades as catalogue
from matching.model import Reason

LOCALE_DIR = Path(__file__).parent / "locale"
LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"


@cache
def catalog(locale: str) -> dict[str, str]:
    """msgid -> translation for `locale`, from every catalog file of that locale.

    English needs none (msgids are English). Each part of the app may keep its own
    catalog file (`messages.po`, `pages.po`, ...) so their translations never collide.
    """
    table: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            po = read_po(handle, locale=locale)
        table.update(
            {str(msg.id): str(msg.string) for msg in po if msg.id and msg.string and not msg.fuzzy}
        )
    return table


def is_msgid(message: str) -> bool:
    """Whether `message` is one of ours (every msgid has its Chinese text; test_i18n)."""
    return message in catalog(DEFAULT_LOCALE)


def translate(locale: str, message: str, **params: Any) -> str:
    """`message` in `locale`, with `{name}` params filled in."""
    table = catalog(locale) if locale != "en" else {}
    text = table.get(message, message)
    # a parameter that is itself a msgid (a status label) is translated as well
    params = {k: table.get(v, v) if isinstance(v, str) else v for k, v in params.items()}
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError, ValueError):
        return message.format(**params) if params else message


def negotiate(accept_language: str | None, requested: str | None = None) -> str:
    """The locale for a request: an explicit choice, else Accept-Language, else zh-CN."""
    for candidate in ([requested] if requested else []) + _ranked(accept_language or ""):
        tag = candidate.strip().lower().replace("_", "-")
        if tag.startswith("zh"):
            return "zh_CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LOCALE


def _ranked(header: str) -> list[str]:
    weighted = []
    for index, part in enumerate(header.split(",")):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        if tag:
            weighted.append((-weight, index, tag))
    return [tag for _, _, tag in sorted(weighted)]


def locale_of(request: HTTPConnection) -> str:
    """The request's locale: as the middleware negotiated it, else from its headers."""
    return getattr(request.state, "locale", None) or negotiate(
        request.headers.get("accept-language"), request.query_params.get("lang")
    )


def matching_lang(locale: str) -> str:
    """The language code the matching module's reason texts take."""
    return "zh" if locale.startswith("zh") else "en"


def reason_text(reason: Reason, locale: str, *, to_worker: bool = True) -> str:
    """Why a pair fits, as a person reads it ("同工种 · 2.3 km · 在你的空闲时间内 · 日薪 300")."""
    return reasons.format_reason(reason, matching_lang(locale), to_worker=to_worker)


def reason_parts(reason: Reason, locale: str, *, to_worker: bool = True) -> tuple[str, ...]:
    """The same reason in parts, for a page that keeps each part on one line."""
    return reasons.reason_parts(reason, matching_lang(locale), to_worker=to_worker)


def trade_name(code: str, locale: str) -> str:
    """A trade's name in the locale's language (the code itself for an unknown trade)."""
    trade = catalogue.TRADE_BY_CODE.get(code)
    if trade is None:
        return code
    return trade.zh if locale.startswith("zh") else trade.en


def certificate_name(code: str, locale: str) -> str:
    """A certificate's name in the locale's language (the code itself for an unknown one)."""
    cert = catalogue.CERTIFICATE_BY_CODE.get(code)
    if cert is None:
        return code
    return cert.zh if locale.startswith("zh") else cert.en


def untranslated(pot_path: Path, locale: str = "zh_CN") -> list[str]:
    """msgids of a template catalog that no catalog file of `locale` translates."""
    with pot_path.open("rb") as handle:
        ids = {str(m.id) for m in read_po(handle) if m.id}
    return sorted(ids - catalog(locale).keys())


if __name__ == "__main__":
    import sys

    missing = untranslated(Path(sys.argv[1]))
    print("\n".join(missing) if missing else "every string has its zh-CN text")
    raise SystemExit(1 if missing else 0)


class LocaleMiddleware:
    """Choose each HTTP request's locale (`request.state.locale`: `?lang=`, the `lang`
    cookie, Accept-Language) and name it in the answer's Content-Language.

    Plain ASGI rather than `@app.middleware("http")`: that wrapper runs every request
    through an extra task and a memory stream, a cost the feed paid on each refresh.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        requested = connection.query_params.get("lang") or connection.cookies.get("lang")
        locale = negotiate(connection.headers.get("accept-language"), requested)
        scope.setdefault("state", {})["locale"] = locale
        language = locale.replace("_", "-")

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "content-language" not in headers:
                    headers["Content-Language"] = language
            await send(message)

        await self.app(scope, receive, send_with_language)
