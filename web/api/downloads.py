"""Routes that answer with a file: how they are declared, and the CSV they send."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import Response

from web.i18n import translate


def download(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` of a route that answers with a file (CSV, HTML, a photo) instead of JSON.

    Such a route has `response_class=Response`; its refusals are still the API's JSON ones.
    """
    return {200: {"content": {media_type: {}}, "description": description}}


# a cell starting with one of these is a formula to Excel and LibreOffice
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell as written: None empty, text that Excel would run as a formula quoted with `'`.

    Only text is neutralised; numbers (a negative one included) stay numbers.
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(
    filename: str, locale: str, columns: Sequence[tuple[str, str]], rows: Iterable[dict[str, Any]]
) -> Response:
    """A CSV download with translated headers, UTF-8 with a BOM so Excel reads Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([translate(locale, label) for _, label in columns])
    for row in rows:
        writer.writerow([csv_cell(row.get(key)) for key, _ in columns])
    return Response(
        content="\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
