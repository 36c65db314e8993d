"""The organisation as one text file (`imdesk org export` / `org import`): diff-friendly, one
thing per line, in the organisation editor's own line formats (domain/org_text.py).

    # imdesk organisation 1
    timezone: UTC

    [team Network]
    description:
      | Campus and data-centre network.
    members:
      Lars Henriksen — team lead
    ladder:
      on duty, 10
      team lead, 15
    roster:
      2026-11-27 07:00 → 2026-11-27 19:00  Lars Henriksen  [override]  # note

    [list IT management]
    members:
      Anna Weber
      team Network
      it-mgmt@example.com

    [service VPN]
    criticality: high
    owner team: Network
    business owner: Hannah Schulz
    runbook:
      | https://wiki.example.com/vpn
    stakeholders:
      P1: IT management

Sections are `[team NAME]`, `[list NAME]` and `[service NAME]`; a key with a value on its line
is a single value, a key alone starts its indented lines (`| ` lines are free text, kept as
written, blank ones included). Roster times are in the file's `timezone`. Parsing checks the
structure only and keeps every line's number; the names are resolved when the file is applied.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from imdesk.domain.errors import ValidationError

HEADER = "# imdesk organisation 1"
KINDS = ("team", "list", "service")
TEXT_KEYS = {"description", "runbook"}
LINE_KEYS = {"team": ("members", "ladder", "roster"), "list": ("members",),
             "service": ("stakeholders", "depends on")}
VALUE_KEYS = {"team": (), "list": (), "service": ("criticality", "owner team", "business owner")}
_SECTION = re.compile(r"^\[(team|list|service)\s+(.+?)\]\s*$")
_KEY = re.compile(r"^([a-z][a-z ]*?)\s*:\s*(.*)$")


@dataclass
class Lines:
    """Indented lines of one key with their line numbers in the file."""

    items: list[tuple[int, str]] = field(default_factory=list)

    def text(self) -> str:
        """The lines placed at their own line numbers, so that a parser counting lines from 1
        (org_text) names the file's line."""
        if not self.items:
            return ""
        out = [""] * self.items[-1][0]
        for n, line in self.items:
            out[n - 1] = line
        return "\n".join(out)

    def joined(self) -> str:
        return "\n".join(line for _n, line in self.items)


@dataclass
class Section:
    kind: str
    name: str
    line: int
    values: dict[str, tuple[int, str]] = field(default_factory=dict)
    blocks: dict[str, Lines] = field(default_factory=dict)

    def value(self, key: str) -> str:
        return self.values.get(key, (0, ""))[1]

    def block(self, key: str) -> Lines:
        return self.blocks.get(key, Lines())


@dataclass
class OrgFile:
    timezone: str = "UTC"
    sections: list[Section] = field(default_factory=list)

    def of(self, kind: str) -> list[Section]:
        return [s for s in self.sections if s.kind == kind]


def _refuse(n: int, message: str) -> ValidationError:
    return ValidationError("organisation", f"line {n}: {message}")


def parse_org_file(text: str) -> OrgFile:
    """The file's structure; ValidationError names the first line that does not fit."""
    doc = OrgFile()
    current: Section | None = None
    block: Lines | None = None
    block_key = ""
    seen: set[tuple[str, str]] = set()
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip() or (not raw[:1].isspace() and line.startswith("#")):
            continue
        if raw[:1].isspace():
            if block is None or current is None:
                raise _refuse(n, "an indented line belongs under a key such as 'members:'")
            item = line.strip()
            if block_key in TEXT_KEYS:
                if not item.startswith("|"):
                    raise _refuse(n, f"a line of {block_key} starts with '| '")
                item = item[2:] if item.startswith("| ") else item[1:]
            elif item.startswith("#"):
                continue
            block.items.append((n, item))
            continue
        block = None
        section = _SECTION.match(line)
        if section:
            kind, name = section.group(1), section.group(2).strip()
            if (kind, name.casefold()) in seen:
                raise _refuse(n, f"{kind} {name!r} appears twice")
            seen.add((kind, name.casefold()))
            current = Section(kind, name, n)
            doc.sections.append(current)
            continue
        if line.startswith("["):
            raise _refuse(n, "a section is [team NAME], [list NAME] or [service NAME]")
        key = _KEY.match(line)
        if key is None:
            raise _refuse(n, "expected 'key: value', 'key:' or a [section]")
        name, value = key.group(1), key.group(2).strip()
        if current is None:
            if name != "timezone" or not value:
                raise _refuse(n, "before the first section only 'timezone: NAME' may stand")
            doc.timezone = value
            continue
        allowed_blocks = (*LINE_KEYS[current.kind], *TEXT_KEYS & _text_keys(current.kind))
        if name in current.values or name in current.blocks:
            raise _refuse(n, f"{name!r} appears twice in {current.kind} {current.name!r}")
        if value:
            if name not in VALUE_KEYS[current.kind]:
                hint = "its lines go indented below 'key:'" if name in allowed_blocks else "unknown key"
                raise _refuse(n, f"{name!r} in a {current.kind}: {hint}")
            current.values[name] = (n, value)
        else:
            if name not in allowed_blocks:
                raise _refuse(n, f"{name!r} is not a key of a {current.kind} "
                                 f"(keys: {', '.join((*VALUE_KEYS[current.kind], *allowed_blocks))})")
            block, block_key = Lines(), name
            current.blocks[name] = block
    return doc


def _text_keys(kind: str) -> set[str]:
    return {"description", "runbook"} if kind == "service" else {"description"}


# -- writing ----------------------------------------------------------------------------------
def text_block(key: str, text: str) -> list[str]:
    if not text:
        return []
    return [f"{key}:", *(f"  | {line}" if line else "  |" for line in text.split("\n"))]


def line_block(key: str, text: str) -> list[str]:
    lines = [line for line in text.split("\n") if line.strip()]
    return [f"{key}:", *(f"  {line}" for line in lines)] if lines else []


def section(kind: str, name: str, body: Iterable[str]) -> list[str]:
    return ["", f"[{kind} {name}]", *body]


def format_org_file(timezone: str, sections: Iterable[list[str]]) -> str:
    out = [HEADER, f"timezone: {timezone}"]
    for lines in sections:
        out += lines
    return "\n".join(out) + "\n"
