"""The alert webhook listener: the standard library's ThreadingHTTPServer, a writer thread that
commits payloads to the inbox (group commit: one transaction for whatever arrived meanwhile)
before any sender gets its 2xx, and a processor thread that turns the inbox into alerts and
incidents. Runs inside the console and headless (`imdesk alerts serve`).

Endpoints (POST, `Authorization: Bearer TOKEN`, `Content-Type: application/json`):
  /alertmanager  /grafana  /v2/enqueue (PagerDuty Events v2)  /heartbeat/NAME
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import queue
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from imdesk.domain.alert_payload import PayloadError
from imdesk.errors import KnownError
from imdesk.services.alerts.apply import Outcome
from imdesk.services.alerts.intake import MAX_BODY, Accepted, AlertService, accept

log = logging.getLogger(__name__)

ROUTES = {"/alertmanager": "alertmanager", "/grafana": "grafana", "/v2/enqueue": "pagerduty"}
STORE_TIMEOUT_S = 10.0
WRITER_BATCH = 500
WRITER_FIRST_S = 5.0
QUIET_S = 0.05
PROCESS_BUDGET_S = 0.01  # a processing transaction holds the write lock about this long
DISCARD_LIMIT = 16 * 1024 * 1024
DISCARD_TIMEOUT_S = 2.0


class ListenerUnavailable(KnownError):
    """The listener could not start (port taken, address not on this machine)."""


@dataclass
class _Pending:
    accepted: Accepted
    done: threading.Event = field(default_factory=threading.Event)
    ok: bool = False


class InboxWriter:
    """Commits payloads to the inbox in batches; each request waits until its row is durable."""

    def __init__(self, intake: AlertService, on_stored: Callable[[], None]) -> None:
        self._intake = intake
        self._on_stored = on_stored
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._idle = threading.Event()
        self._idle.set()
        self._last_commit = 0.0
        self._thread = threading.Thread(target=self._run, name="imdesk-inbox-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(STORE_TIMEOUT_S)

    def store(self, accepted: Accepted) -> bool:
        """True once the payload is committed (False: the database refused or took too long)."""
        pending = _Pending(accepted)
        self._idle.clear()
        self._queue.put(pending)
        return pending.done.wait(STORE_TIMEOUT_S) and pending.ok

    def _run(self) -> None:
        inbox = self._intake.open_inbox_writer()
        try:
            self._loop(inbox)
        finally:
            inbox.close()

    def _loop(self, inbox: Any) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < WRITER_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            try:
                inbox.store([p.accepted for p in batch])
                ok = True
            except Exception:
                log.exception("alert payloads could not be stored")
                ok = False
            for p in batch:
                p.ok = ok
                p.done.set()
            self._last_commit = time.monotonic()
            if self._queue.empty():
                self._idle.set()
            if ok:
                self._on_stored()
            if stop:
                return

    def let_go_first(self) -> None:
        """Replies come before processing: wait until no payload has arrived for QUIET_S, but
        no longer than WRITER_FIRST_S, so that processing still moves in a storm that never
        pauses (then about one short transaction in WRITER_FIRST_S)."""
        deadline = time.monotonic() + WRITER_FIRST_S
        while time.monotonic() < deadline:
            if not self._idle.wait(QUIET_S):
                continue
            if time.monotonic() - self._last_commit >= QUIET_S:
                return
            self._idle.wait(QUIET_S)
            if self._queue.empty() and time.monotonic() - self._last_commit >= QUIET_S:
                return


class _Stopping(Exception):
    pass


class InboxProcessor:
    """Processes the inbox whenever payloads were stored (and once at start: what a killed
    process left unprocessed). Reports each round that processed rows through `on_outcome`
    (called on this thread)."""

    def __init__(self, intake: AlertService, on_outcome: Callable[[Outcome], None],
                 on_error: Callable[[BaseException], None] | None = None,
                 between: Callable[[], None] | None = None) -> None:
        self._intake = intake
        self._between = between
        self._on_outcome = on_outcome
        self._on_error = on_error
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="imdesk-inbox-processor", daemon=True)

    def start(self) -> None:
        self._wake.set()
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join(STORE_TIMEOUT_S * 3)

    def _next_transaction(self) -> None:
        if self._stopping.is_set():
            raise _Stopping  # what is left stays in the inbox for the next start
        if self._between is not None:
            self._between()
        if self._stopping.is_set():
            raise _Stopping

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stopping.is_set():
                return
            self._drain()
            if self._stopping.is_set():
                return

    def _drain(self) -> None:
        """One short transaction at a time, each reported, until the inbox is empty."""
        while True:
            try:
                outcome = self._intake.process_pending(batch=50, budget_s=PROCESS_BUDGET_S,
                                                       between=self._next_transaction,
                                                       transactions=1)
            except _Stopping:
                return
            except Exception as exc:  # the database went away: try again on the next payload
                log.exception("alert processing failed")
                if self._on_error is not None:
                    self._on_error(exc)
                return
            if not outcome.processed:
                return
            self._on_outcome(outcome)


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


def _host_name(header: str) -> str:
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    listener: AlertListener


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("alert listener: %s", format % args)

    def do_GET(self) -> None:
        self._reply(405, {"status": "error", "message": "POST a JSON payload"}, allow="POST")

    def do_PUT(self) -> None:
        self.do_GET()

    def do_POST(self) -> None:
        lst = self.server.listener
        if _host_name(self.headers.get("Host", "")) not in lst.hosts:
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
        if not lst.writer.store(accepted):
            return self._refuse(503, "the payload could not be stored; retry")
        if accepted.endpoint == "pagerduty":
            key = accepted.assigned_key or json.loads(accepted.body).get("dedup_key")
            return self._reply(202, {"status": "success", "message": "Event processed",
                                     "dedup_key": key})
        self._reply(200, {"status": "success"})

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
        payload = json.dumps(data).encode("utf-8")
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

    def __init__(self, intake: AlertService, token: str, *, host: str = "127.0.0.1", port: int = 0,
                 on_outcome: Callable[[Outcome], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None) -> None:
        self.intake = intake
        self._token = token.encode("utf-8")
        self.host = host
        self.port = port
        self.hosts = allowed_hosts(host)
        self.processor = InboxProcessor(intake, on_outcome or (lambda _o: None), on_error,
                                        between=lambda: self.writer.let_go_first())
        self.writer = InboxWriter(intake, self.processor.wake)
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
        self.processor.stop()
        self._server = None
