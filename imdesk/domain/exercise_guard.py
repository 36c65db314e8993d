"""The outbound guard for exercise incidents: who may get a drill's message, and the marks every
such message carries whatever its template says.

A message of an exercise incident goes only to an address or number on the allow-list (the
desk's setting plus the drill's own list); any other recipient's message is captured — kept
in the outbox as "captured", never sent — when capture is on, else the whole request is
refused before anything is queued. There is no per-message override.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

PREFIX = "EXERCISE"
FOOTER = "EXERCISE — this message is part of a drill. No action is needed on real systems."
_DIGITS = re.compile(r"[^\d+]")


def normal(address: str) -> str:
    """An address as the allow-list compares it: email lower-cased, numbers without spacing."""
    text = address.strip()
    if "@" in text:
        return text.casefold()
    return _DIGITS.sub("", text)


@dataclass(frozen=True)
class AllowList:
    entries: frozenset[str] = frozenset()
    capture: bool = True

    @classmethod
    def of(cls, addresses: Iterable[str], *, capture: bool = True) -> AllowList:
        return cls(frozenset(normal(a) for a in addresses if a.strip()), capture)

    def allows(self, address: str) -> bool:
        return bool(address.strip()) and normal(address) in self.entries

    def merged(self, more: Iterable[str]) -> AllowList:
        return AllowList(self.entries | {normal(a) for a in more if a.strip()}, self.capture)


def mark_subject(subject: str) -> str:
    text = subject.strip()
    if text.upper().startswith(PREFIX):
        return text
    return f"{PREFIX}: {text}" if text else PREFIX


def mark_text(text: str) -> str:
    """EXERCISE at the start and the footer line at the end, once."""
    body = text.strip()
    if not body.upper().startswith(PREFIX):
        body = f"{PREFIX}: {body}" if body else PREFIX
    if not body.endswith(FOOTER):
        body = f"{body}\n\n{FOOTER}"
    return body


def mark_sms(text: str) -> str:
    body = text.strip()
    if not body.upper().startswith(PREFIX):
        body = f"{PREFIX}: {body}"
    if not body.endswith("[drill]"):
        body = f"{body} [drill]"
    return body


def marked(subject: str, body: str, sms: str) -> bool:
    """True when a message carries the marks (the sender's last check)."""
    return (subject.upper().startswith(PREFIX) and body.upper().startswith(PREFIX)
            and body.endswith(FOOTER) and sms.upper().startswith(PREFIX))
