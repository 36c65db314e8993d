"""One vCard property line → (group, name, parameters, value), with vobject where it matters.

vobject parses every line that needs care: quoted-printable values (with their CHARSET, soft line
breaks already joined), quoted parameter values, any ENCODING or CHARSET parameter, anything
unusual. A plain line (``NAME:value``, ``item1.TEL;TYPE=CELL:value``, ``TEL;WORK;VOICE:value``) takes
a fast path that gives exactly what vobject gives — a test holds the two to the same result —
because vobject's per-line cost dominated importing 10,000 cards.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from imdesk.contacts_io.errors import ImportRefused

_PLAIN = re.compile(r"(?:([A-Za-z0-9-]+)\.)?([A-Za-z0-9-]+)"            # group. NAME
                    r"((?:;[A-Za-z0-9-]+(?:=[^;:\",]+(?:,[^;:\",]+)*)?)*):",  # ;PARAM=v,v ;BARE
                    re.ASCII)
_CAREFUL = re.compile(r"QUOTED-PRINTABLE|CHARSET|ENCODING", re.IGNORECASE)


@dataclass(slots=True)
class Prop:
    name: str                                  # upper case
    group: str | None
    params: dict[str, list[str]] = field(default_factory=dict)   # NAME (upper) → values
    singletonparams: list[str] = field(default_factory=list)     # vCard 2.1's bare WORK, CELL, …
    value: str = ""
    damage: str = ""                           # why the value is only partly readable ("" = fine)


class NotAProperty(ImportRefused):
    """A line inside a card that is no property (a stray line, a value cut by a bare CR): the
    vCard reader keeps it in the notes and flags its card rather than refuse the file."""


def parse_property(text: str, number: int, record: int) -> Prop:
    """The property on one logical line; raises ImportRefused naming the line when it is not one."""
    colon = text.find(":")
    # A plain head has no quotes and no colon in its parameters, so it ends at the first colon.
    head = _plain_head(text[:colon + 1]) if colon > 0 else None
    if head is not None:
        name, group, params, singletons = head
        return Prop(name, group, {key: list(values) for key, values in params}, list(singletons),
                    text[colon + 1:])
    tolerant = _tolerant(text, colon)
    if tolerant is not None:
        return tolerant
    line = _with_vobject(text, number, record)
    return Prop(line.name, line.group, dict(line.params), list(line.singletonparams), line.value)


_EMPTY_PARAMS = re.compile(r";+(?=[;:])|;\s*$")


def _tolerant(text: str, colon: int) -> Prop | None:
    """A head as exporters really write it — empty parameters (`ADR;HOME;PREF;:`, German Outlook),
    quoted-printable with any CHARSET — read without vobject, so that bytes that do not decode
    are replaced (and said so in ``damage``) instead of refusing the whole file."""
    if colon <= 0:
        return None
    head = _EMPTY_PARAMS.sub("", text[:colon])
    parsed = _plain_head_careful(head + ":")
    if parsed is None:
        return None
    name, group, params, singletons = parsed
    values = {key: list(vals) for key, vals in params}
    bare = [s.upper() for s in singletons]
    encoding = [v.upper() for v in values.get("ENCODING", [])] + [
        s for s in bare if s in ("QUOTED-PRINTABLE", "BASE64", "B", "8BIT")]
    value, damage = text[colon + 1:], ""
    charset = (values.get("CHARSET") or [""])[0]
    if "QUOTED-PRINTABLE" in encoding:
        value, damage = _decode_bytes(quopri.decodestring(value.replace("\n", "\r\n").encode("latin-1",
                                                          "replace")), charset)
        value = value.replace("\r\n", "\n")
    elif encoding and encoding[0] in ("BASE64", "B"):
        try:
            raw = base64.b64decode(value.replace(" ", ""), validate=False)
        except (ValueError, binascii.Error):
            return None
        value, damage = _decode_bytes(raw, charset)
    singles = [s for s in singletons if s.upper() not in ("QUOTED-PRINTABLE", "BASE64", "B", "8BIT")]
    values.pop("ENCODING", None)
    values.pop("CHARSET", None)
    return Prop(name, group, values, singles, value, damage)


def _decode_bytes(raw: bytes, charset: str) -> tuple[str, str]:
    from imdesk.contacts_io.decoding import codec_name

    codec = codec_name(charset) or "utf-8"
    try:
        return raw.decode(codec), ""
    except UnicodeDecodeError:
        pass
    if not charset:   # QP without CHARSET is UTF-8 by the book; Outlook writes windows-1252 so
        try:
            return raw.decode("cp1252"), ""
        except UnicodeDecodeError:
            pass
    text = raw.decode(codec, errors="replace")
    lost = text.count("\ufffd")
    return text, (f"{lost} byte{'s' if lost != 1 else ''} not valid {charset or 'UTF-8'} "
                  "replaced with \ufffd")


@lru_cache(maxsize=512)
def _plain_head_careful(head: str) -> _Head | None:
    match = _PLAIN.fullmatch(head)
    if match is None:
        return None
    group, name, raw_params = match.groups()
    params: dict[str, list[str]] = {}
    singletons: list[str] = []
    for param in raw_params.split(";")[1:]:
        key, sep, values = param.partition("=")
        if sep:
            params.setdefault(key.upper(), []).extend(values.split(","))
        else:
            singletons.append(key)
    return name.upper(), group, tuple((k, tuple(v)) for k, v in params.items()), tuple(singletons)


_Head = tuple[str, str | None, tuple[tuple[str, tuple[str, ...]], ...], tuple[str, ...]]


@lru_cache(maxsize=2048)
def _plain_head(head: str) -> _Head | None:
    """(name, group, parameters, bare parameters) of a plain property head ("item1.TEL;TYPE=CELL:"),
    or None when it needs vobject. Cached: a file repeats a few dozen heads on every card."""
    match = _PLAIN.fullmatch(head)
    if match is None or _CAREFUL.search(match.group(3)):
        return None
    group, name, raw_params = match.groups()
    params: dict[str, list[str]] = {}
    singletons: list[str] = []
    for param in raw_params.split(";")[1:]:
        key, sep, values = param.partition("=")
        if sep:
            params.setdefault(key.upper(), []).extend(values.split(","))
        else:
            singletons.append(key)
    frozen = tuple((key, tuple(values)) for key, values in params.items())
    return name.upper(), group, frozen, tuple(singletons)


def _with_vobject(text: str, number: int, record: int) -> Any:
    from vobject.base import VObjectError, textLineToContentLine  # type: ignore[import-untyped]

    try:
        try:
            return textLineToContentLine(text, number)
        except UnicodeDecodeError:
            # Quoted-printable without CHARSET is UTF-8 by the book, but Outlook writes
            # windows-1252 that way: read it as such rather than refuse the file.
            head, _, value = text.partition(":")
            if "CHARSET=" in head.upper():
                raise
            return textLineToContentLine(f"{head};CHARSET=windows-1252:{value}", number)
    except VObjectError as exc:
        raise NotAProperty(f"the line is not a vCard property ({exc.msg})", record=record,
                           line=number) from None
    except (LookupError, UnicodeError, ValueError) as exc:
        name = text.split(":", 1)[0][:60]
        raise ImportRefused(f"{name} cannot be decoded: {exc}", record=record, line=number) from None
