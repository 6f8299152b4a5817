"""Notifications are made and sent by a background loop in each replica, or `linggong notify`."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from market.db import make_engine, session_scope
from market.events.service import event_record
from market.migrations import upgrade
from market.notifications.push import vapid_keys_new
from market.settings import Settings, get_settings
from tests.market.notifications.helpers import hired, notes_of
from web import cli
from web.app import create_app
from web.stats_refresh import BUSY_EVENTS, BUSY_PASS_SECONDS

ID_KEY = "2d7fAm5_cfRrLGqrC9Vi2jFqmJPmg0GsDR3vRH8RnZk="


def test_the_app_turns_events_into_notifications_in_the_background(
    fresh_engine: Engine,
) -> None:
    worker_id, _, _ = hired(fresh_engine)
    settings = Settings(
        environment="test", notify_seconds=0.05, vapid_private_key=vapid_keys_new()[0]
    )
    with TestClient(create_app(settings, engine=fresh_engine)):
        deadline = time.monotonic() + 10
        while not notes_of(fresh_engine, worker_id) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [n.kind for n in notes_of(fresh_engine, worker_id)] == ["application.confirmed"]


def test_the_notify_command_runs_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'n.db'}"
    upgrade(url)
    engine = make_engine(url)
    worker_id, _, _ = hired(engine)
    monkeypatch.setenv("LINGGONG_DATABASE_URL", url)
    monkeypatch.setenv("LINGGONG_VAPID_PRIVATE_KEY", vapid_keys_new()[0])
    get_settings.cache_clear()
    try:
        assert cli.main(["notify"]) == 0
        assert cli.main(["notify"]) == 0
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("read ") and not out[0].startswith("read 0")
    assert "; sms: " in out[0]
    assert out[1].startswith("read 0 events")
    assert len(notes_of(engine, worker_id)) == 1
    engine.dispose()


def test_the_vapid_keys_command_prints_a_usable_key(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["vapid-keys"]) == 0
    out = capsys.readouterr().out
    key = out.split("LINGGONG_VAPID_PRIVATE_KEY=")[1].strip()
    from market.notifications.push import public_key_of, vapid_key

    public = public_key_of(
        vapid_key(
            Settings(
                environment="production", vapid_private_key=key, secret_key="x" * 40, id_key=ID_KEY
            )
        )
    )
    assert public in out


def test_a_missing_key_outside_production_is_made_once(tmp_path: Path) -> None:
    from market.notifications.push import public_key_of, vapid_key

    settings = Settings(environment="development")
    first = public_key_of(vapid_key(settings, tmp_path / "var" / "vapid.key"))
    again = public_key_of(vapid_key(settings, tmp_path / "var" / "vapid.key"))
    assert first == again
    with pytest.raises(RuntimeError, match="LINGGONG_VAPID_PRIVATE_KEY"):
        vapid_key(Settings(environment="production", secret_key="x" * 40, id_key=ID_KEY))


def test_while_many_events_keep_coming_the_passes_come_sooner(fresh_engine: Engine) -> None:
    """A pass that read BUSY_EVENTS events or more is followed after BUSY_PASS_SECONDS,
    not the configured period; one that read fewer waits the period (a quiet market is
    not polled harder, and its passes share their fixed cost among more events)."""
    first, _, _ = hired(fresh_engine)
    _events(fresh_engine, BUSY_EVENTS, first)  # waiting at the start: the first pass reads them
    settings = Settings(environment="test", notify_seconds=30)
    with TestClient(create_app(settings, engine=fresh_engine)):
        assert _noted(fresh_engine, first, within=10)
        second, _, _ = hired(fresh_engine)  # the market was busy: the next pass comes soon
        assert _noted(fresh_engine, second, within=2 + 4 * BUSY_PASS_SECONDS)
        third, _, _ = hired(fresh_engine)  # that pass read only a few: the 30 s wait
        assert not _noted(fresh_engine, third, within=3 * BUSY_PASS_SECONDS)


def _events(engine: Engine, count: int, worker_id: int) -> None:
    """`count` events nobody is notified of (the worker's profile changed)."""
    with session_scope(engine) as session:
        for _ in range(count):
            event_record(
                session=session, kind="worker.updated", worker_id=worker_id,
                payload={"worker": worker_id},
            )  # fmt: skip


def _noted(engine: Engine, user_id: int, *, within: float) -> bool:
    deadline = time.monotonic() + within
    while not notes_of(engine, user_id):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
