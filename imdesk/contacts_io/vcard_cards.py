"""Splitting a vCard stream into cards of logical lines, with the checks a broken file fails.

A card runs from BEGIN:VCARD to END:VCARD. Folded lines (a continuation starts with a space or tab)
and vCard 2.1 quoted-printable soft line breaks (a QP value ending in ``=``) are joined into one
logical line. Binary properties (PHOTO, LOGO, SOUND, KEY) are skipped as they stream past — never
held in memory — and reported; any other logical line longer than the field limit refuses the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from imdesk.contacts_io.errors import ImportRefused
from imdesk.contacts_io.record_builder import FIELD_MAX

BINARY = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
# Encoded text is up to three times longer than its value (quoted-printable), plus the parameters.
LOGICAL_MAX = 3 * FIELD_MAX + 2_000

_NAME = re.compile(r"^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)[;:]")
_BASE64_LINE = re.compile(r"^[A-Za-z0-9+/=]+$")
_CHARSET = re.compile(rb";\s*CHARSET=([A-Za-z0-9_.:-]+)", re.IGNORECASE)


@dataclass(slots=True)
class Card:
    """One card: its 1-based number, first line, and logical lines as (line number, text)."""

    number: int
    line: int
    lines: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[tuple[str, int]] = field(default_factory=list)   # (property, bytes) not imported


def property_name(text: str) -> str:
    match = _NAME.match(text)
    return match.group(1).upper() if match else ""


class CharsetTracker:
    """Finds the CHARSET a raw property line declares; continuation lines inherit it."""

    def __init__(self) -> None:
        self._last: str | None = None

    def __call__(self, raw: bytes) -> str | None:
        if raw[:1] in (b" ", b"\t"):
            return self._last
        head = raw.split(b":", 1)[0]
        match = _CHARSET.search(head)
        self._last = match.group(1).decode("ascii") if match else None
        return self._last


def cards(lines: Iterator[tuple[int, str]]) -> Iterator[Card]:
    """The cards of a stream of (line number, text); raises ImportRefused where the file is broken."""
    card: Card | None = None
    count = 0
    logical: list[str] = []
    logical_line = 0
    logical_len = 0
    skipping = ""          # the binary property being skipped
    skipped_bytes = 0
    qp_open = False        # the previous line was a QP value ending in a soft line break
    agent_depth = 0        # inside a vCard 2.1 AGENT card nested in this one (skipped)
    agent_line = 0
    last_name = ""

    def finish_logical() -> None:
        nonlocal logical, logical_len, skipping, skipped_bytes
        if card is not None and skipping:
            card.skipped.append((skipping, skipped_bytes))
        elif card is not None and logical:
            card.lines.append((logical_line, "".join(logical)))
        logical, logical_len, skipping, skipped_bytes = [], 0, "", 0

    for number, text in lines:
        if agent_depth:
            upper = text.strip().upper()
            agent_depth += (upper == "BEGIN:VCARD") - (upper == "END:VCARD")
            skipped_bytes += len(text)
            if not agent_depth and card is not None:
                card.skipped.append(("AGENT card", skipped_bytes))
                skipped_bytes = 0
            continue
        if not text.strip() and (logical or skipping) and not qp_open:
            continue   # a blank line (CR CR LF, an exporter's spacing): a fold may still follow
        continuation = text[:1] in (" ", "\t") or qp_open
        if skipping and not continuation and text and ":" not in text and _BASE64_LINE.match(text):
            continuation = True        # vCard 2.1 base64 written without indentation
        if continuation and (logical or skipping):
            piece = text if qp_open else text[1:]
            if qp_open:
                piece = "\n" + text
            qp_open = False
            if skipping:
                skipped_bytes += len(piece)
                continue
            logical.append(piece)
            logical_len += len(piece)
            _check_length(card, logical, logical_len, logical_line)
            qp_open = _soft_break(logical[0], piece)
            continue
        if logical or skipping:
            finish_logical()
        if not text or (len(text) < 64 and not text.strip()):
            continue
        upper = text.strip().upper() if text[:1] in "BbEe " and len(text) < 64 else ""
        if upper == "BEGIN:VCARD":
            if card is not None and last_name == "AGENT":
                agent_depth, agent_line, skipped_bytes = 1, number, 0   # vCard 2.1: a card in a card
                continue
            if card is not None:
                raise ImportRefused(f"the card has no END:VCARD before the next BEGIN:VCARD at line {number}",
                                    record=card.number, line=card.line)
            count += 1
            card = Card(count, number)
            continue
        if upper == "END:VCARD":
            if card is None:
                raise ImportRefused("END:VCARD without a BEGIN:VCARD", record=count + 1, line=number)
            yield card
            card = None
            continue
        if card is None:
            raise ImportRefused(f"text outside a card ({text[:40]!r}): this is not a vCard file, or a "
                                "card is broken", record=count + 1 if count else 0, line=number)
        name = last_name = property_name(text)
        if name == "AGENT" and text.rstrip().endswith(":"):
            continue   # its value is the nested card on the next lines
        if name == "AGENT" and text.rstrip().upper().endswith(":BEGIN:VCARD"):
            agent_depth, agent_line, skipped_bytes = 1, number, 0
            continue
        if name in BINARY and not (name == "SOUND" and "X-IRMC-N" in text.split(":", 1)[0].upper()):
            skipping, skipped_bytes = name, len(text)
            continue
        logical, logical_line, logical_len = [text], number, len(text)
        if logical_len > LOGICAL_MAX:
            _check_length(card, logical, logical_len, logical_line)
        qp_open = text.endswith("=") and _soft_break(text, text)
    finish_logical()
    if agent_depth and card is not None:
        raise ImportRefused(f"the AGENT card from line {agent_line} is not closed",
                            record=card.number, line=card.line)
    if card is not None:
        raise ImportRefused("the card is not closed: the file ends before its END:VCARD",
                            record=card.number, line=card.line)


def _soft_break(first: str, last: str) -> bool:
    """True when a quoted-printable value continues on the next physical line."""
    return last.endswith("=") and "QUOTED-PRINTABLE" in first.split(":", 1)[0].upper()


def _check_length(card: Card | None, logical: list[str], length: int, line: int) -> None:
    if length > LOGICAL_MAX and card is not None:
        name = property_name(logical[0]) or "a property"
        raise ImportRefused(f"{name} is longer than the limit of {FIELD_MAX:,} characters for one field",
                            record=card.number, line=line, field=name)
