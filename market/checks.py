"""What every invariant check shares: how many violations it lists, and how it lists them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

SHOWN = 20  # violations listed per check; the rest are summed up in one line


def listed(rows: Iterable[Any], say: Callable[[Any], str], what: str) -> list[str]:
    """The first SHOWN rows as sentences, and one line saying how many more there are."""
    rows = list(rows)
    lines = [say(row) for row in rows[:SHOWN]]
    if len(rows) > SHOWN:
        lines.append(f"{what}: more than {SHOWN} violations, only the first {SHOWN} are listed")
    return lines


def violations(session: Any, query: Any, say: Callable[[Any], str], what: str) -> list[str]:
    """Run a check's query for up to SHOWN + 1 violating rows and list them (see `listed`)."""
    return listed(session.execute(query.limit(SHOWN + 1)), say, what)
