"""Running one action from many threads at once, for the race tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def all_at_once(n: int, action: Callable[[int], T]) -> list[T | Exception]:
    """`action(0..n-1)` released together from n threads; an exception is an outcome too."""
    gate = threading.Barrier(n)

    def run(i: int) -> T | Exception:
        gate.wait()
        try:
            return action(i)
        except Exception as exc:  # collected: the test asserts on every outcome
            return exc

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))
