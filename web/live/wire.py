"""Text frames written straight onto a websocket's transport, when that is safe.

An event reaches thousands of connections at once. Sent the ordinary way (a wake-up of
the connection's sender task, then Starlette → ASGI send → uvicorn → websockets → the
transport) a frame costs some 25 µs of Python; the socket write itself costs less. When
the connection is uvicorn's `websockets` protocol, open, and under its write-buffer limit,
and nothing of ours is queued for it, the hub writes the frame itself, synchronously and
so in order. Anything else (another server or protocol version, a client that is behind)
returns False and takes the ordinary path, which waits for the buffer to drain.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from websockets.frames import Opcode
from websockets.protocol import State

RAW_SEND = "linggong.raw_send"  # scope key: the server's own `send` of a websocket

FrameWriter = Callable[[str], bool]


class KeepRawSend:
    """Pure ASGI middleware (outermost): remember the server's `send` of a websocket."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[RAW_SEND] = send
        await self.app(scope, receive, send)


def text_frame(data: bytes) -> bytes:
    """A final, unmasked text frame (RFC 6455 5.2), as a server sends it."""
    n = len(data)
    if n < 126:
        return b"\x81" + n.to_bytes(1, "big") + data
    if n < 1 << 16:
        return b"\x81\x7e" + n.to_bytes(2, "big") + data
    return b"\x81\x7f" + n.to_bytes(8, "big") + data


def frame_writer(send: Any) -> FrameWriter | None:
    """A synchronous writer of text frames for this accepted websocket, or None.

    None unless `send` is uvicorn's `websockets` (legacy) protocol as we know it, with its
    handshake complete (a frame sent); the writer returns False whenever the frame must go
    the ordinary way instead.
    """
    # a send of uvicorn's `websockets` protocol means its module is loaded: never import it
    impl = sys.modules.get("uvicorn.protocols.websockets.websockets_impl")
    protocol_class = getattr(impl, "WebSocketProtocol", None)
    proto = getattr(send, "__self__", None)
    if (
        protocol_class is None
        or not isinstance(proto, protocol_class)
        or getattr(send, "__name__", "") != "asgi_send"
    ):
        return None
    transport = getattr(proto, "transport", None)
    needed = ("state", "transfer_data_task", "is_client", "extensions", "write_frame_sync")
    if not isinstance(transport, asyncio.WriteTransport) or not all(
        hasattr(proto, name) for name in needed
    ):
        return None
    reading = proto.transfer_data_task  # done once the peer closed (or reading failed)
    if proto.is_client or not isinstance(reading, asyncio.Future):
        return None
    _low, high = transport.get_write_buffer_limits()
    buffered, closing = transport.get_write_buffer_size, transport.is_closing
    write, read_done, open_ = transport.write, reading.done, State.OPEN
    # `not proto.open` spelled out (`state is not OPEN or transfer_data_task.done()`): the
    # property, an enum class attribute looked up on every call, was a tenth of a frame's CPU
    if proto.extensions:  # per-message deflate: websockets applies it, still synchronously

        def write_through(text: str) -> bool:
            if buffered() >= high or closing() or proto.state is not open_ or read_done():
                return False
            proto.write_frame_sync(True, Opcode.TEXT, text.encode())
            return True

        return write_through

    def write_raw(text: str) -> bool:
        if buffered() >= high or closing() or proto.state is not open_ or read_done():
            return False
        write(text_frame(text.encode()))
        return True

    return write_raw
