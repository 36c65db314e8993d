"""The secret store: the OS keyring through `keyring`, every call off the caller's thread with
a timeout, and states a user can act on (no keyring, locked, timed out, rejected). It is the one
keyring path: provider secrets (`get`/`set`) and single named entries such as the alert webhook
token (`read_entry`/`write_entry`, credentials/webhook_token.py).

A secret never leaves this module except to the provider that uses it: it is not logged, not
put into an exception's message, and not part of any repr.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from imdesk.credentials.backends import BackendInfo, BackendKind, classify

SERVICE = "imdesk"
DEFAULT_TIMEOUT = 5.0
T = TypeVar("T")


class CredentialState(StrEnum):
    AVAILABLE = "available"            # in the OS keyring
    SESSION = "session"                # kept in memory for this session only (no keyring)
    MISSING = "missing"                # the keyring works; nothing stored for this provider
    NO_KEYRING = "no_keyring"          # no keyring on this machine
    PLAINTEXT_REFUSED = "plaintext_refused"  # only a plain-text store is there, not chosen
    LOCKED = "locked"                  # the keyring is locked
    TIMED_OUT = "timed_out"            # the keyring did not answer in time
    REJECTED = "rejected"              # the provider refused the stored secret

    @property
    def usable(self) -> bool:
        return self in (CredentialState.AVAILABLE, CredentialState.SESSION)

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    CredentialState.AVAILABLE: "stored in the keyring",
    CredentialState.SESSION: "kept for this session only",
    CredentialState.MISSING: "not set",
    CredentialState.NO_KEYRING: "no keyring on this computer",
    CredentialState.PLAINTEXT_REFUSED: "only a plain text keyring is available (not allowed)",
    CredentialState.LOCKED: "the keyring is locked",
    CredentialState.TIMED_OUT: "the keyring did not answer in time",
    CredentialState.REJECTED: "rejected by the provider",
}


@dataclass(frozen=True)
class SecretLookup:
    """The outcome of reading one provider's secret."""

    state: CredentialState
    where: str
    secret: str | None = field(default=None, repr=False)
    cause: str = ""  # the keyring error's class name, when the state comes from one

    @property
    def usable(self) -> bool:
        return self.state.usable and self.secret is not None


class CredentialError(Exception):
    """Storing a secret failed; `state` says why (never the secret)."""

    def __init__(self, state: CredentialState, message: str, cause: str = "") -> None:
        super().__init__(message)
        self.state = state
        self.cause = cause  # the keyring error's class name, when the state comes from one


class _TimedOut(Exception):
    pass


def _with_timeout(fn: Callable[[], T], timeout: float) -> T:
    """Run fn in a daemon thread: a hung keyring (a prompt nobody sees) cannot hang imdesk."""
    box: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="imdesk-keyring", daemon=True).start()
    if not done.wait(timeout):
        raise _TimedOut
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


def _username(provider: str) -> str:
    return f"provider:{provider}"


