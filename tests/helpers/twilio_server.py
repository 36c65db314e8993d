"""A local HTTP server speaking Twilio's Messages API (create, fetch, list) on 127.0.0.1, with
scripted faults: 429 + Retry-After, 500 before or after creating the message, a reply that
never comes (timeout, message created), and statuses moving queued → sent → delivered or
undelivered as they are fetched."""

from __future__ import annotations

import base64
import json
import re
import ssl
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ACCOUNT = "AC0123456789abcdef0123456789abcdef"
_CREATE = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages\.json$")
_FETCH = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages/([^/]+)\.json$")


@dataclass
class Sms:
    sid: str
    to: str
    from_: str
    body: str
    created: datetime
    fetches: int = 0
    undeliverable: bool = False

    @property
    def status(self) -> str:
        if self.fetches == 0:
            return "queued"
        if self.fetches == 1:
            return "sent"
        return "undelivered" if self.undeliverable else "delivered"

    def to_json(self) -> dict[str, Any]:
        return {"sid": self.sid, "status": self.status, "to": self.to, "from": self.from_,
                "body": self.body, "num_segments": "1",
                "date_created": format_datetime(self.created),
                "error_code": 30003 if self.status == "undelivered" else None,
                "error_message": "Unreachable destination handset" if self.status == "undelivered"
                else None}


@dataclass
class TwilioScript:
    """Faults for the next creates, one per request: "429", "500-before", "500-after",
    "hang-after" (created, no answer in time), "" (normal)."""

    creates: list[str] = field(default_factory=list)
    retry_after: int = 7
    invalid: set[str] = field(default_factory=set)        # numbers refused with 400 / 21211
    undeliverable: set[str] = field(default_factory=set)  # created, end as undelivered


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client killed mid-request (the kill -9 test) is expected, not news."""


class TwilioServer:
    def __init__(self, token: str, *, hang: float = 3.0, tls: ssl.SSLContext | None = None) -> None:
        self.token = token
        self.tls = tls
        self.script = TwilioScript()
        self.messages: dict[str, Sms] = {}
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.hang = hang
        self._counter = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._release = threading.Event()
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"https://localhost:{self.port}" if self.tls else f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                server._handle(self, "POST")

            def do_GET(self) -> None:
                server._handle(self, "GET")

        self._release.clear()
        self._httpd = _QuietServer(("127.0.0.1", self.port), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        if self.tls is not None:
            self._httpd.socket = self.tls.wrap_socket(self._httpd.socket, server_side=True)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._release.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(5)

    def sent(self) -> list[tuple[str, str]]:
        """(to, body) of every message created."""
        with self.lock:
            return [(m.to, m.body) for m in self.messages.values()]

    # -- the API --------------------------------------------------------------------------------
    def _reply(self, h: BaseHTTPRequestHandler, status: int, body: Any,
               headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        if len(raw) < length:  # the client was gone before its request was whole (a kill):
            return  # nothing to answer, nothing created — as at the real provider
        with self.lock:
            self.requests.append((method, parts.path))
        expected = "Basic " + base64.b64encode(f"{ACCOUNT}:{self.token}".encode()).decode()
        if h.headers.get("Authorization") != expected:
            self._reply(h, 401, {"code": 20003, "message": "Authenticate", "status": 401})
            return
        create = _CREATE.match(parts.path)
        fetch = _FETCH.match(parts.path)
        if method == "POST" and create:
            self._create(h, {k: v[0] for k, v in parse_qs(raw.decode()).items()})
        elif method == "GET" and fetch:
            with self.lock:
                sms = self.messages.get(fetch.group(2))
                if sms is not None:
                    sms.fetches += 1
                    body = sms.to_json()
            if sms is None:
                self._reply(h, 404, {"code": 20404, "message": "not found", "status": 404})
            else:
                self._reply(h, 200, body)
        elif method == "GET" and create:
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            with self.lock:
                found = [m.to_json() for m in self.messages.values()
                         if m.to == query.get("To", m.to)]
            self._reply(h, 200, {"messages": found, "page": 0})
        else:
            self._reply(h, 404, {"code": 20404, "message": "not found", "status": 404})

    def _create(self, h: BaseHTTPRequestHandler, form: dict[str, str]) -> None:
        with self.lock:
            fault = self.script.creates.pop(0) if self.script.creates else ""
        if fault == "429":
            self._reply(h, 429, {"code": 20429, "message": "Too Many Requests", "status": 429},
                        {"Retry-After": str(self.script.retry_after)})
            return
        if fault == "500-before":
            self._reply(h, 500, {"code": 20500, "message": "Internal Server Error", "status": 500})
            return
        to = form.get("To", "")
        if not to or not form.get("Body"):  # Twilio's 21604 / 21602: nothing is created
            self._reply(h, 400, {"code": 21604 if not to else 21602, "status": 400,
                                 "message": "A 'To' phone number is required." if not to
                                 else "Message body is required."})
            return
        if to in self.script.invalid:
            self._reply(h, 400, {"code": 21211, "message": f"The 'To' number {to} is not a valid "
                                                           "phone number.", "status": 400})
            return
        with self.lock:
            self._counter += 1
            sid = f"SM{self._counter:032x}"
            sms = Sms(sid, to, form.get("From", ""), form.get("Body", ""), datetime.now(UTC),
                      undeliverable=to in self.script.undeliverable)
            self.messages[sid] = sms
            body = sms.to_json()
        if fault == "500-after":
            self._reply(h, 500, {"code": 20500, "message": "Internal Server Error", "status": 500})
            return
        if fault == "hang-after":
            self._release.wait(self.hang)  # the client times out first
            return
        self._reply(h, 201, body)
