"""Email over SMTP submission: STARTTLS (587) or implicit TLS (465), AUTH, verified
certificates (optionally against a company CA file), a timeout on every command, and the
reply codes of RFC 5321 turned into outcomes: 4xx try later, 5xx not this recipient,
535 credentials rejected. A timeout after the final "." of DATA is in doubt. A sender may build
the next message while the server answers the last (SmtpSession.prepare, send's `meanwhile`)."""

from __future__ import annotations

import contextlib
import functools
import re
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from imdesk.channels.network_errors import network_reason
from imdesk.channels.outcomes import (
    Accepted,
    CredentialsRejected,
    DeliveryError,
    InDoubt,
    PermanentFailure,
    ProviderUnreachable,
    TemporaryFailure,
)
from imdesk.channels.settings import SmtpSettings

_LEADING_DOT = re.compile(rb"(?m)^\.")


@dataclass(frozen=True)
class EmailOut:
    """One email to one recipient; `message_id` stays the same on every resend."""

    message_id: str
    to_address: str
    to_name: str
    subject: str
    body: str
    sent_at: datetime
    possible_duplicate: bool = False
    headers: dict[str, str] = field(default_factory=dict)


class _Headers(HeaderRegistry):
    """The email package's header registry, with the class it makes for each header name
    kept: the stock one creates a new class for every header of every message (a third of
    the time it takes to build one). The headers it makes are the same."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        made = self._made.get(name.lower())
        if made is None:
            made = self._made[name.lower()] = super().__getitem__(name)
        return made


SMTP_POLICY = SMTP.clone(header_factory=_Headers())


@functools.lru_cache(maxsize=16)
def _from_header(name: str, address: str) -> BaseHeader:
    """The From header, made once per sender address (header objects are immutable)."""
    local, _, domain = address.rpartition("@")
    header: BaseHeader = SMTP_POLICY.header_factory("From", Address(name, local, domain))
    return header


def build_message(settings: SmtpSettings, mail: EmailOut) -> EmailMessage:
    """The MIME message (the header checks already ran when the message was queued; the
    email package refuses a CR/LF in a header on its own as a second guard)."""
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["From"] = _from_header(settings.from_name, settings.from_address)
    to_local, _, to_domain = mail.to_address.rpartition("@")
    msg["To"] = Address(mail.to_name, to_local, to_domain)
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(mail.sent_at)
    msg["Message-ID"] = mail.message_id
    if mail.possible_duplicate:
        msg["X-Possible-Duplicate"] = "yes (a previous attempt may have been delivered)"
    for name, value in mail.headers.items():
        msg[name] = value
    msg.set_content(mail.body)
    return msg


@dataclass(frozen=True)
class Prepared:
    """An email and its bytes as sent after DATA (SmtpSession.prepare)."""

    mail: EmailOut
    payload: bytes


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}"[:300]


def _classify(code: int, text: bytes | str, who: str) -> DeliveryError:
    reply = _reply(code, text)
    if code == 535:
        return CredentialsRejected(f"{who} rejected the login: {reply}")
    if 400 <= code < 500:
        return TemporaryFailure(f"{who} said {reply}; trying again later")
    return PermanentFailure(f"{who} refused: {reply}")


class SmtpSession:
    """One authenticated connection sending any number of messages in turn.

    Raises the outcomes of imdesk.channels.outcomes; after ProviderUnreachable, InDoubt or
    CredentialsRejected the session is closed and a new one is needed.
    """

    def __init__(self, settings: SmtpSettings, password: str | None) -> None:
        self.settings = settings
        self._password = password
        self.who = f"{settings.host}:{settings.port}"
        self._conn: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.ca_file or None)

    def open(self) -> None:
        s = self.settings
        try:
            if s.security == "tls":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                                      context=self._context())
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            self._conn = conn
            conn.ehlo()
            if s.security == "starttls":
                if not conn.has_extn("starttls"):
                    raise ProviderUnreachable(f"{self.who} does not offer STARTTLS; imdesk will not "
                                              "send without encryption")
                conn.starttls(context=self._context())
                conn.ehlo()
            if s.username:
                conn.login(s.username, self._password or "")
        except DeliveryError:
            self.close()
            raise
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise CredentialsRejected(f"{self.who} rejected the login: "
                                      f"{_reply(exc.smtp_code, exc.smtp_error)}") from None
        except smtplib.SMTPResponseException as exc:
            self.close()
            error = _classify(exc.smtp_code, exc.smtp_error, self.who)
            if isinstance(error, PermanentFailure):  # the server, not the recipient, refused
                raise ProviderUnreachable(error.message) from None
            raise error from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise ProviderUnreachable(f"cannot connect to {self.who}: {network_reason(exc)}") from None

    def prepare(self, mail: EmailOut) -> Prepared:
        """The message as it goes on the wire after DATA (built, dot-stuffed, terminated):
        no network, so it can be made while the server works on the previous message."""
        payload = _LEADING_DOT.sub(b"..", build_message(self.settings, mail).as_bytes())
        if not payload.endswith(b"\r\n"):
            payload += b"\r\n"
        return Prepared(mail, payload + b".\r\n")

    def send(self, mail: EmailOut | Prepared, meanwhile: Callable[[], None] | None = None
             ) -> Accepted:
        """Send one message; `meanwhile` (which must not raise) runs once the message is on
        the wire, before its answer is read: the caller's work overlaps the server's."""
        if self._conn is None:
            self.open()
        conn = self._conn
        assert conn is not None
        prepared = mail if isinstance(mail, Prepared) else self.prepare(mail)
        mail = prepared.mail
        from_addr = self.settings.from_address
        try:
            code, text = conn.mail(from_addr)
            if code != 250:
                raise self._refused(code, text)
            code, text = conn.rcpt(mail.to_address)
            if code not in (250, 251):
                raise self._refused(code, text)
            code, text = conn.docmd("DATA")
            if code != 354:
                raise self._refused(code, text)
        except DeliveryError:
            raise
        except (OSError, smtplib.SMTPException) as exc:  # before DATA: nothing was accepted
            self.close()
            raise TemporaryFailure(f"{self.who} dropped the connection: {network_reason(exc)}") from None
        try:
            conn.send(prepared.payload)
        except (OSError, smtplib.SMTPException) as exc:  # no final "." reached the server
            self.close()
            raise TemporaryFailure(f"{self.who} dropped the connection during DATA: "
                                   f"{network_reason(exc)}") from None
        if meanwhile is not None:
            meanwhile()
        try:
            code, text = conn.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise InDoubt(f"no answer from {self.who} after the message was sent "
                          f"({network_reason(exc)}); it may have been delivered") from None
        if code != 250:
            raise self._refused(code, text)
        return Accepted(mail.message_id, "sent")

    def reusable(self, settings: SmtpSettings, password: str | None) -> bool:
        """Open, for these settings and password, and the server still answers (one NOOP): a
        session kept from the sender's previous run goes on instead of a new handshake."""
        if self._conn is None or settings != self.settings or password != self._password:
            return False
        try:
            code, _ = self._conn.noop()
        except (OSError, smtplib.SMTPException):
            code = 0
        if code != 250:
            self.close()
            return False
        return True

    def _refused(self, code: int, text: bytes | str) -> DeliveryError:
        """The outcome of a refusal; the session goes on after RSET unless 421/535 end it."""
        if code in (421, 535):
            self.close()
        else:
            try:
                if self._conn is not None:
                    self._conn.rset()
            except (OSError, smtplib.SMTPException):
                self.close()
        return _classify(code, text, self.who)

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            with contextlib.suppress(OSError):
                conn.close()
