"""One vCard property line → (group, name, parameters, value), with vobject where it matters.

vobject parses every line that needs care: quoted-printable values (with their CHARSET, soft line
breaks already joined), quoted parameter values, any ENCODING or CHARSET parameter, anything
unusual. A plain line (``NAME:value``, ``item1.TEL;TYPE=CELL:value``, ``TEL;WORK;VOICE:value``) takes
a fast path that gives exactly what vobject gives — a test holds the two to the same result —
because vobject's per-line cost dominated importing 10,000 cards.
"""

from __future__ import annotations

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


def parse_property(text: str, number: int, record: int) -> Prop:
    """The property on one logical line; raises ImportRefused naming the line when it is not one."""
    colon = text.find(":")
    # A plain head has no quotes and no colon in its parameters, so it ends at the first colon.
    head = _plain_head(text[:colon + 1]) if colon > 0 else None
    if head is not None:
        name, group, params, singletons = head
        return Prop(name, group, {key: list(values) for key, values in params}, list(singletons),
                    text[colon + 1:])
    line = _with_vobject(text, number, record)
    return Prop(line.name, line.group, dict(line.params), list(line.singletonparams), line.value)


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
        raise ImportRefused(f"the line is not a vCard property ({exc.msg})", record=record,
                            line=number) from None
    except (LookupError, UnicodeError, ValueError) as exc:
        name = text.split(":", 1)[0][:60]
        raise ImportRefused(f"{name} cannot be decoded: {exc}", record=record, line=number) from None
