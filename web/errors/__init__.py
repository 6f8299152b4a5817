"""The one place where domain errors and bad input become answers, in the user's language.

`messages` decides what a refusal says and its status; `api` answers the JSON API with an
`ErrorBody`, `pages` answers a browser with an error page or the form again. Nothing else in
`web` builds an error response.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI

from web.errors import api, pages


def install(
    app: FastAPI, *, max_body_bytes: int | None = None, larger: Mapping[str, int] | None = None
) -> None:
    """Register the API's handlers, the body limit, and the pages' way out."""
    api.install(app, max_body_bytes=max_body_bytes, larger=larger)
    pages.install(app)
