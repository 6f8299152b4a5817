"""Fixtures for the matching tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def example_path() -> Path:
    """The shared example market (copied here so the tests stand alone)."""
    return Path(__file__).with_name("example_scenario.json")
