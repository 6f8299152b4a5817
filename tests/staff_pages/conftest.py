"""The live server of the page tests (the whole app on loopback over a fresh database)."""

from __future__ import annotations

from tests.pages.conftest import live_server

__all__ = ["live_server"]
