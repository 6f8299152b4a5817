"""The browser fixtures of the page tests (live server on loopback, Debian's chromium)."""

from __future__ import annotations

from tests.pages.conftest import chromium, live_server

__all__ = ["chromium", "live_server"]
