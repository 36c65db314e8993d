"""The webhook bearer token, kept in the OS keyring only (never the database, logs or settings).

The keyring is reached through the secret store (credentials/store.py), the one keyring path:
every call runs in a worker thread with a timeout, so a locked keyring that opens a prompt, or a
D-Bus that never answers, does not hang the caller; only an OS keyring is used, never a plain-text
one. read_secret and write_secret turn the store's states into SecretUnavailable with a hint.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from imdesk.credentials.store import SERVICE, CredentialError, CredentialState, SecretStore
from imdesk.errors import KnownError

KEYRING_SERVICE = SERVICE
TOKEN_NAME = "alert-webhook-token"
TIMEOUT_S = 5.0
_UNLOCK = "Unlock it and try again."
_INSTALL = "Install and start a Secret Service (e.g. gnome-keyring)."


class SecretUnavailable(KnownError):
    """No usable keyring: none installed, locked, or not answering in time."""


def _unavailable(store: SecretStore, state: CredentialState, cause: str,
                 timeout: float) -> SecretUnavailable:
    """Why the token cannot be read or kept, in the words the desk has always shown."""
    if state == CredentialState.TIMED_OUT:
        return SecretUnavailable(f"the keyring did not answer within {timeout:.0f} s", hint=_UNLOCK)
    if cause == "KeyringLocked":
        return SecretUnavailable("the keyring is locked", hint=_UNLOCK)
    if cause == "NoKeyringError":
        return SecretUnavailable("no keyring is available on this desk", hint=_INSTALL)
    if cause:
        return SecretUnavailable(f"the keyring refused ({cause})")
    if state in (CredentialState.NO_KEYRING, CredentialState.PLAINTEXT_REFUSED):
        return SecretUnavailable(f"no secure keyring ({type(store.backend()).__name__})", hint=_INSTALL)
    return SecretUnavailable(f"the keyring cannot be used: {state.label}", hint=_UNLOCK)


def read_secret(name: str, timeout: float = TIMEOUT_S) -> str | None:
    store = SecretStore(timeout=timeout)
    found = store.read_entry(name)
    if found.state == CredentialState.AVAILABLE:
        return found.secret
    if found.state == CredentialState.MISSING:
        return None
    raise _unavailable(store, found.state, found.cause, timeout)


def write_secret(name: str, value: str, timeout: float = TIMEOUT_S) -> None:
    store = SecretStore(timeout=timeout)
    try:
        store.write_entry(name, value)
    except CredentialError as exc:
        raise _unavailable(store, exc.state, exc.cause, timeout) from None


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
