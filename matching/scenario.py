"""Read a `linggong-scenario/1` market (see shared/MATCHING_SCENARIO.md) into model objects.

Every error names the record and the field, and nothing is returned on error, so nothing
gets ranked from a half-read market.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from matching.model import Job, TradeSkill, Window, Worker
from matching.trades import is_certificate, resolve_trade

FORMAT = "linggong-scenario/1"


class ScenarioError(ValueError):
    """A scenario that cannot be read; the message names the record and the field."""


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    workers: tuple[Worker, ...]
    jobs: tuple[Job, ...]


class _Record:
    """One JSON object being read, so every error can say where it is."""

    def __init__(self, kind: str, position: int, data: Any) -> None:
        self.label = f"{kind}[{position}]"
        if not isinstance(data, Mapping):
            raise ScenarioError(f"{self.label}: must be an object")
        self.data = data
        if isinstance(data.get("id"), str):
            self.label += f" (id {data['id']!r})"

    def fail(self, name: str, problem: str) -> ScenarioError:
        return ScenarioError(f"{self.label}: field {name!r}: {problem}")

    def raw(self, name: str, *, required: bool = True) -> Any:
        if name not in self.data or self.data[name] is None:
            if required:
                raise self.fail(name, "is missing")
            return None
        return self.data[name]

    def number(self, name: str, low: float, high: float, *, required: bool = True) -> float | None:
        value = self.raw(name, required=required)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise self.fail(name, f"must be a number, got {value!r}")
        if not low <= value <= high:
            raise self.fail(name, f"{value!r} is out of range {low:g}..{high:g}")
        return float(value)

    def whole(self, name: str, low: int, high: int) -> int:
        """An optional whole number (0 when missing)."""
        value = self.raw(name, required=False)
        if value is None:
            return 0
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value != int(value)
        ):
            raise self.fail(name, f"must be a whole number, got {value!r}")
        if not low <= value <= high:
            raise self.fail(name, f"{value!r} is out of range {low}..{high}")
        return int(value)

    def text(self, name: str) -> str:
        value = self.raw(name)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(name, f"must be a non-empty string, got {value!r}")
        return value

    def strings(self, name: str, *, required: bool = True) -> list[str]:
        value = self.raw(name, required=required)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(name, "must be a list of strings")
        return value

    def certificates(self) -> frozenset[str]:
        codes = self.strings("certificates")
        for code in codes:
            if not is_certificate(code):
                raise self.fail("certificates", f"unknown certificate code {code!r}")
        return frozenset(codes)

    def instant(self, name: str, value: Any) -> datetime:
        try:
            moment = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise self.fail(name, f"bad time {value!r}: use ISO-8601 with an offset") from None
        if moment.tzinfo is None:
            raise self.fail(name, f"bad time {value!r}: the UTC offset is missing")
        return moment

    def window(self, name: str, pair: Any) -> Window:
        if not isinstance(pair, list) or len(pair) != 2:
            raise self.fail(name, f"each window must be [start, end], got {pair!r}")
        start, end = self.instant(name, pair[0]), self.instant(name, pair[1])
        if end <= start:
            raise self.fail(name, f"window {pair!r} ends before it starts")
        return (start, end)

    def windows(self, name: str, *, required: bool = True) -> tuple[Window, ...]:
        value = self.raw(name, required=required)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail(name, "must be a list of [start, end] windows")
        return tuple(self.window(name, pair) for pair in value)

    def trade_code(self, name: str, value: Any) -> str:
        code = resolve_trade(value) if isinstance(value, str) else None
        if code is None:
            raise self.fail(name, f"unknown trade code {value!r}")
        return code


def _skills(record: _Record) -> tuple[TradeSkill, ...]:
    value = record.raw("trades")
    if not isinstance(value, list) or not value:
        raise record.fail("trades", "must be a non-empty list of {code, level}")
    skills = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise record.fail(f"trades[{i}]", "must be an object with a code")
        code = record.trade_code(f"trades[{i}].code", item.get("code"))
        level = item.get("level", 1)
        if isinstance(level, bool) or level not in (1, 2, 3):
            raise record.fail(f"trades[{i}].level", f"must be 1, 2 or 3, got {level!r}")
        skills.append(TradeSkill(code, int(level)))
    return tuple(skills)


def _worker(position: int, data: Any) -> Worker:
    r = _Record("workers", position, data)
    return Worker(
        id=r.text("id"),
        lat=r.number("lat", -90, 90) or 0.0,
        lon=r.number("lon", -180, 180) or 0.0,
        radius_km=r.number("radius_km", 0, 20_000) or 0.0,
        trades=_skills(r),
        certificates=r.certificates(),
        available=r.windows("available"),
        min_wage=r.number("min_wage", 0, 1e6, required=False) or 0.0,
        reliability=r.number("reliability", 0, 1, required=False),
        rating=r.number("rating", 1, 5, required=False),
        busy=r.windows("busy", required=False),
        idle_days=r.whole("idle_days", 0, 100_000),
    )


def _job(position: int, data: Any) -> Job:
    r = _Record("jobs", position, data)
    start, end = r.instant("start", r.raw("start")), r.instant("end", r.raw("end"))
    if end <= start:
        raise r.fail("end", f"{r.raw('end')!r} is not after start {r.raw('start')!r}")
    headcount = r.raw("headcount")
    if isinstance(headcount, bool) or not isinstance(headcount, int):
        raise r.fail("headcount", f"must be a whole number, got {headcount!r}")
    if headcount < 0:
        raise r.fail("headcount", f"must not be negative, got {headcount}")
    return Job(
        id=r.text("id"),
        lat=r.number("lat", -90, 90) or 0.0,
        lon=r.number("lon", -180, 180) or 0.0,
        trade=r.trade_code("trade", r.raw("trade")),
        start=start,
        end=end,
        headcount=headcount,
        wage=r.number("wage", 0, 1e6) or 0.0,
        certificates=r.certificates(),
        booked=tuple(r.strings("booked", required=False)),
        employer_rating=r.number("employer_rating", 1, 5, required=False),
    )


def _unique(kind: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for position, record_id in enumerate(ids):
        if record_id in seen:
            raise ScenarioError(f"{kind}[{position}] (id {record_id!r}): field 'id': duplicate id")
        seen.add(record_id)


def parse_scenario(data: Any) -> Scenario:
    """A Scenario from already-decoded JSON."""
    if not isinstance(data, Mapping):
        raise ScenarioError("scenario: must be a JSON object")
    if data.get("format", FORMAT) != FORMAT:
        raise ScenarioError(
            f"scenario: field 'format': expected {FORMAT!r}, got {data['format']!r}"
        )
    for kind in ("workers", "jobs"):
        if not isinstance(data.get(kind), list):
            raise ScenarioError(f"scenario: field {kind!r}: must be a list")
    workers = tuple(_worker(i, item) for i, item in enumerate(data["workers"]))
    jobs = tuple(_job(i, item) for i, item in enumerate(data["jobs"]))
    _unique("workers", [w.id for w in workers])
    _unique("jobs", [j.id for j in jobs])
    return Scenario(name=str(data.get("name", "")), workers=workers, jobs=jobs)


def load_scenario(source: str | Path | Mapping[str, Any]) -> Scenario:
    """A Scenario from a file path or a decoded dict; raises ScenarioError on bad input."""
    if isinstance(source, Mapping):
        return parse_scenario(source)
    try:
        text = Path(source).read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError(f"scenario {str(source)!r}: cannot read: {error.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScenarioError(f"scenario {str(source)!r}: not JSON: {error}") from None
    return parse_scenario(data)
