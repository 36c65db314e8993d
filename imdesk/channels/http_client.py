"""HTTP for the SMS providers, over httpx: proxies from the environment (HTTPS_PROXY,
HTTP_PROXY, ALL_PROXY, NO_PROXY, with user:password in the proxy URL for proxy auth), a timeout
on every request, TLS against the system store or a CA file, and errors mapped onto send
outcomes (no connection made vs. a request that may have gone out)."""

from __future__ import annotations

import base64
import json
import ssl
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

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


def _reason(exc: BaseException) -> str:
    """The innermost cause in plain words (httpx wraps the socket and TLS errors)."""
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    inner: BaseException = exc
    seen = 0
    while (inner.__cause__ or inner.__context__) is not None and seen < 8:
        inner = inner.__cause__ or inner.__context__  # type: ignore[assignment]
        seen += 1
        if isinstance(inner, ssl.SSLCertVerificationError | ConnectionRefusedError | TimeoutError):
            return network_reason(inner)
    return network_reason(exc)


class HttpClient:
    """One provider's base URL; a fresh connection per request (the SMS APIs are request and
    response, and a reused connection the server dropped would put a send in doubt)."""

    def __init__(self, base_url: str, *, timeout: float = 15.0, ca_file: str = "") -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.base = base_url.rstrip("/")
        self.host = parts.hostname
        self.where = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
        self.timeout = timeout
        # made once (system store or the CA file): httpx would load its own bundle per client
        https = parts.scheme == "https"
        self._verify = ssl.create_default_context(cafile=(ca_file or None) if https else None)

    def request(self, method: str, path: str, *, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Response:
        """ProviderUnreachable when no connection was made (nothing sent); InDoubt when the
        request may have reached the server but no complete answer came back."""
        where = self.where
        try:
            with httpx.Client(verify=self._verify, timeout=httpx.Timeout(self.timeout), trust_env=True,
                              follow_redirects=False) as client:
                reply = client.request(method, self.base + path, content=body, headers=headers or {})
                if reply.status_code == 407:  # the proxy's answer: the request never left it
                    raise ProviderUnreachable(f"cannot connect to {where}: the proxy asks for "
                                              "credentials (407); put them in the proxy URL")
                return Response(reply.status_code, {k.lower(): v for k, v in reply.headers.items()},
                                reply.content)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise ProviderUnreachable(f"cannot connect to {where}: {_reason(exc)}") from None
        except (httpx.ProxyError, httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise ProviderUnreachable(f"cannot connect to {where} (proxy or URL): {exc}") from None
        except (httpx.TransportError, httpx.DecodingError) as exc:
            if method == "GET":
                raise ProviderUnreachable(f"{where} did not answer: {_reason(exc)}") from None
            raise InDoubt(f"{where} did not answer the request: {_reason(exc)}") from None
