"""Live updates over one websocket: outbox relay, Redis or in-process fan-out, resume."""

from web.live.endpoint import router
from web.live.service import LiveService

__all__ = ["LiveService", "router"]
