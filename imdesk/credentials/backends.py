"""Which keyring backends imdesk accepts: the operating system's own stores, not files.

`keyring` picks whatever backend has the highest priority; with `keyrings.alt` installed that
can be a plain-text file. imdesk looks at what was picked and says what it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# Module prefixes of the OS stores (keyring's own backends).
SECURE_MODULES = {
    "keyring.backends.SecretService": "Secret Service (GNOME Keyring / KWallet)",
    "keyring.backends.libsecret": "Secret Service (libsecret)",
    "keyring.backends.kwallet": "KWallet",
    "keyring.backends.macOS": "macOS Keychain",
    "keyring.backends.Windows": "Windows Credential Locker",
}
NO_KEYRING_MODULES = ("keyring.backends.fail", "keyring.backends.null")


class BackendKind(StrEnum):
    SECURE = "secure"          # an OS store
    NONE = "none"              # no keyring at all (fail / null backend)
    PLAINTEXT = "plaintext"    # anything else: files, encrypted files, unknown third parties


@dataclass(frozen=True)
class BackendInfo:
    kind: BackendKind
    label: str          # what the user reads: "Secret Service (GNOME Keyring / KWallet)"
    module: str


def classify(backend: Any) -> BackendInfo:
    """Classify a keyring backend instance (a chainer counts as its best secure member)."""
    module = type(backend).__module__
    if module == "keyring.backends.chainer":
        members = [classify(b) for b in getattr(backend, "backends", [])]
        secure = [m for m in members if m.kind == BackendKind.SECURE]
        if secure:
            return secure[0]
        plain = [m for m in members if m.kind == BackendKind.PLAINTEXT]
        return plain[0] if plain else BackendInfo(BackendKind.NONE, "no keyring", module)
    for prefix, label in SECURE_MODULES.items():
        if module.startswith(prefix):
            return BackendInfo(BackendKind.SECURE, label, module)
    if module.startswith(NO_KEYRING_MODULES):
        return BackendInfo(BackendKind.NONE, "no keyring", module)
    name = str(getattr(backend, "name", "") or type(backend).__name__)
    return BackendInfo(BackendKind.PLAINTEXT, f"{name} (plain text file)", module)
