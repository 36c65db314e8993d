"""The webhook listener over real loopback HTTP: 2xx only once stored; every bad request gets its
4xx, stores nothing, and the listener keeps serving."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from imdesk.channels.alert_listener import AlertListener, ListenerUnavailable
from imdesk.context import AppContext
from tests.helpers.alert_payloads import alertmanager, am_alert, encode, grafana, pagerduty
from tests.helpers.listener_run import JSON, TOKEN, Running


def test_a_stored_payload_gets_200_and_is_processed_into_an_incident(running: Running) -> None:
    status, reply = running.post("/alertmanager", encode(alertmanager("g", am_alert("DiskFull"))))
    assert (status, reply) == (200, {"status": "success"})
    assert running.processed.wait(10)
    assert running.outcomes[0].opened[0].title == "DiskFull on host1"
    assert running.ctx.alerts.intake.pending() == 0


def test_grafana_and_pagerduty_endpoints(running: Running) -> None:
    assert running.post("/grafana", encode(grafana("gf", am_alert("CPU"))))[0] == 200
    status, reply = running.post("/v2/enqueue", encode(pagerduty("trigger", None)))
    assert status == 202 and reply["status"] == "success" and len(reply["dedup_key"]) == 32
    status, reply = running.post("/v2/enqueue", encode(pagerduty("trigger", "k1")))
    assert (status, reply["dedup_key"]) == (202, "k1")
    assert running.inbox() == 3


def _deep() -> bytes:
    return b'{"version":"4","groupKey":"g","a":' + b"[" * 5000 + b"]" * 5000 + b"}"


BAD: list[tuple[str, str, Any, dict[str, str] | None, int, str]] = [
    ("malformed JSON", "/alertmanager", b'{"version": "4",', None, 400, "malformed JSON"),
    ("wrong types", "/alertmanager", encode({**alertmanager("g", am_alert("X")), "alerts": {"a": 1}}),
     None, 400, "alerts must be a list"),
    ("deep nesting", "/alertmanager", _deep(), None, 400, "nested more than"),
    ("legacy grafana", "/grafana", encode({"ruleId": 1, "evalMatches": [], "state": "alerting"}),
     None, 400, "legacy Grafana webhook"),
    ("wrong sender for the endpoint", "/v2/enqueue", encode(alertmanager("g", am_alert("X"))), None,
     400, "expected a pagerduty payload"),
    ("10 MB body", "/alertmanager", b"{" + b" " * (10 * 1024 * 1024) + b"}", None, 413, "larger than"),
    ("missing token", "/alertmanager", encode(alertmanager("g", am_alert("X"))),
     {"Content-Type": "application/json"}, 401, "bearer token"),
    ("wrong token", "/alertmanager", encode(alertmanager("g", am_alert("X"))),
     {**JSON, "Authorization": "Bearer nope"}, 401, "bearer token"),
    ("wrong Host", "/alertmanager", encode(alertmanager("g", am_alert("X"))),
     {**JSON, "Host": "attacker.example:80"}, 403, "Host"),
    ("not JSON", "/alertmanager", b"a=1", {**JSON, "Content-Type": "text/plain"}, 415, "application/json"),
    ("unknown path", "/nope", encode(alertmanager("g", am_alert("X"))), None, 404, "no endpoint"),
    ("unknown heartbeat", "/heartbeat/ghost", b"", None, 404, "no heartbeat named"),
]


@pytest.mark.parametrize(("path", "body", "headers", "code", "reason"),
                         [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_requests_get_their_4xx_store_nothing_and_the_listener_keeps_serving(
        running: Running, path: str, body: bytes, headers: dict[str, str] | None, code: int,
        reason: str) -> None:
    status, reply = running.post(path, body, headers)
    assert status == code and reason in reply["message"]
    assert TOKEN not in json.dumps(reply)
    assert running.inbox() == 0 and running.ctx.alerts.intake.alerts() == []
    assert running.post("/alertmanager", encode(alertmanager("g", am_alert("X"))))[0] == 200


def test_heartbeats_are_stored_and_processed(running: Running) -> None:
    running.ctx.alerts.watch.add_heartbeat("prom", 5)
    assert running.post("/heartbeat/prom", b"", {"Authorization": f"Bearer {TOKEN}"})[0] == 200
    assert running.processed.wait(10)
    assert running.ctx.alerts.watch.heartbeats()[0].state == "ok"


def test_a_heartbeat_without_a_body_or_content_type(running: Running) -> None:
    running.ctx.alerts.watch.add_heartbeat("cron-check", 5)
    with socket.create_connection(("127.0.0.1", running.listener.port), timeout=10) as sock:
        sock.sendall(f"POST /heartbeat/cron-check HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     f"Authorization: Bearer {TOKEN}\r\nConnection: close\r\n\r\n".encode())
        reply = sock.makefile("rb").read()
    assert reply.startswith(b"HTTP/1.1 200")
    assert running.processed.wait(10)
    assert running.ctx.alerts.watch.heartbeats()[0].last_seen is not None


def test_a_taken_port_is_a_clear_error(ctx: AppContext) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        listener = AlertListener(ctx.alerts.intake, TOKEN, port=port)
        with pytest.raises(ListenerUnavailable, match="in use"):
            listener.start()
