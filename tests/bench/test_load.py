"""`linggong bench load`: its verdicts, and one short real run through nginx."""

from __future__ import annotations

import re

import pytest

from bench.load.client import percentile
from bench.load.run import errors_of, main, sustained
from bench.load.stack import nginx_binary
from tests.conftest import NO_POSTGRES, POSTGRES_URL


def _line(rate: int, feed_p99: float, per_s: float, statuses: dict[str, int]) -> dict:
    kinds = {
        "feed": {"p99_ms": feed_p99, "per_s": per_s, "sent": sum(statuses.values()),
                 "statuses": statuses},
        "claim": {"p99_ms": 50.0, "per_s": 0.0, "sent": 0, "statuses": {}},
    }  # fmt: skip
    return {"rate": rate, "kinds": kinds}


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile([7.0], 99) == 7
    assert percentile([], 99) == 0


def test_a_refused_claim_is_an_answer_but_a_refused_post_is_an_error() -> None:
    assert errors_of("claim", {"201": 5, "409": 3}) == 0
    assert errors_of("post", {"201": 5, "409": 3}) == 3
    assert errors_of("feed", {"200": 5, "0": 1, "503": 2}) == 3


def test_a_rate_is_held_only_within_budget_without_errors_or_shortfall() -> None:
    assert sustained(_line(100, 250.0, 99.0, {"200": 1000}), 300) == (True, "held")
    held, why = sustained(_line(100, 350.0, 99.0, {"200": 1000}), 300)
    assert not held and "feed p99" in why
    held, why = sustained(_line(100, 250.0, 99.0, {"200": 980, "503": 20}), 300)
    assert not held and "errors" in why
    held, why = sustained(_line(100, 250.0, 80.0, {"200": 800}), 300)
    assert not held and "answered" in why


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)
@pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed")
def test_a_short_run_prints_every_kind_and_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--postgres-url", POSTGRES_URL or "", "--rates", "8", "--seconds", "3",
            "--warmup", "0", "--workers", "40"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    for kind in ("feed", "job", "claim", "post", "stats"):
        assert f"\n{kind} " in out
    assert "one request at a time" in out
    assert "highest sustained rate: " in out
    assert "load average after: " in out
    # the stack's CPU per answer, read from /proc: the replicas did work for every phase
    spent = re.findall(
        r"server CPU per answer: replicas ([0-9.]+) ms, PostgreSQL ([0-9.]+) ms", out
    )
    assert len(spent) == 2  # the one-at-a-time phase and the rate
    assert all(float(app) > 0.1 and float(db) > 0 for app, db in spent)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)
@pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed")
def test_each_kind_alone_prints_what_each_part_spent_a_request(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["--postgres-url", POSTGRES_URL or "", "--per-kind", "6", "--kinds", "feed,claim",
            "--warmup", "1", "--workers", "40"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "each kind alone" in out and "highest sustained rate" not in out
    rows = dict(re.findall(r"\n(feed|claim) +([0-9.-]+ +[0-9.-]+ +[0-9.-]+ .*)", out))
    assert set(rows) == {"feed", "claim"}
    for kind, row in rows.items():
        replicas, _postgres, _nginx, *answers = row.split()
        assert float(replicas) > 0.1, (kind, row)  # a request costs the replicas something
        assert sum(int(a.split(":")[1]) for a in answers) == 6  # every request answered


def test_an_unknown_kind_is_refused_before_anything_starts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--per-kind", "5", "--kinds", "feed,lunch"])
    assert exit_.value.code == 2 and "unknown kinds ['lunch']" in capsys.readouterr().err
