"""What every race of `python -m bench races` needs: its cast, its gate, its verdict.

The races are set up as the concurrency tests set them up
(tests/market/applications/test_concurrency.py, test_terms_concurrency.py,
tests/market/work/test_work_concurrency.py), but with accounts and jobs made by the demo's
market builder and the services, so every row has its event. Each race releases its
threads together, each thread with a session of its own, and then says what happened
(`Result.line`) and whether it is what the services promise.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, TypeVar

from sqlmodel import Session

from market.applications import service as application_service
from market.demo.builder import MarketBuilder, person_name
from market.demo.geography import BY_NAME
from market.errors import DomainError
from market.i18n import market_tz
from market.jobs import service as job_service
from market.models import Job, Role, User
from market.workers.schemas import TradeLevel

T = TypeVar("T")
HOURS = timedelta(hours=8)
DISTRICT = BY_NAME["芝罘区"]
_phones = itertools.count(13_500_000_001)  # unique in one process, and each run's database is new


@dataclass(frozen=True)
class Result:
    line: str  # what happened, in counts
    held: bool
    why: str = ""  # what differs from the promise, when something does


def verdict(line: str, observed: dict[str, Any], expected: dict[str, Any]) -> Result:
    """`line`, held when every observed figure is the expected one."""
    wrong = [
        f"{k}: {observed[k]!r}, expected {v!r}" for k, v in expected.items() if observed[k] != v
    ]
    return Result(line, not wrong, "; ".join(wrong))


def all_at_once(n: int, action: Callable[[int], T]) -> list[T | Exception]:
    """Run `action(i)` in n threads released together; results or the errors raised."""
    gate = threading.Barrier(n)

    def run(i: int) -> T | Exception:
        gate.wait()
        try:
            return action(i)
        except Exception as exc:  # collected: every outcome is counted
            return exc

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def said(outcome: object) -> str:
    """An outcome as counted: a refusal by its message, anything else as it reads."""
    if isinstance(outcome, DomainError):
        return outcome.message
    if isinstance(outcome, Exception):
        return f"{type(outcome).__name__}: {outcome}"
    return str(outcome)


def tally(outcomes: list[Any]) -> Counter[str]:
    return Counter(said(o) for o in outcomes)


def day_at(days: int, hour: int) -> datetime:
    """`hour` o'clock in the market's time zone, `days` days from today."""
    day = datetime.now(market_tz()).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=market_tz())


class Cast:
    """The people and jobs of one race, made by the demo's builder through the services."""

    def __init__(self, session: Session, *, seed: int) -> None:
        self.session = session
        self.builder = MarketBuilder(session, seed=seed, password="races are not logged into")

    def employer(self) -> User:
        name = person_name(self.builder.rng)
        return self.builder.account(f"{next(_phones)}", name, Role.employer, f"{name}装饰公司")

    def workers(self, n: int) -> list[User]:
        people = []
        for _ in range(n):
            name = person_name(self.builder.rng)
            worker = self.builder.account(f"{next(_phones)}", name, Role.worker)
            self.builder.worker_profile(worker, DISTRICT, [TradeLevel(code="painter", level=2)])
            people.append(worker)
        return people

    def job(
        self,
        employer: User,
        *,
        start: datetime,
        headcount: int,
        wage: int = 400,
        instant: bool = False,
        posted: datetime | None = None,
    ) -> Job:
        """A painting job: the builder's title, address and place, the race's shift and pay."""
        data = self.builder.job_data(trade="painter", district=DISTRICT, day=1, hour=8, hours=8)
        data = data.model_copy(
            update={
                "start_at": start,
                "end_at": start + HOURS,
                "headcount": headcount,
                "wage": wage,
                "instant": instant,
            }
        )
        return job_service.job_post(session=self.session, employer=employer, data=data, now=posted)

    def apply(self, job: Job, worker: User, now: datetime | None = None) -> int:
        """The worker applies (on an instant job: is hired); the application's id."""
        claim = application_service.application_claim(
            session=self.session, job_id=job.id or 0, worker=worker, now=now
        )
        return claim.application.id or 0
