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
    match = _PLAIN.match(text)
    if match is not None and not _CAREFUL.search(match.group(3)):
        group, name, raw_params = match.groups()
        prop = Prop(name.upper(), group, value=text[match.end():])
        for param in raw_params.split(";")[1:]:
            key, sep, values = param.partition("=")
            if sep:
                prop.params.setdefault(key.upper(), []).extend(values.split(","))
            else:
                prop.singletonparams.append(key)
        return prop
    line = _with_vobject(text, number, record)
    return Prop(line.name, line.group, dict(line.params), list(line.singletonparams), line.value)


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
