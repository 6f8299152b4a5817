"""Aliyun Dysms `SendSms`: the RPC-style HTTP API, signed with HMAC-SHA1 by hand.

The signature follows Alibaba Cloud's documented algorithm for SMS ("HTTP协议及签名",
https://help.aliyun.com/document_detail/101343.html; in English "Signature method",
https://www.alibabacloud.com/help/en/sms/signature-method):

1. sort every parameter but `Signature` by name; percent-encode names and values per
   RFC 3986 (unreserved `A-Za-z0-9-_.~` kept, space as %20, UTF-8) and join as `k=v&...`;
2. StringToSign = `GET` + `&` + encode(`/`) + `&` + encode(canonicalized query);
3. Signature = base64(HMAC-SHA1(key = AccessKeySecret + `&`, StringToSign)).

The documentation's worked example (AccessKeyId `testId`, secret `testSecret`, SendSms to
15300000001 at 2017-07-12T02:42:19Z) gives `zJDF+Lrzhj/ThnlvIToysFRq6t4=`;
tests/market/notifications/test_aliyun.py reproduces it.

The gateway answers JSON: `{"Code": "OK", "BizId": ..., "RequestId": ...}` when accepted,
another `Code` (`isv.BUSINESS_LIMIT_CONTROL`, `SignatureDoesNotMatch`, ...) when not.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

import requests

from market.types import utcnow

ENDPOINT = "https://dysmsapi.aliyuncs.com/"
TIMEOUT = 10.0
# codes no retry can cure: the number or the registered template/sign is wrong
PERMANENT = frozenset(
    {
        "isv.MOBILE_NUMBER_ILLEGAL",
        "isv.SMS_TEMPLATE_ILLEGAL",
        "isv.SMS_SIGNATURE_ILLEGAL",
        "isv.TEMPLATE_MISSING_PARAMETERS",
        "isv.BLACK_KEY_CONTROL_LIMIT",
    }
)


class SmsFailed(Exception):
    """The gateway did not take the message: its code, its words, and whether to try again."""

    def __init__(self, code: str, message: str, *, permanent: bool = False) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.permanent = code, message, permanent


def encode(value: str) -> str:
    """RFC 3986 percent-encoding as the signature wants it (`~` kept, space as %20)."""
    return quote(value, safe="~")


def canonical_query(params: Mapping[str, str]) -> str:
    """The sorted, encoded `k=v&...` of every parameter (without `Signature`)."""
    return "&".join(f"{encode(k)}={encode(v)}" for k, v in sorted(params.items()))


def signature(secret: str, params: Mapping[str, str], method: str = "GET") -> str:
    """The request's `Signature` (base64, not yet URL-encoded)."""
    to_sign = f"{method}&{encode('/')}&{encode(canonical_query(params))}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signed_query(secret: str, params: Mapping[str, str]) -> str:
    """The whole query string of a GET request, `Signature` first as the docs show it."""
    return f"Signature={encode(signature(secret, params))}&{canonical_query(params)}"


def send_params(
    *,
    access_key_id: str,
    phone: str,
    sign_name: str,
    template_code: str,
    params: dict[str, Any],
    now: datetime,
    nonce: str,
) -> dict[str, str]:
    """The common and `SendSms` parameters of one message."""
    return {
        "AccessKeyId": access_key_id,
        "Action": "SendSms",
        "Format": "JSON",
        "PhoneNumbers": phone,
        "RegionId": "cn-hangzhou",
        "SignName": sign_name,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": nonce,
        "SignatureVersion": "1.0",
        "TemplateCode": template_code,
        "TemplateParam": json.dumps(
            {k: str(v) for k, v in params.items()}, ensure_ascii=False, separators=(",", ":")
        ),
        "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "2017-05-25",
    }


class AliyunSms:
    """The Dysms adapter: our template ids map to the gateway's registered template codes."""

    name = "aliyun"

    def __init__(
        self,
        *,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        templates: Mapping[str, str],
        endpoint: str = ENDPOINT,
    ) -> None:
        self._key_id, self._secret = access_key_id, access_key_secret
        self._sign_name, self._templates, self._endpoint = sign_name, templates, endpoint

    def send(self, phone: str, template_id: str, params: dict[str, Any]) -> str:
        """Send one message; the gateway's BizId, or SmsFailed with its code."""
        code = self._templates.get(template_id)
        if not code:
            raise SmsFailed("NoTemplate", f"no gateway template for {template_id}", permanent=True)
        query = signed_query(
            self._secret,
            send_params(
                access_key_id=self._key_id,
                phone=phone,
                sign_name=self._sign_name,
                template_code=code,
                params=params,
                now=utcnow(),
                nonce=uuid.uuid4().hex,
            ),
        )
        try:
            response = requests.get(f"{self._endpoint}?{query}", timeout=TIMEOUT)
        except requests.RequestException as error:
            raise SmsFailed("Unreachable", type(error).__name__) from error
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if not isinstance(answer, dict):
            answer = {}
        result = str(answer.get("Code") or f"HTTP{response.status_code}")
        if response.status_code == 200 and result == "OK":
            return str(answer.get("BizId") or answer.get("RequestId") or "")
        message = str(answer.get("Message") or response.reason or "")[:200]
        raise SmsFailed(result, message, permanent=result in PERMANENT)
