"""Fixtures for communications: a test CA, real SMTP and Twilio-compatible servers on
127.0.0.1, secret stores, and a scan after the whole session that the test secrets were
written nowhere (databases, logs, exports, temp files)."""

from __future__ import annotations

import base64
import os
import ssl
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from imdesk.context import AppContext
from imdesk.credentials.store import SecretStore
from imdesk.services.comms.recipients import Recipient
from imdesk.services.incidents import NewIncident
from tests.helpers.smtp_server import USER, SmtpServer
from tests.helpers.twilio_server import ACCOUNT, TwilioServer

SMTP_PASSWORD = "CANARY-smtp-7f3a9c0d"
TWILIO_TOKEN = "CANARY-twilio-4b21e8aa"
CANARIES = (SMTP_PASSWORD, TWILIO_TOKEN)
_SESSION_START = time.time()


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(ctx)
    path = tmp_path_factory.mktemp("ca") / "test-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return ctx, path


@pytest.fixture
def smtp_server(test_ca: tuple[Any, Path]) -> Iterator[SmtpServer]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        server = SmtpServer(test_ca[0], SMTP_PASSWORD, silence=2.0)
        server.start()
    yield server
    server.stop()


@pytest.fixture
def twilio() -> Iterator[TwilioServer]:
    server = TwilioServer(TWILIO_TOKEN, hang=2.0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def session_secrets() -> SecretStore:
    """Secrets held in memory: the sender tests are not about the keyring."""
    store = SecretStore()
    store.set_for_session("mail", SMTP_PASSWORD)
    store.set_for_session("twilio-a", TWILIO_TOKEN)
    store.set_for_session("twilio-b", TWILIO_TOKEN)
    return store


class People:
    """A recipient directory for tests: named people, and the stakeholders of any service."""

    def __init__(self, people: list[Recipient]) -> None:
        self.people = people

    def stakeholders(self, service: str | None, priority: str) -> list[Recipient]:
        return list(self.people)

    def resolve(self, names: Any) -> tuple[list[Recipient], list[str]]:
        found = [p for p in self.people if p.name in names]
        return found, [n for n in names if n not in {p.name for p in found}]


def configure(ctx: AppContext, *, smtp: SmtpServer | None = None, ca_file: Path | None = None,
              twilio: TwilioServer | None = None, twilio_b: TwilioServer | None = None,
              timeout: float = 1.0, manual: bool = True) -> None:
    from imdesk.channels.settings import CommsSettings, parse_provider

    providers = {}
    if twilio is not None:
        providers["twilio-a"] = parse_provider("twilio-a", {
            "kind": "twilio", "base_url": twilio.base_url, "account_sid": ACCOUNT,
            "from_number": "+15005550006", "timeout": timeout})
    if twilio_b is not None:
        providers["twilio-b"] = parse_provider("twilio-b", {
            "kind": "twilio", "base_url": twilio_b.base_url, "account_sid": ACCOUNT,
            "from_number": "+15005550007", "timeout": timeout})
    if smtp is not None:
        providers["mail"] = parse_provider("mail", {
            "kind": "smtp", "host": "localhost", "port": smtp.port, "security": "starttls",
            "username": USER, "from_address": "desk@example.org", "from_name": "Service Desk",
            "ca_file": str(ca_file or ""), "timeout": timeout})
    ctx.comms.settings.save(CommsSettings(
        providers=providers, sms_order=tuple(n for n in ("twilio-a", "twilio-b") if n in providers),
        email_provider="mail" if smtp is not None else "", manual_lane=manual))


def use_people(ctx: AppContext, people: list[Recipient]) -> People:
    directory = People(people)
    ctx.comms.notify._directory = lambda: directory  # the test's own directory
    return directory


def open_incident(ctx: AppContext, title: str = "ERP down", service: str | None = "ERP",
                  impact: str = "high", urgency: str = "high") -> str:
    if service is not None and service not in {s.name for s in ctx.catalog.services()}:
        ctx.catalog.add(service)
    return ctx.incidents.create(NewIncident(title=title, impact=impact, urgency=urgency,
                                            service=service)).ref


# -- the scan -----------------------------------------------------------------------------------

def _needles() -> list[bytes]:
    out = []
    for c in CANARIES:
        raw = c.encode()
        out += [raw, base64.b64encode(raw), quote(c).encode(), c.encode("utf-16-le")]
    return out


def _scan_roots(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    roots = [tmp_path_factory.getbasetemp()]
    for var in ("IMDESK_DATA_DIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        if os.environ.get(var):
            roots.append(Path(os.environ[var]))
    roots.append(Path(tempfile.gettempdir()))
    return roots


def find_canaries(roots: list[Path]) -> list[str]:
    needles = _needles()
    hits = []
    for root in roots:
        if not root.exists():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            # the OS keyring's own (encrypted) store is where the secrets belong
            dirnames[:] = [d for d in dirnames if d not in ("keyrings", ".venv")
                           and not d.startswith(("imdesk-pg.", "pytest-of-"))]
            if "pyproject.toml" in filenames and "imdesk" in dirnames and "tests" in dirnames:
                dirnames.remove("tests")  # a checkout of imdesk: its test sources hold them
            for name in filenames:
                path = Path(dirpath) / name
                try:
                    st = path.stat()
                    if st.st_mtime < _SESSION_START - 5 or st.st_size > 64_000_000 or \
                            not path.is_file():
                        continue
                    data = path.read_bytes()
                except OSError:
                    continue
                hits += [f"{path}: {n[:12]!r}…" for n in needles if n in data]
    return hits


@pytest.fixture(scope="session", autouse=True)
def _no_secret_anywhere(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """After the whole session: no test secret in any file written meanwhile."""
    yield
    roots = _scan_roots(tmp_path_factory)
    hits = find_canaries(roots)
    assert not hits, "test secrets found on disk:\n" + "\n".join(hits[:20])
