"""Operators' metrics: the process, the outbox's backlog, the background loop, deliveries.

Each is read from `/metrics` after driving the real thing: a broken database table, an event
the relay has not seen yet, a job posted through the API.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, insert, text

from market.learning import service as learning_service
from market.models import Event
from market.settings import Settings
from market.types import utcnow
from tests.factories import job_body, make_employer
from tests.web.live.conftest import make
from web.app import create_app
from web.observability import Metrics


def sample(scraped: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus text, None when it is not there."""
    for family in text_string_to_metric_families(scraped):
        for s in family.samples:
            if s.name == name and s.labels == labels:
                return float(s.value)
    return None


@pytest.fixture
def local_app(fresh_engine: Engine) -> Iterator[Callable[..., TestClient]]:
    """`local_app(**settings)`: the app on this test's own database, scraped from loopback."""
    opened: list[TestClient] = []

    def build(**settings: object) -> TestClient:
        app = create_app(Settings(environment="test", **settings), engine=fresh_engine)  # type: ignore[arg-type]
        client = TestClient(app, client=("127.0.0.1", 50000))
        client.__enter__()
        opened.append(client)
        return client

    yield build
    for client in opened:
        client.__exit__(None, None, None)


def wait_for(client: TestClient, check: Callable[[str], bool], seconds: float = 10.0) -> str:
    """Scrape until `check` holds on the text (or time runs out): the last text."""
    deadline = time.monotonic() + seconds
    while True:
        scraped = client.get("/metrics").text
        if check(scraped) or time.monotonic() > deadline:
            return scraped
        time.sleep(0.05)


def test_the_process_and_the_garbage_collector_are_measured(
    make_client: Callable[..., TestClient],
) -> None:
    local = make_client(Settings(environment="test"), peer=("127.0.0.1", 40000))
    scraped = local.get("/metrics").text
    assert (sample(scraped, "process_resident_memory_bytes") or 0) > 10_000_000
    assert sample(scraped, "process_cpu_seconds_total") is not None
    assert sample(scraped, "process_open_fds") is not None
    assert sample(scraped, "python_gc_collections_total", generation="0") is not None
    assert "python_info{" in scraped


def test_a_failing_background_task_is_counted_and_the_others_still_succeed(
    fresh_engine: Engine, local_app: Callable[..., TestClient]
) -> None:
    with fresh_engine.begin() as connection:  # the rollup's table is gone: a real failure
        connection.execute(text("DROP TABLE stats_day"))
    started = time.time()
    client = local_app(stats_refresh_seconds=0.05)
    scraped = wait_for(
        client,
        lambda t: (sample(t, "linggong_background_failures_total", task="rollup") or 0) >= 2,
    )
    assert (sample(scraped, "linggong_background_failures_total", task="rollup") or 0) >= 2
    assert sample(scraped, "linggong_background_failures_total", task="purge") == 0
    assert sample(scraped, "linggong_background_failures_total", task="arrears") == 0
    for task in ("arrears", "purge"):
        succeeded = sample(scraped, "linggong_background_last_success_timestamp_seconds", task=task)
        assert succeeded is not None and started <= succeeded <= time.time()
    never = sample(scraped, "linggong_background_last_success_timestamp_seconds", task="rollup")
    assert never is None


def test_the_feeds_price_solve_is_counted_when_it_succeeds_and_when_it_fails(
    fresh_engine: Engine, local_app: Callable[..., TestClient]
) -> None:
    started = time.time()
    client = local_app(feed_read_model="on", prices_seconds=0.05)
    stamp = "linggong_background_last_success_timestamp_seconds"
    scraped = wait_for(client, lambda t: sample(t, stamp, task="prices") is not None)
    succeeded = sample(scraped, stamp, task="prices")
    assert succeeded is not None and started <= succeeded <= time.time()
    assert sample(scraped, "linggong_background_failures_total", task="prices") == 0
    with fresh_engine.begin() as connection:  # the live weights' table is gone: solves fail
        connection.execute(text("DROP TABLE learning_weights"))
    learning_service.forget_live()  # as a switch does: the next solve reads them again
    scraped = wait_for(
        client,
        lambda t: (sample(t, "linggong_background_failures_total", task="prices") or 0) >= 2,
    )
    assert (sample(scraped, "linggong_background_failures_total", task="prices") or 0) >= 2
    assert client.get("/healthz").status_code == 200  # the replica goes on


