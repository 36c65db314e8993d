"""SMTP against a real aiosmtpd with STARTTLS and AUTH: what the server answers becomes the
right outcome, and a bad message never reaches it."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from imdesk.channels.outcomes import (
    CredentialsRejected,
    InDoubt,
    PermanentFailure,
    ProviderUnreachable,
    TemporaryFailure,
)
from imdesk.channels.settings import SmtpSettings
from imdesk.channels.smtp import EmailOut, SmtpSession
from tests.comms.conftest import SMTP_PASSWORD
from tests.helpers.smtp_server import USER, SmtpServer

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def settings(server: SmtpServer, ca: Path | None, **kw: Any) -> SmtpSettings:
    values: dict[str, Any] = {"host": "localhost", "port": server.port, "username": USER,
                              "from_address": "desk@example.org", "ca_file": str(ca or ""),
                              "timeout": 1.0}
    values.update(kw)
    return SmtpSettings(**values)


def mail(n: int = 1, to: str = "kim@example.org") -> EmailOut:
    return EmailOut(f"<m{n}@imdesk>", to, "Kim Larsen", f"Update {n}", f"Body {n}\n.leading dot\n",
                    NOW)


def test_starttls_auth_and_the_message_arrives_intact(smtp_server: SmtpServer,
                                                      test_ca: tuple[Any, Path]) -> None:
    session = SmtpSession(settings(smtp_server, test_ca[1]), SMTP_PASSWORD)
    try:
        accepted = [session.send(mail(n)) for n in (1, 2)]  # one connection, two messages
    finally:
        session.close()
    assert [a.provider_id for a in accepted] == ["<m1@imdesk>", "<m2@imdesk>"]
    got = smtp_server.received
    assert [r.message_id for r in got] == ["<m1@imdesk>", "<m2@imdesk>"]
    assert got[0].rcpt == ["kim@example.org"]
    assert got[0].subject == "Update 1"
    assert got[0].headers["To"] == "Kim Larsen <kim@example.org>"
    assert ".leading dot" in got[0].body  # dot-stuffing undone by the server


def test_an_untrusted_certificate_is_refused(smtp_server: SmtpServer) -> None:
    session = SmtpSession(settings(smtp_server, None), SMTP_PASSWORD)
    with pytest.raises(ProviderUnreachable, match="certificate not trusted"):
        session.send(mail())
    assert smtp_server.received == []


def test_wrong_password_is_535_credentials_rejected(smtp_server: SmtpServer,
                                                    test_ca: tuple[Any, Path]) -> None:
    session = SmtpSession(settings(smtp_server, test_ca[1]), "not-the-password")
    with pytest.raises(CredentialsRejected, match="535") as info:
        session.send(mail())
    assert "not-the-password" not in str(info.value)


def test_server_down_is_unreachable(smtp_server: SmtpServer, test_ca: tuple[Any, Path]) -> None:
    smtp_server.stop()
    session = SmtpSession(settings(smtp_server, test_ca[1]), SMTP_PASSWORD)
    with pytest.raises(ProviderUnreachable, match="connection refused"):
        session.send(mail())


def test_reply_codes(smtp_server: SmtpServer, test_ca: tuple[Any, Path]) -> None:
    smtp_server.script.reject_rcpt["gone@example.org"] = "550 5.1.1 mailbox unavailable"
    smtp_server.script.data_replies = ["451 4.3.0 try again later"]
    session = SmtpSession(settings(smtp_server, test_ca[1]), SMTP_PASSWORD)
    try:
        with pytest.raises(TemporaryFailure, match="451"):
            session.send(mail(1))
        with pytest.raises(PermanentFailure, match="550"):
            session.send(mail(2, "gone@example.org"))
        session.send(mail(3))  # the session goes on after a refusal
    finally:
        session.close()
    assert smtp_server.ids() == ["<m3@imdesk>"]


def test_no_answer_after_data_is_in_doubt(smtp_server: SmtpServer, test_ca: tuple[Any, Path]) -> None:
    smtp_server.script.silent_after_data = 1
    session = SmtpSession(settings(smtp_server, test_ca[1], timeout=0.3), SMTP_PASSWORD)
    with pytest.raises(InDoubt, match="may have been delivered"):
        session.send(mail(1))
    assert smtp_server.ids() == ["<m1@imdesk>"]  # it did arrive: hence "in doubt"


def test_implicit_tls_on_its_own_port(test_ca: tuple[Any, Path]) -> None:
    """Port 465 style: TLS from the first byte (SMTP_SSL)."""
    import warnings

    from aiosmtpd.controller import Controller

    from tests.helpers.smtp_server import _free_port, _Handler

    server = SmtpServer(None, SMTP_PASSWORD)
    port = _free_port()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctl = Controller(_Handler(server), hostname="127.0.0.1", port=port,
                         ssl_context=test_ca[0], authenticator=server._auth,
                         auth_require_tls=False, server_hostname="localhost")
        ctl.start()
    try:
        s = SmtpSettings(host="localhost", port=port, security="tls", username=USER,
                         from_address="desk@example.org", ca_file=str(test_ca[1]), timeout=2)
        session = SmtpSession(s, SMTP_PASSWORD)
        session.send(mail(7))
        session.close()
    finally:
        ctl.stop()
    assert server.ids() == ["<m7@imdesk>"]
    assert isinstance(ssl.create_default_context(), ssl.SSLContext)


@pytest.mark.parametrize(("sender", "name", "subject", "body"), [
    ("Service Desk", "Kim Larsen", "Update 1", "Body\n.leading dot\n"),
    ("Störungs-Desk «IT»", "Jürgen Groß", "Update: ERP (INC-1) — grün " * 6, "Grüße\r\n" * 3),
    ("", 'O\'Brien, "Pat"', "word " * 40, "x" * 1200),
    ("Desk, ops", "李雷", "Ü" * 100, ""),
])
def test_the_message_is_byte_for_byte_what_the_email_package_builds(
        sender: str, name: str, subject: str, body: str) -> None:
    """Header classes and the From header are made once, not per message: same bytes."""
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import format_datetime

    from imdesk.channels.smtp import build_message

    s = SmtpSettings(host="localhost", port=587, from_address="desk@example.org",
                     from_name=sender)
    for duplicate in (False, True):
        out = EmailOut("<m1@imdesk>", "kim@example.org", name, subject, body, NOW, duplicate,
                       {"In-Reply-To": "<m0@imdesk>", "References": "<m0@imdesk>"})
        stock = EmailMessage(policy=SMTP)
        stock["From"] = Address(sender, "desk", "example.org")
        stock["To"] = Address(name, "kim", "example.org")
        stock["Subject"] = subject
        stock["Date"] = format_datetime(NOW)
        stock["Message-ID"] = "<m1@imdesk>"
        if duplicate:
            stock["X-Possible-Duplicate"] = "yes (a previous attempt may have been delivered)"
        stock["In-Reply-To"] = stock["References"] = "<m0@imdesk>"
        stock.set_content(body)
        assert build_message(s, out).as_bytes() == stock.as_bytes()


def test_a_message_prepared_while_the_server_works_arrives_intact(
        smtp_server: SmtpServer, test_ca: tuple[Any, Path]) -> None:
    smtp_server.script.data_delay = 0.05  # the server takes its time over each message
    session = SmtpSession(settings(smtp_server, test_ca[1]), SMTP_PASSWORD)
    ahead = []
    try:
        session.send(mail(1), lambda: ahead.append(session.prepare(mail(2))))
        assert smtp_server.ids() == ["<m1@imdesk>"] and len(ahead) == 1  # built in the wait
        session.send(ahead[0])
    finally:
        session.close()
    assert smtp_server.ids() == ["<m1@imdesk>", "<m2@imdesk>"]
    assert ".leading dot" in smtp_server.received[1].body