class SecretStore:
    """Secrets per provider name. Thread-safe; every keyring call has a timeout."""

    def __init__(self, *, backend: Any | None = None, allow_plaintext: bool = False,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self._backend = backend
        self.allow_plaintext = allow_plaintext
        self.timeout = timeout
        self._session: dict[str, str] = {}
        self._rejected: set[str] = set()
        self._lock = threading.Lock()

    # -- the backend --------------------------------------------------------------------------
    def backend(self) -> Any:
        if self._backend is None:
            try:
                import keyring

                self._backend = keyring.get_keyring()
            except Exception as exc:  # e.g. PYTHON_KEYRING_BACKEND names a module that is not there
                import logging

                from keyring.backends import fail

                logging.getLogger(__name__).info("the keyring backend cannot be loaded: %s", exc)
                self._backend = fail.Keyring()  # type: ignore[no-untyped-call]
        return self._backend

    def backend_info(self) -> BackendInfo:
        return classify(self.backend())

    def _refusal(self) -> tuple[CredentialState, str] | None:
        if self._backend is None:  # finding the backend asks D-Bus: that may hang too
            try:
                _with_timeout(self.backend, self.timeout)
            except _TimedOut:
                return CredentialState.TIMED_OUT, CredentialState.TIMED_OUT.label
        info = self.backend_info()
        if info.kind == BackendKind.NONE:
            return CredentialState.NO_KEYRING, "no keyring"
        if info.kind == BackendKind.PLAINTEXT and not self.allow_plaintext:
            return CredentialState.PLAINTEXT_REFUSED, info.label
        return None

    def where(self) -> str:
        """Where a secret set now would be kept, in words."""
        refusal = self._refusal()
        if refusal is not None:
            return "this session only (not saved)"
        info = self.backend_info()
        if info.kind == BackendKind.PLAINTEXT:
            return f"{info.label} — stored in plain text, as chosen in the settings"
        return info.label

    # -- reading ------------------------------------------------------------------------------
    def get(self, provider: str) -> SecretLookup:
        with self._lock:
            session = self._session.get(provider)
            rejected = provider in self._rejected
        if session is not None:
            state = CredentialState.REJECTED if rejected else CredentialState.SESSION
            return SecretLookup(state, "this session only (not saved)", session)
        found = self.read_entry(_username(provider))
        if rejected and found.state == CredentialState.AVAILABLE:
            return SecretLookup(CredentialState.REJECTED, found.where, found.secret)
        return found

    def read_entry(self, name: str) -> SecretLookup:
        """One keyring entry under its own name: AVAILABLE with the secret, MISSING, or why the
        keyring cannot say (no keyring, plain text refused, locked, timed out)."""
        refusal = self._refusal()
        if refusal is not None:
            return SecretLookup(refusal[0], refusal[1])
        where = self.where()
        try:
            secret = _with_timeout(lambda: self.backend().get_password(SERVICE, name), self.timeout)
        except _TimedOut:
            return SecretLookup(CredentialState.TIMED_OUT, where)
        except Exception as exc:
            return SecretLookup(_error_state(exc), where, cause=type(exc).__name__)
        if secret is None:
            return SecretLookup(CredentialState.MISSING, where)
        return SecretLookup(CredentialState.AVAILABLE, where, str(secret))

    # -- writing ------------------------------------------------------------------------------
    def set(self, provider: str, secret: str) -> str:
        """Store in the keyring; returns where it went. Raises CredentialError (with the state)
        when no acceptable keyring takes it — the caller may then keep it for the session."""
        where = self.write_entry(_username(provider), secret)
        with self._lock:
            self._rejected.discard(provider)
            self._session.pop(provider, None)
        return where

    def write_entry(self, name: str, secret: str) -> str:
        """Store one keyring entry under its own name; returns where it went. CredentialError
        (with the state) when no acceptable keyring takes it."""
        if not secret:
            raise CredentialError(CredentialState.MISSING, "the secret is empty")
        refusal = self._refusal()
        if refusal is not None:
            raise CredentialError(refusal[0], f"cannot store the secret: {refusal[0].label}")
        try:
            _with_timeout(lambda: self.backend().set_password(SERVICE, name, secret), self.timeout)
        except _TimedOut:
            raise CredentialError(CredentialState.TIMED_OUT,
                                  "cannot store the secret: the keyring did not answer in time") from None
        except Exception as exc:
            state = _error_state(exc)
            raise CredentialError(state, f"cannot store the secret: {state.label}",
                                  type(exc).__name__) from None
        return self.where()

    def set_for_session(self, provider: str, secret: str) -> str:
        """Keep a secret in memory until imdesk exits (no keyring to hold it)."""
        if not secret:
            raise CredentialError(CredentialState.MISSING, "the secret is empty")
        with self._lock:
            self._session[provider] = secret
            self._rejected.discard(provider)
        return "this session only (not saved)"

    def session_only(self) -> list[str]:
        with self._lock:
            return sorted(self._session)

    def forget(self, provider: str) -> None:
        """The user set this provider's secret again: read it afresh from the keyring."""
        with self._lock:
            self._rejected.discard(provider)
            self._session.pop(provider, None)

    def mark_rejected(self, provider: str) -> None:
        """The provider refused the secret (SMTP 535, HTTP 401): ask for a new one."""
        with self._lock:
            self._rejected.add(provider)


def _error_state(exc: BaseException) -> CredentialState:
    from keyring.errors import KeyringLocked, NoKeyringError

    if isinstance(exc, KeyringLocked):
        return CredentialState.LOCKED
    if isinstance(exc, NoKeyringError):
        return CredentialState.NO_KEYRING
    text = type(exc).__name__.lower() + " " + str(exc).lower()
    if "lock" in text or "dismissed" in text or "prompt" in text:
        return CredentialState.LOCKED
    return CredentialState.NO_KEYRING
