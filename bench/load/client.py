"""The load generator: an open-loop mix of what the market's users do, over HTTP.

Open loop: requests start on a random (Poisson) schedule fixed in advance, whether or not earlier
ones have answered, and each latency is counted from the moment its request was due. A
slow server therefore shows up as long latencies rather than as a politely lower rate
(no coordinated omission). Run as its own process (`python -m bench.load.client PLAN`)
so its CPU is not the servers'.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import resource
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.load.http import Client, TransportError
from bench.load.seed import job_data
from market.types import utcnow

# share of each kind in the mix: mostly workers scrolling their feed and opening jobs
MIX = {"feed": 0.55, "job": 0.22, "claim": 0.10, "post": 0.08, "stats": 0.05}
KINDS = tuple(MIX)
# what a phone's browser sends besides: it takes compressed answers
PHONE = {"Accept-Encoding": "gzip"}
TRANSPORT_ERROR = 0  # the status recorded when no HTTP answer came (refused, reset, timeout)


@dataclass(frozen=True)
class Sample:
    kind: str
    status: int
    latency_ms: float
    due: float  # seconds since the run began


class Driver:
    """Acts as the seeded users: workers read feeds and jobs and claim, employers post,
    staff read statistics. Learns job ids from the answers, as a phone would."""

    def __init__(
        self,
        base_url: str,
        market: dict[str, Any],
        *,
        seed: int = 1,
        timeout: float = 10.0,
    ) -> None:
        self.base = base_url.rstrip("/") + "/api/v1"
        self.workers: list[str] = market["worker_tokens"]
        self.employers: list[str] = market["employer_tokens"]
        self.staff: str = market["staff_token"]
        self.jobs: list[int] = list(market["job_ids"])
        self.claimable: dict[str, list[int]] = {}  # instant jobs with places, per worker
        self.posted: list[int] = []  # every job a post was answered 201 for
        self.rng = random.Random(seed)
        self.timeout = timeout
        self.client = Client(self.base, timeout=timeout, max_connections=2000)

    async def close(self) -> None:
        await self.client.aclose()

    async def run(
        self, rate: float, seconds: float, stop: asyncio.Event | None = None
    ) -> list[Sample]:
        """Send `rate * seconds` requests at random moments within `seconds`; every sample.

        Uniform moments in a window are a Poisson process given its count: arrivals are
        as bursty as real users', but every run at a rate sends the same number.
        """
        loop = asyncio.get_running_loop()
        begin = loop.time()
        samples: list[Sample] = []
        tasks: set[asyncio.Task[None]] = set()
        for due in sorted(self.rng.uniform(0, seconds) for _ in range(round(rate * seconds))):
            if stop is not None and stop.is_set():
                break
            wait = begin + due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            kind = self.rng.choices(KINDS, weights=[MIX[k] for k in KINDS])[0]
            task = asyncio.create_task(self._one(kind, begin + due, begin, samples))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks)
        return samples

    async def one_at_a_time(self, each: int, kinds: tuple[str, ...] = KINDS) -> list[Sample]:
        """`each` requests of every kind (of `kinds`), one after another: service time, no
        queueing."""
        loop = asyncio.get_running_loop()
        begin = loop.time()
        samples: list[Sample] = []
        for _ in range(each):
            for kind in kinds:
                await self._one(kind, loop.time(), begin, samples)
        return samples

    async def _one(self, kind: str, due: float, begin: float, samples: list[Sample]) -> None:
        method, path, token, body = self._request(kind)
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN", **PHONE}
        if method == "POST":
            headers["Idempotency-Key"] = uuid.uuid4().hex
        try:
            answer = await self.client.request(method, path, headers, body)
            status = answer.status
            if status < 300:
                self._learn(kind, token, answer.json())
        except TransportError:
            status = TRANSPORT_ERROR
        now = asyncio.get_running_loop().time()
        samples.append(Sample(kind, status, (now - due) * 1000, due - begin))

    def _request(self, kind: str) -> tuple[str, str, str, dict[str, Any] | None]:
        rng = self.rng
        if kind == "feed":
            return "GET", "/worker/feed", rng.choice(self.workers), None
        if kind == "job":
            return "GET", f"/jobs/{rng.choice(self.jobs)}", rng.choice(self.workers), None
        if kind == "post":
            data = job_data(rng, now=utcnow(), instant=rng.random() < 0.5)
            return "POST", "/jobs", rng.choice(self.employers), data.model_dump(mode="json")
        if kind == "claim":
            # a worker claims an instant job their feed showed them (or, with none, any job)
            ready = [t for t in self.workers if self.claimable.get(t)]
            token = rng.choice(ready) if ready else rng.choice(self.workers)
            places = self.claimable.get(token) or [rng.choice(self.jobs)]
            job = places.pop(rng.randrange(len(places)))
            return "POST", f"/jobs/{job}/claim", token, None
        which = rng.choice(("summary", "gap?by=trade", "breakdown/trade"))
        return "GET", f"/staff/stats/{which}", self.staff, None

    def _learn(self, kind: str, token: str, answer: Any) -> None:
        if kind == "feed":
            items = answer.get("items", [])
            self.claimable[token] = [
                i["job"]["id"]
                for i in items
                if i["job"]["instant"] and i["job"]["slots_left"] > 0 and not i["my_status"]
            ]
            self.jobs.extend(i["job"]["id"] for i in items[:3])
        elif kind == "post":
            self.jobs.append(int(answer["id"]))
            self.posted.append(int(answer["id"]))
        del self.jobs[:-5000]  # bounded memory on long runs


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def summarise(samples: list[Sample], seconds: float) -> dict[str, dict[str, Any]]:
    """Per kind: answers a second, latency percentiles (ms) and counts by status."""
    result: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        mine = [s for s in samples if s.kind == kind]
        latencies = [s.latency_ms for s in mine]
        statuses: dict[str, int] = {}
        for s in mine:
            statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
        answered = sum(1 for s in mine if s.status != TRANSPORT_ERROR)
        result[kind] = {
            "sent": len(mine),
            "per_s": round(answered / seconds, 1),
            "p50_ms": round(percentile(latencies, 50), 1),
            "p95_ms": round(percentile(latencies, 95), 1),
            "p99_ms": round(percentile(latencies, 99), 1),
            "max_ms": round(max(latencies, default=0.0), 1),
            "statuses": dict(sorted(statuses.items())),
        }
    return result


def _line(rate: int, samples: list[Sample], began: float, cpu: Any) -> dict[str, Any]:
    wall = time.monotonic() - began
    after = resource.getrusage(resource.RUSAGE_SELF)
    used = after.ru_utime - cpu.ru_utime + after.ru_stime - cpu.ru_stime
    return {
        "rate": rate,
        "seconds": round(wall, 2),
        "client_cpu": round(used / wall, 2),
        "kinds": summarise(samples, wall),
    }


async def _main(plan: dict[str, Any]) -> None:
    driver = Driver(plan["base_url"], plan["market"], seed=plan.get("seed", 1))
    try:
        if plan.get("warmup", 0) > 0:
            await driver.run(plan.get("warmup_rate") or min(plan["rates"]), plan["warmup"])
            print(json.dumps({"warmed_up": True}), flush=True)  # the server's CPU counts anew
        for kind in plan.get("per_kind", {}).get("kinds", []):
            began = time.monotonic()  # first the stack idle, then `count` of the kind alone
            await asyncio.sleep(plan["per_kind"]["idle_s"])
            print(json.dumps({"idle": kind, "seconds": time.monotonic() - began}), flush=True)
            began = time.monotonic()
            samples = await driver.one_at_a_time(plan["per_kind"]["count"], (kind,))
            statuses = summarise(samples, 1.0)[kind]["statuses"]
            wall = time.monotonic() - began
            print(json.dumps({"kind": kind, "seconds": wall, "statuses": statuses}), flush=True)
        if plan.get("one_at_a_time", 0) > 0:  # printed as rate 0
            cpu, began = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
            samples = await driver.one_at_a_time(plan["one_at_a_time"])
            print(json.dumps(_line(0, samples, began, cpu)), flush=True)
        for rate in plan["rates"]:
            cpu, began = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
            samples = await driver.run(rate, plan["seconds"])
            print(json.dumps(_line(rate, samples, began, cpu)), flush=True)
            await asyncio.sleep(plan.get("pause", 2))
    finally:
        await driver.close()


def main(argv: list[str]) -> int:
    """`python -m bench.load.client PLAN.json`: one JSON line per rate on stdout."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(_main(json.loads(Path(argv[0]).read_text())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
