"""A network failure in a few plain words, for the messages of every channel (HTTP, SMTP)."""

from __future__ import annotations

import socket
import ssl


def network_reason(exc: BaseException) -> str:
    """Why a connection or an exchange failed: "timed out", "connection refused", an untrusted
    certificate (with the verifier's message), else the error's own text."""
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate not trusted ({exc.verify_message})"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return str(exc) or type(exc).__name__
