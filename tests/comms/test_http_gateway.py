"""The generic HTTP SMS gateway against a small local server: the configured method, headers
(with the token from the secret store), body template and success status; the id found in
the reply; a 5xx after which nobody can know is resent, marked."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from imdesk.channels.settings import CommsSettings, parse_provider
from imdesk.context import AppContext
from imdesk.credentials.store import SecretStore
from imdesk.domain.errors import ValidationError
from imdesk.domain.message import MessageState
from imdesk.services.clock import ManualClock
from imdesk.services.comms.recipients import Recipient
from tests.comms.conftest import open_incident, use_people

TOKEN = "CANARY-twilio-4b21e8aa"


class Gateway:
    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], Any]] = []
        self.replies: list[int] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                gateway.received.append((self.path, dict(self.headers), json.loads(body)))
                status = gateway.replies.pop(0) if gateway.replies else 202
                data = json.dumps({"data": {"message_id": f"gw-{len(gateway.received)}"}}).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    server = Gateway()
    yield server
    server.stop()


def configure_gateway(ctx: AppContext, gateway: Gateway) -> None:
    provider = parse_provider("gw", {
        "kind": "http", "url": f"http://127.0.0.1:{gateway.port}/api/sms", "method": "POST",
        "headers": {"Authorization": "Bearer $secret"},
        "body_template": '{"number": "$to", "message": "$text", "reference": "$ref"}',
        "success_status": 202, "id_field": "data.message_id", "timeout": 1})
    ctx.comms.settings.save(CommsSettings(providers={"gw": provider}, sms_order=("gw",)))
    store = SecretStore()
    store.set_for_session("gw", TOKEN)
    ctx.comms.secrets = store


def test_the_gateway_gets_what_its_settings_say(ctx: AppContext, gateway: Gateway) -> None:
    configure_gateway(ctx, gateway)
    use_people(ctx, [Recipient("Jonas Berg", phones=("+4917012345678",))])
    ref = open_incident(ctx)
    ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "update", audience="technical",
                                                 situation={"conditions": 'quotes "and" \\ slashes'}))
    report = ctx.comms.sender(rng=random.Random(1)).run_once()
    assert report.sent == 1
    path, headers, body = gateway.received[0]
    assert path == "/api/sms" and headers["Authorization"] == f"Bearer {TOKEN}"
    assert body["number"] == "+4917012345678" and body["reference"] == ref
    assert 'quotes "and" \\ slashes' in body["message"]  # escaped for JSON by the template
    item = ctx.comms.outbox.list()[0]
    assert item.state == MessageState.SENT
    lines = [e for e in ctx.incidents.detail(ref).timeline if e.kind == "message"]
    assert lines[-1].data["provider_id"] == "gw-1"
    assert TOKEN not in json.dumps([e.to_json() for e in ctx.incidents.detail(ref).timeline])


def test_a_5xx_from_a_gateway_that_cannot_be_asked_is_resent_marked(
        ctx: AppContext, gateway: Gateway, clock: ManualClock) -> None:
    configure_gateway(ctx, gateway)
    use_people(ctx, [Recipient("Jonas Berg", phones=("+4917012345678",))])
    ref = open_incident(ctx)
    gateway.replies = [503]
    ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "update", audience="technical"))
    sender = ctx.comms.sender(rng=random.Random(1))
    sender.run_once()
    assert ctx.comms.outbox.list()[0].state == MessageState.QUEUED
    clock.advance(timedelta(minutes=2))
    sender.run_once()
    item = ctx.comms.outbox.list()[0]
    assert item.state == MessageState.SENT and item.possible_duplicate
    assert len(gateway.received) == 2


def test_gateway_settings_are_checked() -> None:
    with pytest.raises(ValidationError, match="url must be an http"):
        parse_provider("gw", {"kind": "http", "url": "ftp://x"})
    with pytest.raises(ValidationError, match="line break"):
        parse_provider("gw", {"kind": "http", "url": "http://127.0.0.1/x",
                              "headers": {"X-Token": "a\r\nInjected: yes"}})
    with pytest.raises(ValidationError, match="unknown setting 'passwd'"):
        parse_provider("gw", {"kind": "http", "url": "http://127.0.0.1/x", "passwd": "x"})
