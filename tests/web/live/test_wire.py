"""The fast frame path (`web.live.wire`) against the real uvicorn `websockets` protocol."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket
from websockets.asyncio.client import connect
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from tests.servers import free_port
from web.live import wire

TEXTS = ["你好", "x" * 125, "y" * 126, "工" * 30_000, "z" * 65_536, "last"]


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65_535, 65_536, 200_000])
def test_a_text_frame_reads_back_whole_with_websockets_own_parser(size: int) -> None:
    data = ("a" * size).encode()
    reader = StreamReader()
    reader.feed_data(wire.text_frame(data))
    reader.feed_eof()
    parser = Frame.parse(reader.read_exact, mask=False)
    with pytest.raises(StopIteration) as parsed:
        next(parser)
    frame = parsed.value.value
    assert (frame.fin, frame.opcode, frame.data) == (True, Opcode.TEXT, data)
    assert reader.at_eof()


def test_no_writer_for_a_send_that_is_not_uvicorns_websocket() -> None:
    async def send(message: Any) -> None:
        return None

    assert wire.frame_writer(send) is None
    assert wire.frame_writer(None) is None


async def _endpoint(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("hello")  # the handshake is complete once this went out
    write = wire.frame_writer(websocket.scope.get(wire.RAW_SEND))
    await websocket.send_text("fast" if write is not None else "slow")
    for text in TEXTS:  # mixed: whatever the writer refuses goes the ordinary way, in order
        if write is None or not write(text):
            await websocket.send_text(text)
    await websocket.receive()


# `--ws websockets` is uvicorn's (deprecated) legacy-protocol server: what we deploy
@pytest.mark.filterwarnings("ignore:The `websockets` implementation is deprecated")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("deflate", [False, True], ids=["plain", "per-message-deflate"])
def test_frames_written_directly_reach_a_real_client_intact_and_in_order(deflate: bool) -> None:
    app = wire.KeepRawSend(Starlette(routes=[WebSocketRoute("/ws", _endpoint)]))
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, ws="websockets", ws_per_message_deflate=deflate,
        log_level="warning", lifespan="off",
    )  # fmt: skip
    server = uvicorn.Server(config)

    async def scenario() -> list[str | bytes]:
        serving = asyncio.create_task(server.serve())
        try:
            async with asyncio.timeout(10):
                while not server.started:
                    assert not serving.done(), "uvicorn did not start"
                    await asyncio.sleep(0.02)
            async with connect(f"ws://127.0.0.1:{port}/ws", max_size=2**20) as ws:
                assert ws.response is not None
                assert bool(ws.response.headers.get("Sec-WebSocket-Extensions")) is deflate
                async with asyncio.timeout(10):
                    got = [await ws.recv() for _ in range(len(TEXTS) + 2)]
                await ws.send("bye")
            return got
        finally:
            server.should_exit = True
            await serving

    got = asyncio.run(scenario())
    assert got == ["hello", "fast", *TEXTS]


@pytest.mark.filterwarnings("ignore:The `websockets` implementation is deprecated")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_writer_refuses_once_the_client_closed() -> None:
    answers: list[bool] = []

    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hello")  # the handshake is complete once this went out
        write = wire.frame_writer(websocket.scope.get(wire.RAW_SEND))
        assert write is not None
        answers.append(write("open"))
        assert (await websocket.receive())["type"] == "websocket.disconnect"
        answers.append(write("after the close"))

    app = wire.KeepRawSend(Starlette(routes=[WebSocketRoute("/ws", endpoint)]))
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, ws="websockets", log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)

    async def scenario() -> None:
        serving = asyncio.create_task(server.serve())
        try:
            async with asyncio.timeout(10):
                while not server.started:
                    assert not serving.done(), "uvicorn did not start"
                    await asyncio.sleep(0.02)
                async with connect(f"ws://127.0.0.1:{port}/ws") as ws:
                    assert [await ws.recv(), await ws.recv()] == ["hello", "open"]
                while len(answers) < 2:
                    await asyncio.sleep(0.02)
        finally:
            server.should_exit = True
            await serving

    asyncio.run(scenario())
    assert answers == [True, False]
