"""Secrets in the real Secret Service (gnome-keyring in the test command's D-Bus session):
stored and read back; a locked keyring, no keyring, a plain-text keyring and a keyring that
never answers each give their own state, never a secret somewhere else."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from imdesk.credentials.backends import BackendKind, classify
from imdesk.credentials.store import CredentialError, CredentialState, SecretStore

SECRET = "CANARY-smtp-7f3a9c0d"
needs_dbus = pytest.mark.skipif(not os.environ.get("DBUS_SESSION_BUS_ADDRESS"),
                                reason="needs the D-Bus session of ./dev test")


class _Plaintext:
    """Stands in for keyrings.alt's PlaintextKeyring (not installed, on purpose). Not a
    KeyringBackend subclass: those register themselves with keyring's own chain."""

    name = "PlaintextKeyring"

    def __init__(self) -> None:
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.data.pop((service, username), None)


class _Hanging(_Plaintext):
    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(30)  # a prompt nobody answers
        return None


_Hanging.__module__ = "keyring.backends.SecretService"  # looks like a real OS store


@needs_dbus
def test_store_and_read_back_in_the_secret_service() -> None:
    store = SecretStore()
    assert store.backend_info().kind == BackendKind.SECURE
    where = store.set("mail-test", SECRET)
    assert "Secret Service" in where
    found = SecretStore().get("mail-test")  # a new store: it really is in the keyring
    assert found.state == CredentialState.AVAILABLE and found.secret == SECRET
    assert SECRET not in repr(found)
    assert SecretStore().get("never-set").state == CredentialState.MISSING


def test_no_keyring_refuses_to_store_and_offers_the_session() -> None:
    import keyring.backends.fail
    import keyring.backends.null

    for backend in (keyring.backends.fail.Keyring(), keyring.backends.null.Keyring()):
        store = SecretStore(backend=backend)
        with pytest.raises(CredentialError) as info:
            store.set("mail", SECRET)
        assert info.value.state == CredentialState.NO_KEYRING
        assert SECRET not in str(info.value)
        assert store.get("mail").state == CredentialState.NO_KEYRING
        assert store.set_for_session("mail", SECRET) == "this session only (not saved)"
        found = store.get("mail")
        assert found.state == CredentialState.SESSION and found.secret == SECRET


def test_a_plain_text_keyring_only_when_chosen() -> None:
    backend = _Plaintext()
    assert classify(backend).kind == BackendKind.PLAINTEXT
    store = SecretStore(backend=backend)
    with pytest.raises(CredentialError) as info:
        store.set("mail", SECRET)
    assert info.value.state == CredentialState.PLAINTEXT_REFUSED
    assert "plain text" in info.value.state.label
    assert backend.data == {}
    store.allow_plaintext = True
    assert "plain text" in store.set("mail", SECRET)
    assert store.get("mail").state == CredentialState.AVAILABLE


def test_a_keyring_that_never_answers_times_out() -> None:
    backend = _Hanging()
    try:
        store = SecretStore(backend=backend, timeout=0.2)
        assert store.get("mail").state == CredentialState.TIMED_OUT
    finally:
        backend.release.set()


def test_rejected_by_the_provider_until_set_again() -> None:
    store = SecretStore(backend=_Plaintext(), allow_plaintext=True)
    store.set("mail", SECRET)
    store.mark_rejected("mail")
    assert store.get("mail").state == CredentialState.REJECTED
    assert not store.get("mail").usable
    store.set("mail", SECRET)
    assert store.get("mail").state == CredentialState.AVAILABLE


_LOCKED_CHILD = """
import secretstorage, sys
from imdesk.credentials.store import SecretStore
store = SecretStore(timeout=5)
store.set("mail", sys.argv[1])
conn = secretstorage.dbus_init()
secretstorage.get_default_collection(conn).lock()
print(store.get("mail").state.value)
try:
    store.set("mail", sys.argv[1])
except Exception as exc:
    print(exc.state.value)
"""


@pytest.mark.skipif(not shutil.which("dbus-run-session") or not shutil.which("gnome-keyring-daemon"),
                    reason="needs dbus-run-session and gnome-keyring")
def test_a_locked_keyring_is_its_own_state(tmp_path: Path) -> None:
    """In a keyring of its own (a second D-Bus session), locked through the Secret Service
    API: reading and storing say "locked" at once, without a prompt."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY",
                                                             "DBUS_SESSION_BUS_ADDRESS")}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_RUNTIME_DIR=str(tmp_path / "run"),
               PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    (tmp_path / "run").mkdir(mode=0o700)
    script = tmp_path / "locked.py"
    script.write_text(_LOCKED_CHILD, encoding="utf-8")
    run = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c",
         'printf %s pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; '
         'exec "$0" "$@"', sys.executable, str(script), "locked-test-secret"],
        env=env, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["locked", "locked"]
    assert "locked-test-secret" not in run.stdout + run.stderr


