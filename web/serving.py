"""`linggong serve`: uvicorn, with each worker process on its own listening socket.

With `--workers N`, uvicorn's parent binds one socket and every worker accepts from it. An
asyncio server accepts every waiting connection at once when it wakes, so a burst of new
connections (a proxy's keep-alive pool, the morning rush, a load test) can land on one
worker while the others idle: measured with `wrk -c32` on two workers, one process served
all 32 connections in about half of the runs, and the feed's rate halved. Here each worker
binds its own socket to the same address with SO_REUSEPORT and the kernel spreads new
connections across them evenly; the parent binds none. A worker that dies takes its socket
with it (the kernel stops sending it connections) and its replacement binds a new one.
"""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import multiprocess


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port) with SO_REUSEPORT, ready for uvicorn to listen on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, not 0: asyncio sets TCP_NODELAY only on sockets whose proto says
    # TCP, and without it a keep-alive connection waited 40 ms (Nagle against the client's
    # delayed ACK) for every answer after its first
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class _OwnSocketProcess(multiprocess.Process):
    """A worker that binds its own SO_REUSEPORT socket instead of the parent's."""

    def target(self, sockets: list[socket.socket] | None = None) -> None:  # pragma: no cover
        own = reuse_port_socket(self.config.host, self.config.port)
        super().target([own])


def serve(app: str, **options: Any) -> None:
    """`uvicorn.run(app, **options)`, with one SO_REUSEPORT socket per worker when there are
    several workers."""
    config = uvicorn.Config(app, **options)
    if config.workers <= 1 or config.uds or config.fd is not None:
        uvicorn.run(app, **options)
        return
    # fail now, in the parent, if the address is taken (a worker would fail in a loop)
    reuse_port_socket(config.host, config.port).close()
    multiprocess.Process = _OwnSocketProcess  # type: ignore[misc]
    multiprocess.Multiprocess(config, sockets=[]).run()
