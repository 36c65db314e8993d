"""The alert webhook token in the keyring, through the secret store: kept and read back, and
each keyring trouble (none, plain text only, locked, not answering) a token for this session
with the reason, never a token somewhere else."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from imdesk.credentials import webhook_token
from imdesk.credentials.webhook_token import (
    TOKEN_NAME,
    SecretUnavailable,
    load_or_create_token,
    rotate_token,
)


class _Secure:
    """Stands in for the Secret Service (classified by its module, as the real one is)."""

    def __init__(self) -> None:
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password


_Secure.__module__ = "keyring.backends.SecretService"


class _Plaintext(_Secure):
    name = "PlaintextKeyring"


_Plaintext.__module__ = "keyrings.alt.file"


class _Locked(_Secure):
    def get_password(self, service: str, username: str) -> str | None:
        from keyring.errors import KeyringLocked

        raise KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        self.get_password(service, username)


class _Hanging(_Secure):
    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(30)
        return None


_Locked.__module__ = _Hanging.__module__ = _Secure.__module__


def _use(monkeypatch: pytest.MonkeyPatch, backend: object) -> None:
    monkeypatch.setattr("keyring.get_keyring", lambda: backend)


def test_the_token_is_kept_in_the_keyring_and_read_back(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = _Secure()
    _use(monkeypatch, backend)
    first = load_or_create_token()
    assert first.new and not first.problem and len(first.value) >= 40
    assert backend.data == {(webhook_token.KEYRING_SERVICE, TOKEN_NAME): first.value}
    again = load_or_create_token()
    assert (again.value, again.new) == (first.value, False)
    rotated = rotate_token()
    assert rotated.value != first.value and load_or_create_token().value == rotated.value
    assert first.value not in repr(first) and first.value not in str(first)


@pytest.mark.parametrize(("backend", "problem"), [
    (_Plaintext(), "no secure keyring (_Plaintext)"),
    (_Locked(), "the keyring is locked"),
])
def test_without_a_usable_keyring_the_token_lives_for_the_session(
        monkeypatch: pytest.MonkeyPatch, backend: _Secure, problem: str) -> None:
    _use(monkeypatch, backend)
    token = load_or_create_token()
    assert token.new and token.value and token.problem.startswith(problem + ".")
    assert backend.data == {}
    with pytest.raises(SecretUnavailable):
        rotate_token()


def test_no_keyring_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring.backends.null

    _use(monkeypatch, keyring.backends.null.Keyring())
    token = load_or_create_token()
    assert token.problem.startswith("no secure keyring (Keyring).")
    with pytest.raises(SecretUnavailable) as info:
        rotate_token()
    assert "Secret Service" in (info.value.hint or "")


@pytest.fixture
def hanging(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Hanging]:
    backend = _Hanging()
    _use(monkeypatch, backend)
    try:
        yield backend
    finally:
        backend.release.set()


def test_a_keyring_that_never_answers_times_out(hanging: _Hanging) -> None:
    token = load_or_create_token(timeout=0.2)
    assert token.new and token.problem.startswith("the keyring did not answer within 0 s.")
