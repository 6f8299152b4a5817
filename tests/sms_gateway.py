"""An Aliyun Dysms gateway on loopback: checks each request's signature and answers as Dysms.

The signature is recomputed here by its own code (urlencode with RFC 3986 quoting), not by
the adapter's, so a request the adapter signs wrongly is refused as the real gateway would.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

# a number the gateway refuses by flow control (retry later), and one it calls illegal
THROTTLED = "13900000009"
ILLEGAL = "10000000000"


def expected_signature(secret: str, params: dict[str, str]) -> str:
    query = urlencode(sorted(params.items()), quote_via=quote)
    to_sign = "GET&%2F&" + quote(query, safe="")
    mac = hmac.new((secret + "&").encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


@dataclass
class Received:
    phone: str
    template_code: str
    sign_name: str
    params: dict[str, Any]


@dataclass
class SmsGateway:
    access_key_id: str = "LTAI-test-key"
    secret: str = "loopback-secret"
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    nonces: set[str] = field(default_factory=set)

    def __enter__(self) -> SmsGateway:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = gateway.answer(urlsplit(self.path).query)
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def _refuse(self, status: int, code: str, message: str) -> tuple[int, dict[str, Any]]:
        self.refused.append(code)
        return status, {"RequestId": "R-refused", "Code": code, "Message": message}

    def answer(self, query: str) -> tuple[int, dict[str, Any]]:
        params = dict(parse_qsl(query, keep_blank_values=True))
        given = params.pop("Signature", "")
        if params.get("AccessKeyId") != self.access_key_id:
            return self._refuse(
                404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."
            )
        if not hmac.compare_digest(given, expected_signature(self.secret, params)):
            return self._refuse(400, "SignatureDoesNotMatch", "Specified signature is not matched")
        nonce = params.get("SignatureNonce", "")
        if nonce in self.nonces:
            return self._refuse(
                400, "SignatureNonceUsed", "Specified signature nonce was used already."
            )
        self.nonces.add(nonce)
        if params.get("Action") != "SendSms" or params.get("Version") != "2017-05-25":
            return self._refuse(400, "InvalidAction", "Specified action is not valid.")
        phone = params.get("PhoneNumbers", "")
        if phone == THROTTLED:
            return self._refuse(200, "isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1")
        if phone == ILLEGAL:
            return self._refuse(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        self.received.append(
            Received(
                phone=phone,
                template_code=params.get("TemplateCode", ""),
                sign_name=params.get("SignName", ""),
                params=json.loads(params.get("TemplateParam") or "{}"),
            )
        )
        biz = f"{len(self.received):06d}^0"
        return 200, {"Message": "OK", "RequestId": "R-ok", "BizId": biz, "Code": "OK"}
