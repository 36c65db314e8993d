"""A small HTTP proxy on 127.0.0.1 for the tests: CONNECT tunnels (https through a corporate
proxy) and plain forwarding of absolute-URI requests (http), with optional Basic proxy auth
(407 without it). Records what it was asked to do."""

from __future__ import annotations

import base64
import select
import socket
import socketserver
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class ProxyLog:
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, target)
    refused: int = 0


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client or upstream closing mid-exchange is normal for a proxy."""


class HttpProxy:
    def __init__(self, *, user: str = "", password: str = "") -> None:
        self.credentials = (base64.b64encode(f"{user}:{password}".encode()).decode()
                            if user else "")
        self.log = ProxyLog()
        self.lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    def url(self, *, user: str = "", password: str = "") -> str:
        auth = f"{user}:{password}@" if user else ""
        return f"http://{auth}127.0.0.1:{self.port}"

    def start(self) -> None:
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                proxy._handle(self)

        self._server = _Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    # -- one client connection --------------------------------------------------------------
    def _handle(self, h: socketserver.StreamRequestHandler) -> None:
        line = h.rfile.readline(65536).decode("latin-1").strip()
        if not line:
            return
        method, target, _version = line.split(" ", 2)
        headers: list[tuple[str, str]] = []
        while True:
            raw = h.rfile.readline(65536).decode("latin-1")
            if raw in ("\r\n", "\n", ""):
                break
            name, _, value = raw.partition(":")
            headers.append((name.strip(), value.strip()))
        given = next((v for k, v in headers if k.lower() == "proxy-authorization"), "")
        if self.credentials and given != f"Basic {self.credentials}":
            with self.lock:
                self.log.refused += 1
            h.wfile.write(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                          b"Proxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n"
                          b"Connection: close\r\n\r\n")
            return
        with self.lock:
            self.log.requests.append((method, target))
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            upstream = socket.create_connection((host, int(port)), timeout=10)
            h.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            h.wfile.flush()
            self._pipe(h.connection, upstream)
            return
        parts = urlsplit(target)
        upstream = socket.create_connection((parts.hostname or "", parts.port or 80), timeout=10)
        length = int(next((v for k, v in headers if k.lower() == "content-length"), "0"))
        body = h.rfile.read(length) if length else b""
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        kept = [(k, v) for k, v in headers
                if k.lower() not in ("proxy-authorization", "proxy-connection", "connection")]
        head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in kept)
        upstream.sendall((head + "Connection: close\r\n\r\n").encode("latin-1") + body)
        with upstream:
            while chunk := upstream.recv(65536):
                h.wfile.write(chunk)

    @staticmethod
    def _pipe(client: socket.socket, upstream: socket.socket) -> None:
        with upstream:
            pair = {client: upstream, upstream: client}
            while True:
                ready, _, _ = select.select(list(pair), [], [], 10)
                if not ready:
                    return
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    pair[sock].sendall(data)
