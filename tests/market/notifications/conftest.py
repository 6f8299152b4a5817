"""A Web Push service on loopback for the notification tests, and a server key for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from market.notifications.push import sender_for, vapid_keys_new
from market.settings import Settings, get_settings
from tests.push_service import PushService


@pytest.fixture
def vapid() -> tuple[str, str]:
    return vapid_keys_new()


@pytest.fixture
def push_service(vapid: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[PushService]:
    """The loopback service, and the settings that allow posting to it."""
    monkeypatch.setenv("LINGGONG_PUSH_HOSTS", '["127.0.0.1"]')
    monkeypatch.setenv("LINGGONG_VAPID_PRIVATE_KEY", vapid[0])
    get_settings.cache_clear()
    with PushService(vapid[1]) as service:
        yield service
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def sender(push_service: PushService) -> Any:
    settings: Settings = get_settings()
    return sender_for(settings)
