"""The webhook bearer token, kept in the OS keyring only (never the database, logs or settings).

Every keyring call runs in a worker thread with a timeout: a locked keyring that opens a prompt,
or a D-Bus that never answers, must not hang the caller. The two functions read_secret and
write_secret are the whole keyring surface, so a general credentials store can replace them.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from imdesk.errors import KnownError

KEYRING_SERVICE = "imdesk"
TOKEN_NAME = "alert-webhook-token"
TIMEOUT_S = 5.0
T = TypeVar("T")


class SecretUnavailable(KnownError):
    """No usable keyring: none installed, locked, or not answering in time."""


def _with_timeout(fn: Callable[[], T], timeout: float) -> T:
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = fn()
        except BaseException as exc:  # handed to the caller
            result["error"] = exc

    worker = threading.Thread(target=run, name="imdesk-keyring", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise SecretUnavailable(f"the keyring did not answer within {timeout:.0f} s",
                                hint="Unlock it and try again.")
    if isinstance(result.get("error"), SecretUnavailable):
        raise result["error"]
    if "error" in result:
        raise _explain(result["error"]) from result["error"]
    return result["value"]  # type: ignore[no-any-return]


def _explain(exc: BaseException) -> SecretUnavailable:
    name = type(exc).__name__
    if name == "KeyringLocked":
        return SecretUnavailable("the keyring is locked", hint="Unlock it and try again.")
    if name == "NoKeyringError":
        return SecretUnavailable("no keyring is available on this desk",
                                 hint="Install and start a Secret Service (e.g. gnome-keyring).")
    return SecretUnavailable(f"the keyring refused ({name})")


def _backend_is_safe(keyring: Any) -> None:
    backend = keyring.get_keyring()
    module = type(backend).__module__
    if module.startswith("keyrings.alt") or "null" in module or module.endswith(".fail"):
        raise SecretUnavailable(f"no secure keyring ({type(backend).__name__})",
                                hint="Install and start a Secret Service (e.g. gnome-keyring).")


def read_secret(name: str, timeout: float = TIMEOUT_S) -> str | None:
    def get() -> str | None:
        import keyring

        _backend_is_safe(keyring)
        value: str | None = keyring.get_password(KEYRING_SERVICE, name)
        return value

    return _with_timeout(get, timeout)


def write_secret(name: str, value: str, timeout: float = TIMEOUT_S) -> None:
    def put() -> None:
        import keyring

        _backend_is_safe(keyring)
        keyring.set_password(KEYRING_SERVICE, name, value)

    _with_timeout(put, timeout)


@dataclass(frozen=True)
class Token:
    """The token the listener checks. `new`: just made (show it once for copying);
    `problem`: why it lives only for this session (no keyring)."""

    value: str = ""
    new: bool = False
    problem: str = ""

    def __repr__(self) -> str:  # never in logs or tracebacks
        return f"Token(new={self.new}, problem={self.problem!r})"

    __str__ = __repr__


def new_token_value() -> str:
    return secrets.token_urlsafe(32)


def load_or_create_token(timeout: float = TIMEOUT_S) -> Token:
    """The stored token, or a new one stored now; without a keyring a token for this session."""
    try:
        value = read_secret(TOKEN_NAME, timeout)
        if value:
            return Token(value)
        value = new_token_value()
        write_secret(TOKEN_NAME, value, timeout)
        return Token(value, new=True)
    except SecretUnavailable as exc:
        return Token(new_token_value(), new=True, problem=str(exc))


def rotate_token(timeout: float = TIMEOUT_S) -> Token:
    """A new token replaces the old one (senders must be given the new one)."""
    value = new_token_value()
    write_secret(TOKEN_NAME, value, timeout)
    return Token(value, new=True)
