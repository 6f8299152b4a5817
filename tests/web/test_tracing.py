"""Traces over OTLP/HTTP: a real app process sends them to a receiver on loopback.

The receiver is a small HTTP server that decodes what the app's exporter posts to
`/v1/traces` (an `ExportTraceServiceRequest`), as a collector would.
"""

from __future__ import annotations

import gzip
import json
import logging
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span as ProtoSpan
from sqlalchemy import Engine
from sqlmodel import Session

from market.settings import Settings
from tests.conftest import REDIS_URL, request_session_on
from tests.factories import make_employer
from tests.web.live.conftest import ROOT, LiveServer, database_url, job_body, make
from web.app import create_app
from web.observability import JsonFormatter
from web.tracing import traces_endpoint

SERVER = ProtoSpan.SpanKind.SPAN_KIND_SERVER


@dataclass
class Received:
    name: str
    kind: int
    scope: str
    trace_id: str
    span_id: str
    parent_id: str
    attributes: dict[str, Any] = field(default_factory=dict)


def _value(value: AnyValue) -> Any:
    which = value.WhichOneof("value")
    if which == "array_value":
        return [_value(v) for v in value.array_value.values]
    return getattr(value, which) if which else None


class Receiver:
    """An OTLP/HTTP trace receiver on loopback: every span posted to it, decoded."""

    def __init__(self) -> None:
        self.spans: list[Received] = []
        self.posts = 0
        received = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                if self.path != "/v1/traces":
                    self.send_error(404)
                    return
                received.take(ExportTraceServiceRequest.FromString(body))
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def take(self, request: ExportTraceServiceRequest) -> None:
        spans = [
            Received(
                name=span.name,
                kind=span.kind,
                scope=scoped.scope.name,
                trace_id=span.trace_id.hex(),
                span_id=span.span_id.hex(),
                parent_id=span.parent_span_id.hex(),
                attributes={a.key: _value(a.value) for a in span.attributes},
            )
            for resource in request.resource_spans
            for scoped in resource.scope_spans
            for span in scoped.spans
        ]
        self.spans.extend(spans)
        self.posts += 1

    def wait_for(self, found: Callable[[list[Received]], bool], seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not found(list(self.spans)):
            assert time.monotonic() < deadline, [s.name for s in self.spans]
            time.sleep(0.05)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


def _server_span(spans: list[Received], request_id: str) -> Received | None:
    return next(
        (
            s
            for s in spans
            if s.kind == SERVER and s.attributes.get("linggong.request_id") == request_id
        ),
        None,
    )


def test_a_request_is_traced_through_http_sql_redis_and_the_relay(
    fresh_engine: Engine, receiver: Receiver
) -> None:
    env = {
        "LINGGONG_OTEL_ENDPOINT": receiver.url,
        "OTEL_BSP_SCHEDULE_DELAY": "100",  # ms: export soon after each span ends
        "LINGGONG_STATS_REFRESH_SECONDS": "3600",  # one background round, at the start
        "LINGGONG_SECRET_KEY": f"trace-test-{uuid.uuid4().hex}",
    }
    server = LiveServer(database_url(fresh_engine), redis_url=REDIS_URL, **env)
    try:
        _, boss = make(fresh_engine, make_employer)
        request_id = f"nginx-{uuid.uuid4().hex[:16]}"
        request = urllib.request.Request(
            server.base + "/api/v1/jobs",
            data=json.dumps(job_body()).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {boss}",
                "X-Request-ID": request_id,
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 201
        place = "lat=37.531234&lon=121.251234"  # a location: never in a span
        nearest = urllib.request.Request(
            f"{server.base}/api/v1/stations/nearest?{place}",
            headers={"Authorization": f"Bearer {boss}"},
        )
        with urllib.request.urlopen(nearest, timeout=10) as answer:
            assert answer.status == 200

        def complete(spans: list[Received]) -> bool:
            server_span = _server_span(spans, request_id)
            relayed = any(s.name == "outbox relay" for s in spans)
            purged = any(s.name == "background purge" for s in spans)
            return server_span is not None and relayed and purged

        receiver.wait_for(complete)
        time.sleep(0.5)  # what the same batches still carry
        spans = list(receiver.spans)
        http = _server_span(spans, request_id)
        assert http is not None and http.attributes.get("http.route") == "/api/v1/jobs"
        in_request = [s for s in spans if s.trace_id == http.trace_id and s is not http]
        sql = [s for s in in_request if s.scope.endswith("sqlalchemy")]
        assert any("INSERT INTO job" in str(s.attributes.get("db.statement")) for s in sql)
        relays = [s for s in spans if s.name == "outbox relay"]
        relay = next(s for s in relays if s.attributes.get("linggong.relay.events", 0) >= 1)
        under_relay = [s for s in spans if s.trace_id == relay.trace_id and s is not relay]
        assert any(s.scope.endswith("sqlalchemy") for s in under_relay)  # the numbering
        if REDIS_URL:
            # the job post's rate limit, then the relay's XADD to the stream
            assert any(s.scope.endswith("redis") for s in in_request)
            assert any(s.scope.endswith("redis") and s.name == "XADD" for s in under_relay)
        for task in ("rollup", "arrears", "purge"):
            background = next(s for s in spans if s.name == f"background {task}")
            assert any(s.parent_id == background.span_id for s in spans), task  # its SQL
        leaked = [s.name for s in spans if "37.531234" in json.dumps(s.attributes)]
        assert leaked == []
        assert not any(s.attributes.get("http.target") == "/ws" for s in spans)

        # an idle replica sends nothing: its polling of the outbox and the stream is quiet
        sent = len(receiver.spans)
        time.sleep(2.5)
        late = [(s.name, s.scope, s.attributes) for s in receiver.spans[sent:]]
        assert late == []
    finally:
        server.stop()


NO_TRACING_PROBE = """
import json, sys
from fastapi.testclient import TestClient
from opentelemetry import trace
from market.settings import Settings
from web.app import create_app

app = create_app(Settings(environment="test", database_url=sys.argv[1]))
with TestClient(app) as client:
    assert client.get("/api/v1/trades").status_code == 200
loaded = sorted(m for m in sys.modules if m.startswith(("opentelemetry.sdk",
    "opentelemetry.instrumentation", "opentelemetry.exporter")))
print(json.dumps({"loaded": loaded, "tracing": type(app.state.tracing).__name__,
    "provider": type(trace.get_tracer_provider()).__name__}))
"""


def test_without_an_endpoint_no_tracing_is_loaded_and_nothing_is_sent(
    sqlite_template: Path, tmp_path: Path, receiver: Receiver
) -> None:
    shutil.copy(sqlite_template, tmp_path / "quiet.db")
    probe = subprocess.run(
        [sys.executable, "-c", NO_TRACING_PROBE, f"sqlite:///{tmp_path / 'quiet.db'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(probe.stdout.strip().splitlines()[-1])
    assert seen == {"loaded": [], "tracing": "Off", "provider": "ProxyTracerProvider"}
    assert receiver.posts == 0


@pytest.mark.parametrize(
    ("env", "endpoint"),
    [
        ({}, None),
        ({"LINGGONG_OTEL_ENDPOINT": ""}, None),  # compose passes it empty when unset
        ({"LINGGONG_OTEL_ENDPOINT": "http://collector:4318/"}, "http://collector:4318/v1/traces"),
        ({"LINGGONG_OTEL_ENDPOINT": "http://c:4318/v1/traces"}, "http://c:4318/v1/traces"),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, "http://c:4318/v1/traces"),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://t:1/x"}, "http://t:1/x"),
        (
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "LINGGONG_OTEL_ENDPOINT": "http://o"},
            "http://o/v1/traces",
        ),
    ],
)
def test_the_endpoint_comes_from_ours_or_the_standard_variables(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], endpoint: str | None
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert traces_endpoint(Settings(environment="test")) == endpoint


def test_the_access_log_line_of_a_traced_request_carries_its_trace_id(
    session: Session, shared_engine: Engine, receiver: Receiver
) -> None:
    from web import deps

    lines: list[str] = []

    class Lines(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Lines()
    handler.setFormatter(JsonFormatter())
    access = logging.getLogger("linggong.access")
    access.addHandler(handler)
    old_level = access.level
    access.setLevel(logging.INFO)  # (clears the loggers' cached levels)
    request_id = f"nginx-{uuid.uuid4().hex[:16]}"
    try:
        app = create_app(
            Settings(environment="test", otel_endpoint=receiver.url), engine=shared_engine
        )
        app.dependency_overrides[deps._session] = request_session_on(session)
        with TestClient(app) as client:  # leaving it shuts tracing down: all is sent
            assert client.get("/api/v1/trades", headers={"X-Request-ID": request_id}).is_success
            assert client.get("/healthz").is_success  # not traced: no trace id
    finally:
        access.removeHandler(handler)
        access.setLevel(old_level)
    span = _server_span(receiver.spans, request_id)
    assert span is not None
    logged = [json.loads(line) for line in lines]
    traced = next(entry for entry in logged if entry["request_id"] == request_id)
    assert traced["trace_id"] == span.trace_id
    assert "trace_id" not in next(e for e in logged if e["route"] == "/healthz")
