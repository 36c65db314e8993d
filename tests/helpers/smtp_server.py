"""A real SMTP submission server for tests: aiosmtpd on 127.0.0.1 with STARTTLS (a trustme CA)
and AUTH, plus scripted replies: per-recipient refusals, replies to DATA taken in turn (421, 451,
…), and a server that goes silent after the final "." (the in-doubt case)."""

from __future__ import annotations

import asyncio
import email
import logging
import socket
import threading
from dataclasses import dataclass, field
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "desk@example.org"


@dataclass
class Received:
    mail_from: str
    rcpt: list[str]
    message_id: str
    subject: str
    headers: dict[str, str]
    body: str


@dataclass
class Script:
    """What the server does next; lists are consumed one item per message."""

    reject_rcpt: dict[str, str] = field(default_factory=dict)   # address → "550 5.1.1 ..."
    data_replies: list[str] = field(default_factory=list)         # "451 4.3.0 ..." ("" = accept)
    silent_after_data: int = 0      # this many next messages: kept, never answered
    data_delay: float = 0.0         # seconds between keeping a message and answering (a slow server)
    seen_rcpt: list[str] = field(default_factory=list)


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(self, srv: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        self.server.script.seen_rcpt.append(address)
        refusal = self.server.script.reject_rcpt.get(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, srv: Any, session: Any, envelope: Any) -> str:
        script = self.server.script
        if script.data_replies:
            reply = script.data_replies.pop(0)
            if reply:
                return reply
        msg = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.server.lock:
            self.server.received.append(Received(
                envelope.mail_from, list(envelope.rcpt_tos), str(msg["Message-ID"]),
                str(msg["Subject"]), {k: str(v) for k, v in msg.items()},
                msg.get_body(("plain",)).get_content() if msg.get_body(("plain",)) else ""))
        if script.data_delay:
            await asyncio.sleep(script.data_delay)
        if script.silent_after_data > 0:
            script.silent_after_data -= 1
            # The message is kept (it may well be delivered) but the answer never comes
            # before the client's timeout: the client cannot know.
            await asyncio.sleep(self.server.silence)
        return "250 2.0.0 queued"


class SmtpServer:
    def __init__(self, tls_context: Any, password: str, *, silence: float = 3.0) -> None:
        self.password = password
        self.script = Script()
        self.received: list[Received] = []
        self.logins = 0  # accepted logins: one per SMTP session the client opened
        self.lock = threading.Lock()
        self.silence = silence
        self.port = _free_port()
        self._tls = tls_context
        self._controller: Controller | None = None

    def _auth(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = (isinstance(data, LoginPassword) and data.login.decode() == USER
              and data.password.decode() == self.password)
        self.logins += ok
        return AuthResult(success=ok, handled=False)

    def start(self) -> None:
        # aiosmtpd logs a deprecation of its own on every login, and a traceback for every
        # client that goes away mid-session (the kill -9 test): the server's noise, not ours.
        logging.getLogger("mail.log").setLevel(logging.CRITICAL)
        self._controller = Controller(
            _Handler(self), hostname="127.0.0.1", port=self.port, tls_context=self._tls,
            require_starttls=True, authenticator=self._auth, auth_require_tls=True,
            auth_required=True, server_hostname="localhost")
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def ids(self) -> list[str]:
        with self.lock:
            return [r.message_id for r in self.received]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
