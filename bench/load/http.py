"""A lean HTTP/1.1 client for the load generator: keep-alive connections to one server.

The load client shares the machine with the stack it measures. Through httpx it spent
about 1.3 ms of CPU a request (0.23-0.31 of a core at 180-240 req/s, an eighth of this
two-core machine), taken from the servers under test; a phone's own CPU is not the
server's. This client writes the request bytes itself and reads the answer by its
`Content-Length` (or chunks), on asyncio streams, and inflates a gzip-encoded one: what
the bench needs and no more.

- One request a connection at a time; an idle connection is reused, else a new one opened
  (up to `max_connections`), as a browser's pool does.
- A reused connection the server closed while idle (its keep-alive ran out) fails before
  any byte of the answer: the request is sent once more on a new connection. Nothing else
  is retried.
- Any failure (refused, reset, a malformed answer, `timeout` seconds in all) raises
  `TransportError`; the connection is dropped.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from typing import Any, NamedTuple
from urllib.parse import urlsplit

NO_BODY = frozenset({204, 304})


class TransportError(Exception):
    """No HTTP answer came."""


class Answer(NamedTuple):
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


_Stream = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class Client:
    def __init__(self, base_url: str, *, timeout: float = 10.0, max_connections: int = 2000):
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"only http://host[:port] URLs: {base_url!r}")
        self.host, self.port = parts.hostname, parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self._host_header = parts.netloc
        self._idle: list[_Stream] = []
        self._slots = asyncio.Semaphore(max_connections)
        self.opened = 0  # connections opened in all (tests read it)

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: Any = None
    ) -> Answer:
        """Send one request (`body` as JSON when given) and read its whole answer."""
        head = [f"{method} {self.prefix}{path} HTTP/1.1", f"Host: {self._host_header}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        payload = b""
        if body is not None:
            payload = json.dumps(body, separators=(",", ":")).encode()
            head.append("Content-Type: application/json")
        if body is not None or method in ("POST", "PUT", "PATCH"):
            head.append(f"Content-Length: {len(payload)}")
        message = ("\r\n".join(head) + "\r\n\r\n").encode() + payload
        async with self._slots:
            try:
                async with asyncio.timeout(self.timeout):
                    return await self._send(message)
            except TimeoutError as error:
                raise TransportError(f"no answer in {self.timeout} s") from error

    async def _send(self, message: bytes) -> Answer:
        while self._idle:
            stream = self._idle.pop()
            try:
                return await self._exchange(stream, message)
            except _ClosedWhileIdle:
                continue  # the server let it go meanwhile: the next one, or a new one
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        except OSError as error:
            raise TransportError(str(error)) from error
        self.opened += 1
        try:
            return await self._exchange((reader, writer), message)
        except _ClosedWhileIdle as error:
            raise TransportError("the server closed the connection unanswered") from error

    async def _exchange(self, stream: _Stream, message: bytes) -> Answer:
        reader, writer = stream
        keep = False
        try:
            writer.write(message)
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError as error:
                if not error.partial:
                    raise _ClosedWhileIdle from error
                raise
            status, length, chunked, keep, gzipped = _parse_head(head)
            if status in NO_BODY or 100 <= status < 200:
                body = b""
            elif chunked:
                body = await _read_chunks(reader)
            elif length is not None:
                body = await reader.readexactly(length)
            else:
                body, keep = await reader.read(), False  # to the end of the connection
            return Answer(status, zlib.decompress(body, 31) if gzipped and body else body)
        except (
            OSError, ValueError, zlib.error, asyncio.IncompleteReadError, asyncio.LimitOverrunError
        ) as e:  # fmt: skip
            raise TransportError(repr(e)) from e
        finally:
            if keep:
                self._idle.append(stream)
            else:
                writer.close()

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        for _, writer in idle:
            writer.close()


class _ClosedWhileIdle(Exception):
    """The connection closed before a byte of the answer came."""


def _parse_head(head: bytes) -> tuple[int, int | None, bool, bool, bool]:
    """Status, Content-Length, chunked, keep-alive, gzip-encoded of an answer's head."""
    lines = head.split(b"\r\n")
    version, status = lines[0].split(b" ", 2)[:2]
    if not version.startswith(b"HTTP/1."):
        raise ValueError(f"not an HTTP/1 answer: {lines[0][:40]!r}")
    length, chunked, keep, gzipped = None, False, version == b"HTTP/1.1", False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value
        elif name == b"connection":
            keep = b"close" not in value and (keep or b"keep-alive" in value)
        elif name == b"content-encoding":
            gzipped = value == b"gzip"
    return int(status), length, chunked, keep, gzipped


async def _read_chunks(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass  # trailers
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        if await reader.readexactly(2) != b"\r\n":
            raise ValueError("a chunk did not end with CRLF")
