"""An HTTP server that floods cannot stall: a connection gets a worker thread only once its
request has arrived (the headers and the first part of the body), so slow, partial or held
connections wait in one selector thread (no thread each) and are closed at their deadline; a
fixed pool of workers answers complete requests. A sender that goes away early is one counted
log line, not a traceback.

The handler answers one request per turn (``handle`` = one ``handle_one_request``); a kept-alive
connection waits for its next request at the gate again. The handler's socket timeout bounds a
body that stops half-way.
"""

from __future__ import annotations

import contextlib
import logging
import math
import selectors
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import HTTPServer
from typing import Any

log = logging.getLogger(__name__)

WORKERS = 8
HEADER_DEADLINE_S = 5.0  # the whole request head (and up to PEEK_BODY of the body) within this
PEEK_LIMIT = 64 * 1024
PEEK_BODY = 32 * 1024
PARK_FIRST_S, PARK_MAX_S = 0.001, 0.05  # a partly arrived request: looked at again after
MAX_WAITING = 4096  # connections waiting for their request; more are closed at once


def request_ready(peeked: bytes) -> bool:
    """Has the request head arrived, and the body (up to PEEK_BODY of it) after it?"""
    end = peeked.find(b"\r\n\r\n")
    if end < 0:
        return len(peeked) >= PEEK_LIMIT  # a head this long: the handler refuses it
    length = 0
    for line in peeked[:end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            value = value.strip()
            length = int(value) if value.isdigit() and len(value) < 10 else 0
    return len(peeked) - (end + 4) >= min(length, PEEK_BODY)


class GatedHTTPServer(HTTPServer):
    """HTTPServer whose connections pass the gate before a pooled worker handles them."""

    daemon_threads = True
    workers = WORKERS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._selector = selectors.DefaultSelector()
        self._waiting: dict[socket.socket, tuple[Any, float]] = {}
        self._parked: dict[socket.socket, tuple[float, float]] = {}  # → (look again at, pause)
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="imdesk-alert-worker")
        self._gate_stop = threading.Event()
        self._gate = threading.Thread(target=self._run_gate, name="imdesk-alert-gate", daemon=True)
        self.dropped = 0  # connections closed early (by the sender, or at the deadline)
        # The gate always waits in select, never in a sleep: a kept-alive connection coming back
        # is seen as soon as its next request arrives (a sleep of 50 ms when no connection was
        # waiting put that on most replies in a storm and cut intake from ~1,500/s to ~300/s).
        # epoll sees a connection registered during its wait; other selectors are woken by a
        # byte on this pair of sockets.
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        self._needs_wake = not isinstance(self._selector, getattr(selectors, "EpollSelector", ()))
        try:
            super().__init__(*args, **kwargs)  # binds (and closes itself if that fails)
        except BaseException:
            self._close_wake()
            raise
        self._gate.start()

    # -- accepting ----------------------------------------------------------------------
    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            if len(self._waiting) >= MAX_WAITING:
                self._count_drop("too many connections waiting")
                self.shutdown_request(request)
                return
            request.setblocking(False)
            self._waiting[request] = (client_address, time.monotonic() + HEADER_DEADLINE_S)
            self._selector.register(request, selectors.EVENT_READ)
        if self._needs_wake:
            with contextlib.suppress(OSError):  # full: the gate is woken already
                self._wake_w.send(b"\0")

    def _run_gate(self) -> None:
        while not self._gate_stop.is_set():
            try:
                events = self._selector.select(timeout=self._next_look())
            except (OSError, ValueError):
                events = []
                self._gate_stop.wait(0.01)  # the selector is closing: no busy loop meanwhile
            for key, _mask in events:
                if key.fileobj is self._wake_r:
                    with contextlib.suppress(OSError):
                        while self._wake_r.recv(4096):
                            pass
                else:
                    self._look(key.fileobj)  # type: ignore[arg-type]
            self._unpark()
            self._expire()

    # A connection whose request has only partly arrived stays readable (its bytes wait in the
    # socket): watched at once again, it kept the gate thread busy at 100 % CPU until the rest
    # came or its deadline passed. It is set aside instead and looked at again after a pause
    # that doubles (PARK_FIRST_S .. PARK_MAX_S) while nothing completes it.
    def _park(self, sock: socket.socket) -> None:
        with self._lock:
            if sock not in self._waiting:
                return
            with contextlib.suppress(KeyError, ValueError, OSError):
                self._selector.unregister(sock)
            pause = min(PARK_MAX_S, self._parked.get(sock, (0.0, PARK_FIRST_S / 2))[1] * 2)
            self._parked[sock] = (time.monotonic() + pause, pause)

    def _unpark(self) -> None:
        now = time.monotonic()
        with self._lock:
            due = [s for s, (at, _p) in self._parked.items() if at <= now]
            for sock in due:
                if sock in self._waiting:  # watched again; its pause kept (it doubles)
                    self._parked[sock] = (math.inf, self._parked[sock][1])
                    with contextlib.suppress(KeyError, ValueError, OSError):
                        self._selector.register(sock, selectors.EVENT_READ)
                else:
                    del self._parked[sock]

    def _next_look(self) -> float:
        with self._lock:
            soonest = min((at for at, _p in self._parked.values()), default=math.inf)
        if soonest == math.inf:
            return 0.1
        return min(0.1, max(0.0, soonest - time.monotonic()))

    def _look(self, sock: socket.socket) -> None:
        try:
            peeked = sock.recv(PEEK_LIMIT, socket.MSG_PEEK)
        except BlockingIOError:
            return
        except OSError:
            peeked = b""
        if not peeked:
            self._release(sock)
            self._count_drop("the sender closed the connection before its request")
            self.shutdown_request(sock)
            return
        if request_ready(peeked):
            address = self._release(sock)
            sock.setblocking(True)
            self._pool.submit(self._work, sock, address)
        else:
            self._park(sock)

    def _expire(self) -> None:
        now = time.monotonic()
        with self._lock:
            late = [s for s, (_a, deadline) in self._waiting.items() if deadline < now]
        for sock in late:
            self._release(sock)
            self._count_drop("a request did not arrive within its deadline")
            self.shutdown_request(sock)

    def _release(self, sock: socket.socket) -> Any:
        with self._lock:
            address, _deadline = self._waiting.pop(sock, (None, 0.0))
            self._parked.pop(sock, None)
            with contextlib.suppress(KeyError, ValueError, OSError):
                self._selector.unregister(sock)
        return address

    def _work(self, request: Any, client_address: Any) -> None:
        """One request; a kept-alive connection goes back to the gate to wait for the next one
        (without a thread), a closed one is shut."""
        keep = False
        try:
            handler = self.RequestHandlerClass(request, client_address, self)  # type: ignore[arg-type]
            keep = not getattr(handler, "close_connection", True) and not self._gate_stop.is_set()
        except Exception:
            self.handle_error(request, client_address)
        if keep:
            self.process_request(request, client_address)
        else:
            self.shutdown_request(request)

    # -- errors -------------------------------------------------------------------------
    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            self._count_drop(f"the connection broke ({exc.__class__.__name__})")
        else:
            log.error("alert listener: a request failed: %s", exc, exc_info=exc)

    def _count_drop(self, why: str) -> None:
        self.dropped += 1
        log.info("alert listener: %s (%d so far)", why, self.dropped)

    def server_close(self) -> None:
        self._gate_stop.set()
        if self._gate.is_alive():
            self._gate.join(timeout=2)
        with self._lock:
            waiting = list(self._waiting)
            self._waiting.clear()
        for sock in waiting:
            with contextlib.suppress(KeyError, ValueError, OSError):
                self._selector.unregister(sock)
            self.shutdown_request(sock)
        self._selector.close()
        self._close_wake()
        self._pool.shutdown(wait=False, cancel_futures=True)
        super().server_close()

    def _close_wake(self) -> None:
        self._wake_r.close()
        self._wake_w.close()
