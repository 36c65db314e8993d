"""A small HTTP client over http.client: per-request timeouts, TLS with an optional CA file,
and errors mapped onto send outcomes (connect failure vs. a request that went out)."""

from __future__ import annotations

import base64
import http.client
import json
import ssl
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from imdesk.channels.network_errors import network_reason
from imdesk.channels.outcomes import InDoubt, ProviderUnreachable


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes = field(repr=False)

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8") or "null")
        except (UnicodeDecodeError, ValueError):
            return None

    def retry_after(self) -> float | None:
        value = self.headers.get("retry-after", "").strip()
        if value.isdigit():
            return float(value)
        if value:
            from email.utils import parsedate_to_datetime

            try:
                from datetime import UTC, datetime

                return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
            except (TypeError, ValueError):
                return None
        return None


def basic_auth(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode("ascii")


class HttpClient:
    """One host; a fresh connection per request (the SMS APIs are request/response)."""

    def __init__(self, base_url: str, *, timeout: float = 15.0, ca_file: str = "") -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self._ctx: ssl.SSLContext | None = None
        if parts.scheme == "https":
            self._ctx = ssl.create_default_context(cafile=ca_file or None)

    def _connection(self) -> http.client.HTTPConnection:
        if self._ctx is not None:
            return http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout,
                                               context=self._ctx)
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def request(self, method: str, path: str, *, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Response:
        """ProviderUnreachable when no connection was made (nothing sent); InDoubt when the
        request may have reached the server but no complete answer came back."""
        conn = self._connection()
        where = f"{self.host}:{self.port or (443 if self._ctx else 80)}"
        try:
            try:
                conn.connect()
            except (OSError, ssl.SSLError) as exc:
                raise ProviderUnreachable(f"cannot connect to {where}: {network_reason(exc)}") from None
            try:
                conn.request(method, self.prefix + path, body=body, headers=headers or {})
                reply = conn.getresponse()
                data = reply.read()
            except (OSError, http.client.HTTPException) as exc:
                if method == "GET":
                    raise ProviderUnreachable(f"{where} did not answer: {network_reason(exc)}") from None
                raise InDoubt(f"{where} did not answer the request: {network_reason(exc)}") from None
            return Response(reply.status, {k.lower(): v for k, v in reply.getheaders()}, data)
        finally:
            conn.close()