def test_outbox_lag_shows_an_unpublished_event_and_clears_once_the_relay_runs(
    fresh_engine: Engine, local_app: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the relay's safety-net poll is slow: only a commit of this process wakes it
    monkeypatch.setenv("LINGGONG_LIVE_RELAY_POLL_S", "3600")
    client = local_app(rate_limits="off")
    assert sample(client.get("/metrics").text, "linggong_outbox_pending_events") == 0
    with fresh_engine.begin() as connection:  # as another process writes: no wake-up here
        connection.execute(
            insert(Event).values(
                kind="test.other_process", created_at=utcnow() - timedelta(seconds=30), payload={}
            )
        )
    scraped = client.get("/metrics").text
    assert sample(scraped, "linggong_outbox_pending_events") == 1
    assert 30 <= (sample(scraped, "linggong_outbox_lag_seconds") or 0) < 60
    assert sample(scraped, "linggong_outbox_last_seq") == 0

    _, boss = make(fresh_engine, make_employer)
    posted = client.post(
        "/api/v1/jobs", json=job_body(), headers={"Authorization": f"Bearer {boss}"}
    )
    assert posted.status_code == 201, posted.text
    scraped = wait_for(client, lambda t: sample(t, "linggong_outbox_pending_events") == 0)
    assert sample(scraped, "linggong_outbox_pending_events") == 0
    assert sample(scraped, "linggong_outbox_lag_seconds") == 0
    last = sample(scraped, "linggong_outbox_last_seq") or 0
    assert last >= 2
    scraped = wait_for(client, lambda t: sample(t, "linggong_live_dispatched_seq") == last)
    assert sample(scraped, "linggong_live_dispatched_seq") == last  # this replica caught up


def test_notification_deliveries_are_counted_by_channel_and_outcome() -> None:
    metrics = Metrics()
    metrics.count_delivery(channel="sms", outcome="delivered")
    metrics.count_delivery(channel="sms", outcome="delivered")
    metrics.count_delivery(channel="web_push", outcome="given_up")
    from prometheus_client import generate_latest

    scraped = generate_latest(metrics.registry).decode()
    name = "linggong_notification_deliveries_total"
    assert sample(scraped, name, channel="sms", outcome="delivered") == 2
    assert sample(scraped, name, channel="web_push", outcome="given_up") == 1
    with pytest.raises(ValueError):  # labels stay few: no free text, no ids
        metrics.count_delivery(channel="sms", outcome="user 13900000001 got it")
    with pytest.raises(ValueError):
        metrics.count_delivery(channel="SMS to 139", outcome="delivered")


def test_a_notify_pass_counts_its_text_messages_as_sms_deliveries() -> None:
    from prometheus_client import generate_latest

    from web.stats_refresh import count_push

    metrics = Metrics()
    count_push(metrics, {"sent": 1, "sms_sent": 2, "sms_retry": 1, "sms_failed": 1})

    scraped = generate_latest(metrics.registry).decode()
    name = "linggong_notification_deliveries_total"
    assert sample(scraped, name, channel="sms", outcome="delivered") == 2
    assert sample(scraped, name, channel="sms", outcome="failed") == 1
    assert sample(scraped, name, channel="sms", outcome="given_up") == 1
    assert sample(scraped, name, channel="web_push", outcome="delivered") == 1


def test_metrics_still_answer_when_the_outbox_cannot_be_read(
    fresh_engine: Engine, local_app: Callable[..., TestClient]
) -> None:
    client = local_app()
    with fresh_engine.begin() as connection:  # the outbox is gone from under the app
        # the notifications refer to events: PostgreSQL drops those constraints with it
        cascade = " CASCADE" if fresh_engine.dialect.name == "postgresql" else ""
        connection.execute(text(f"DROP TABLE event{cascade}"))
    scraped = client.get("/metrics")
    assert scraped.status_code == 200
    assert sample(scraped.text, "linggong_outbox_pending_events") is None
    assert sample(scraped.text, "process_resident_memory_bytes") is not None
    assert sample(scraped.text, "linggong_websocket_connections") == 0
