"""The alert webhook listener: the standard library's ThreadingHTTPServer, a writer thread that
commits payloads to the inbox (group commit: one transaction for whatever arrived meanwhile)
before any sender gets its 2xx, and a processor thread that turns the inbox into alerts and
incidents (both threads in channels/alert_inbox.py). Runs inside the console and headless
(`imdesk alerts serve`). The intake it is given is any `AlertIntake` (the application passes
services/alerts/intake.AlertService): the listener imports no service.

Endpoints (POST, `Authorization: Bearer TOKEN`, `Content-Type: application/json`):
  /alertmanager  /grafana  /v2/enqueue (PagerDuty Events v2)  /heartbeat/NAME
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from imdesk.channels.alert_inbox import AlertIntake, InboxProcessor, InboxWriter
from imdesk.channels.http_gate import GatedHTTPServer
from imdesk.channels.http_request import RequestError, read_headers, request_line
from imdesk.domain.alert_accept import MAX_BODY, Accepted, accept
from imdesk.domain.alert_outcome import Outcome
from imdesk.domain.alert_payload import PayloadError
from imdesk.errors import KnownError

log = logging.getLogger(__name__)

ROUTES = {"/alertmanager": "alertmanager", "/grafana": "grafana", "/v2/enqueue": "pagerduty"}
DISCARD_LIMIT = 16 * 1024 * 1024
DISCARD_TIMEOUT_S = 2.0
REQUEST_TIMEOUT_S = 5.0


class ListenerUnavailable(KnownError):
    """The listener could not start (port taken, address not on this machine)."""


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def allowed_hosts(host: str) -> frozenset[str]:
    """Host header names accepted (without the port): a loopback listener answers only to
    loopback names, so a web page cannot reach it through DNS rebinding."""
    names = {"127.0.0.1", "localhost", "::1", host.lower()}
    if not _is_loopback(host):
        names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    return frozenset(names)


_HOST = re.compile(r"(?:\[([0-9a-f:.]+)\]|([a-z0-9.-]+))(?::([0-9]{1,5}))?")


def host_allowed(header: str, hosts: frozenset[str], port: int) -> bool:
    """A Host header parsed strictly: a name, an IPv4 or a bracketed IPv6 address, optionally a
    numeric port equal to the listening one; nothing else (no user@, no spaces, no letters in
    the port)."""
    m = _HOST.fullmatch(header.strip().lower())
    if m is None:
        return False
    name = m.group(1) or m.group(2) or ""
    return name in hosts and (m.group(3) is None or int(m.group(3)) == port)


class _Server(GatedHTTPServer):
    allow_reuse_address = True
    request_queue_size = 128

    listener: AlertListener


_SUCCESS: dict[str, Any] = {"status": "success"}
_STORED = json.dumps(_SUCCESS).encode("utf-8")
_DATE: list[object] = [0, ""]  # the second and its Date header


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart
    timeout = REQUEST_TIMEOUT_S  # a body that stops half-way
    server: _Server

    def handle(self) -> None:
        """One request per turn: the gate gives a kept-alive connection back its next turn."""
        self.close_connection = True
        self.handle_one_request()

    def parse_request(self) -> bool:
        """The request line and header block, read strictly (channels/http_request.py: no
        email parser); a bad one is answered with its 4xx/5xx and the connection closed."""
        self.command = ""  # (none read yet: send_error sends a body)
        self.request_version = self.default_request_version
        self.close_connection = True
        raw: bytes = getattr(self, "raw_requestline", b"")
        self.requestline = str(raw, "iso-8859-1").rstrip("\r\n")
        if not self.requestline.split():
            return False
        try:
            self.command, self.path, self.request_version, number = request_line(raw)
            self.headers = cast(Any, read_headers(self.rfile))
        except RequestError as exc:
            self.request_version = "HTTP/1.1"  # (the error goes out with a status line)
            self.close_connection = True
            self.send_error(exc.status, exc.message)
            return False
        connection = (self.headers.get("Connection") or "").lower()
        self.close_connection = connection == "close" or (
            number < (1, 1) and connection != "keep-alive")
        expect = (self.headers.get("Expect") or "").lower()
        if expect == "100-continue" and number >= (1, 1):
            return self.handle_expect_100()
        return True

    def log_message(self, format: str, *args: Any) -> None:
        if log.isEnabledFor(logging.DEBUG):  # (every reply passes here: no text made for none)
            log.debug("alert listener: %s", format % args)

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header, made once a second (every reply has one)."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        now = int(time.time())
        if _DATE[0] != now:
            _DATE[:] = [now, super().date_time_string(now)]
        return str(_DATE[1])

    def do_GET(self) -> None:
        self._reply(405, {"status": "error", "message": "POST a JSON payload"}, allow="POST")

    def do_PUT(self) -> None:
        self.do_GET()

    def do_POST(self) -> None:
        lst = self.server.listener
        if not host_allowed(self.headers.get("Host", ""), lst.hosts, lst.port):
            return self._refuse(403, "this Host is not served here")
        if not lst.authorized(self.headers.get("Authorization", "")):
            return self._refuse(401, "a valid bearer token is required", auth=True)
        path = urlsplit(self.path).path
        heartbeat = ""
        if path.startswith("/heartbeat/"):
            heartbeat = unquote(path[len("/heartbeat/"):])
            if not heartbeat or "/" in heartbeat:
                return self._refuse(404, "use /heartbeat/NAME")
        elif path not in ROUTES:
            return self._refuse(404, f"no endpoint {path[:80]}; use {', '.join(ROUTES)} or "
                                     "/heartbeat/NAME")
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype != "application/json" and not heartbeat:
            return self._refuse(415, "the body must be application/json")
        if self.headers.get("Transfer-Encoding"):
            return self._refuse(411, "send a Content-Length (no chunked bodies)")
        try:  # a heartbeat may come without a body (curl -X POST URL)
            length = int(self.headers.get("Content-Length", "0" if heartbeat else ""))
        except ValueError:
            return self._refuse(411, "Content-Length is missing or not a number")
        if length > MAX_BODY or length < 0:
            return self._refuse(413, f"the body is larger than {MAX_BODY // 1024} KB")
        body = self.rfile.read(length)
        if heartbeat:
            if not lst.intake.heartbeat_exists(heartbeat):
                return self._reply(404, {"status": "error",
                                         "message": f"no heartbeat named {heartbeat[:80]!r}"})
            accepted = Accepted("heartbeat", heartbeat)
        else:
            try:
                accepted = accept(body, ROUTES[path])
            except PayloadError as exc:
                return self._reply(400, {"status": "invalid event", "message": str(exc)})
            except (ValueError, OverflowError, RecursionError, UnicodeError):
                # A check missed a value out of range: still the sender's error, answered.
                return self._reply(400, {"status": "invalid event",
                                         "message": "a value in the payload is out of range"})
        if not lst.writer.store(accepted):
            return self._refuse(503, "the payload could not be stored; retry")
        if accepted.endpoint == "pagerduty":
            key = accepted.assigned_key or json.loads(accepted.body).get("dedup_key")
            return self._reply(202, {"status": "success", "message": "Event processed",
                                     "dedup_key": key})
        self._reply(200, _SUCCESS)

    def _refuse(self, code: int, message: str, *, auth: bool = False) -> None:
        """Refuse before reading the body; then close, discarding what the sender still sends
        (bounded) so that it reads the reply instead of a connection reset."""
        extra = {"www_authenticate": 'Bearer realm="imdesk"'} if auth else {}
        self._reply(code, {"status": "error", "message": message}, close=True, **extra)
        self.wfile.flush()
        try:
            left = min(int(self.headers.get("Content-Length") or 0), DISCARD_LIMIT)
        except ValueError:
            left = 0
        try:
            self.connection.settimeout(DISCARD_TIMEOUT_S)
            while left > 0:
                chunk = self.rfile.read(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)
        except OSError:
            pass

    def _reply(self, code: int, data: dict[str, Any], *, close: bool = False, allow: str = "",
               www_authenticate: str = "") -> None:
        payload = _STORED if data is _SUCCESS else json.dumps(data).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if allow:
            self.send_header("Allow", allow)
        if www_authenticate:
            self.send_header("WWW-Authenticate", www_authenticate)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(payload)


class AlertListener:
    """The HTTP server with its writer and processor threads. start() binds or raises
    ListenerUnavailable; stop() shuts all three down."""

    def __init__(self, intake: AlertIntake, token: str, *, host: str = "127.0.0.1", port: int = 0,
                 on_outcome: Callable[[Outcome], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None,
                 on_stored: Callable[[], None] | None = None) -> None:
        """With `on_stored` the inbox is processed elsewhere (`alerts serve` runs the processor
        in a process of its own): it is called after each commit of the writer, and this
        listener runs no processor thread."""
        self.intake = intake
        self._token = token.encode("utf-8")
        self.host = host
        self.port = port
        self.hosts = allowed_hosts(host)
        self.processor: InboxProcessor | None = None
        if on_stored is None:
            self.processor = InboxProcessor(intake, on_outcome or (lambda _o: None), on_error,
                                            between=lambda: self.writer.let_go_first(),
                                            quiet=lambda: self.writer.quiet())
            on_stored = self.processor.wake
        self.writer = InboxWriter(intake, on_stored)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def token(self) -> str:
        return self._token.decode("utf-8")

    def set_token(self, token: str) -> None:
        self._token = token.encode("utf-8")

    def authorized(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        return (scheme.lower() == "bearer" and bool(self._token)
                and hmac.compare_digest(value.strip().encode("utf-8"), self._token))

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        try:
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            server_class = type("AlertServer", (_Server,), {"address_family": family})
            server = server_class((self.host, self.port), _Handler)
        except OSError as exc:
            reason = ("the port is in use by another program" if exc.errno in (98, 48, 10048)
                      else exc.strerror or str(exc))
            raise ListenerUnavailable(f"the alert listener cannot listen on {self.host}:{self.port}: "
                                      f"{reason}", hint="Choose another port in the alert settings.") from exc
        server.listener = self
        self.port = int(server.server_address[1])
        self._server = server
        self.writer.start()
        if self.processor is not None:
            self.processor.start()
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="imdesk-alert-listener", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self.writer.stop()
        if self.processor is not None:
            self.processor.stop()
        self._server = None
