"""A Web Push service on loopback, as a browser's push service would act (RFC 8030/8291/8292).

It takes the POST, checks the VAPID `Authorization` header (an ES256 JWT signed with the
server's key, for this origin, not expired) and decrypts the aes128gcm payload with the
subscription's own private key, which only the browser holds: what it records was
provably encrypted for that browser. Answers can be scripted per subscription (404, 410,
500) to test what the sender does with them.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """One subscribed browser: its key pair and auth secret, as `pushManager.subscribe` makes."""

    token: str
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: __import__("os").urandom(16))

    @property
    def p256dh(self) -> str:
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64(raw)


@dataclass
class Received:
    token: str
    payload: dict[str, Any]
    claims: dict[str, Any]
    ttl: str | None


class PushService:
    """`with PushService(vapid_public_key) as service:` a push service on 127.0.0.1."""

    def __init__(self, vapid_public_key: str) -> None:
        self.vapid_public_key = vapid_public_key
        self.browsers: dict[str, Browser] = {}
        self.answers: dict[str, list[int]] = {}  # token -> statuses to answer, in turn
        self.received: list[Received] = []
        self.refused: list[str] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"

    def browser(self, token: str) -> Browser:
        self.browsers[token] = Browser(token)
        return self.browsers[token]

    def subscription(self, token: str) -> dict[str, Any]:
        """What the browser's `subscription.toJSON()` gives for `token` (made if new)."""
        b = self.browsers.get(token) or self.browser(token)
        return {
            "endpoint": f"{self.origin}/push/{token}",
            "keys": {"p256dh": b.p256dh, "auth": b64(b.auth)},
        }

    def __enter__(self) -> PushService:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def verify(self, authorization: str) -> dict[str, Any]:
        """The VAPID JWT's claims, once its signature, key, audience and expiry check out."""
        scheme, _, rest = authorization.partition(" ")
        assert scheme == "vapid", authorization
        parts = dict(p.strip().split("=", 1) for p in rest.split(","))
        assert parts["k"] == self.vapid_public_key, "not the server's key"
        header, claims, signature = parts["t"].split(".")
        raw = unb64(signature)
        assert len(raw) == 64
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(parts["k"]))
        key.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
        assert json.loads(unb64(header))["alg"] == "ES256"
        decoded: dict[str, Any] = json.loads(unb64(claims))
        assert decoded["aud"] == self.origin
        assert decoded["exp"] > time.time()
        assert decoded["sub"].startswith(("mailto:", "https:"))
        return decoded

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                token = self.path.rsplit("/", 1)[-1]
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with service.lock:
                    scripted = service.answers.get(token)
                    status = scripted.pop(0) if scripted else 201
                if status != 201:
                    self._answer(status)
                    return
                try:
                    claims = service.verify(self.headers.get("Authorization", ""))
                    assert self.headers.get("Content-Encoding") == "aes128gcm"
                    browser = service.browsers[token]
                    plain = http_ece.decrypt(
                        body,
                        private_key=browser.private_key,
                        auth_secret=browser.auth,
                        version="aes128gcm",
                    )
                    payload = json.loads(plain)
                except Exception as error:  # a refusal the test reads, not a crash
                    with service.lock:
                        service.refused.append(f"{type(error).__name__}: {error}")
                    self._answer(400)
                    return
                with service.lock:
                    service.received.append(
                        Received(token, payload, claims, self.headers.get("TTL"))
                    )
                self._answer(201)

            def _answer(self, status: int) -> None:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        return Handler


def running(vapid_public_key: str) -> Iterator[PushService]:
    with PushService(vapid_public_key) as service:
        yield service
