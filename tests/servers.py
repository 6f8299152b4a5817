"""Helpers for tests that start real servers (uvicorn, nginx) on loopback.

They live in `bench.load.stack`, which the load benchmark shares; imported from here too.
"""

from __future__ import annotations

from bench.load.stack import free_port, nginx_binary, wait_until_up

__all__ = ["free_port", "nginx_binary", "wait_until_up"]
