"""Timeline entries: the record of an incident, hash-chained so that tampering shows."""

from __future__ import annotations

import hashlib
import json
import json.encoder
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

GENESIS_HASH = "0" * 64


class EntryKind(StrEnum):
    OPENED = "opened"
    STATUS = "status"
    NOTE = "note"
    EDIT = "edit"
    PRIORITY = "priority"
    MAJOR = "major"
    ACTION = "action"
    DECISION = "decision"
    COMMUNICATION = "communication"
    BRIDGE = "bridge"
    SITUATION = "situation"
    ROLE = "role"
    PARTICIPANT = "participant"
    ACTION_ITEM = "action_item"
    ALERT = "alert"  # an attached alert fired, cleared, was acknowledged; a heartbeat
    EXERCISE = "exercise"  # turned into an exercise, or an exercise into a real incident (why)
    LINK = "link"  # linked to or unlinked from another incident, promoted to master, propagated


# What a person writes into a timeline (the rest is written by the changes themselves).
USER_KINDS: tuple[EntryKind, ...] = (
    EntryKind.NOTE, EntryKind.ACTION, EntryKind.DECISION, EntryKind.COMMUNICATION,
)


def parse_user_kind(value: str) -> EntryKind:
    from imdesk.domain.errors import ValidationError

    try:
        kind = EntryKind(value.strip().lower())
    except ValueError:
        kind = None
    if kind not in USER_KINDS:
        allowed = ", ".join(k.value for k in USER_KINDS)
        raise ValidationError("kind", f"kind must be one of {allowed}, not {value!r}")
    return kind  # type: ignore[return-value]


@dataclass(frozen=True)
class EntryDraft:
    """What a service wants to append; seq, uuid, times and hashes are added on write."""

    kind: str
    text: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    occurred_at: datetime | None = None


@dataclass(frozen=True)
class TimelineEntry:
    incident_ref: str
    seq: int
    uuid: str
    kind: str
    text: str
    author: str
    recorded_at: datetime
    occurred_at: datetime | None
    data: Mapping[str, Any]
    prev_hash: str
    hash: str

    @property
    def effective_at(self) -> datetime:
        return self.occurred_at or self.recorded_at

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "uuid": self.uuid,
            "kind": self.kind,
            "text": self.text,
            "author": self.author,
            "recorded_at": iso(self.recorded_at),
            "occurred_at": iso(self.occurred_at),
            "data": dict(self.data),
            "hash": self.hash,
        }


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, or None."""
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")


_encode = json.encoder.encode_basestring  # the string encoder json.dumps(ensure_ascii=False) uses


def compact_json(data: Mapping[str, Any]) -> str:
    return "{}" if not data else json.dumps(data, sort_keys=True, ensure_ascii=False,
                                            separators=(",", ":"))


def canonical_json(*, prev_hash: str, incident_ref: str, seq: int, uuid: str, kind: str, text: str,
                   author: str, recorded_at: datetime, occurred_at: datetime | None,
                   data: Mapping[str, Any]) -> str:
    """The entry as JSON with sorted keys and no spaces — byte for byte what
    json.dumps(..., sort_keys=True, ensure_ascii=False, separators=(",", ":")) writes, built
    directly because it runs for every entry written (a test holds the two equal)."""
    return canonical_json_of(prev_hash, incident_ref, seq, uuid, kind, text, author,
                             iso(recorded_at) or "", iso(occurred_at), compact_json(data))


def canonical_json_of(prev_hash: str, incident_ref: str, seq: int, uuid: str, kind: str, text: str,
                      author: str, recorded_iso: str, occurred_iso: str | None, data_json: str) -> str:
    """canonical_json from already-formatted times and data (bulk writers format them once)."""
    return "".join((
        '{"author":', _encode(author), ',"data":', data_json, ',"incident":', _encode(incident_ref),
        ',"kind":', _encode(kind), ',"occurred_at":',
        "null" if occurred_iso is None else _encode(occurred_iso),
        ',"prev":', _encode(prev_hash), ',"recorded_at":', _encode(recorded_iso),
        ',"seq":', str(int(seq)), ',"text":', _encode(text), ',"uuid":', _encode(uuid), "}",
    ))


def entry_hash(
    *,
    prev_hash: str,
    incident_ref: str,
    seq: int,
    uuid: str,
    kind: str,
    text: str,
    author: str,
    recorded_at: datetime,
    occurred_at: datetime | None,
    data: Mapping[str, Any],
) -> str:
    """SHA-256 over the previous hash and a canonical JSON form of the entry's content."""
    body = canonical_json(prev_hash=prev_hash, incident_ref=incident_ref, seq=seq, uuid=uuid,
                          kind=kind, text=text, author=author, recorded_at=recorded_at,
                          occurred_at=occurred_at, data=data)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def recompute_hash(entry: TimelineEntry, prev_hash: str) -> str:
    return entry_hash(
        prev_hash=prev_hash,
        incident_ref=entry.incident_ref,
        seq=entry.seq,
        uuid=entry.uuid,
        kind=entry.kind,
        text=entry.text,
        author=entry.author,
        recorded_at=entry.recorded_at,
        occurred_at=entry.occurred_at,
        data=entry.data,
    )


@dataclass(frozen=True)
class ChainProblem:
    incident_ref: str
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"{self.incident_ref} entry {self.seq}: {self.reason}"


def verify_chain(
    entries: Iterable[TimelineEntry], *, expected_head: str | None = None, ref: str = ""
) -> ChainProblem | None:
    """Walk one incident's entries in seq order; return the first problem or None."""
    prev = GENESIS_HASH
    expected_seq = 1
    last: TimelineEntry | None = None
    for entry in entries:
        ref = entry.incident_ref
        if entry.seq != expected_seq:
            return ChainProblem(ref, expected_seq, f"missing or reordered (found seq {entry.seq})")
        if entry.prev_hash != prev:
            return ChainProblem(ref, entry.seq, "does not link to the entry before it")
        if recompute_hash(entry, prev) != entry.hash:
            return ChainProblem(ref, entry.seq, "content does not match its hash (edited)")
        prev = entry.hash
        expected_seq += 1
        last = entry
    if expected_head is not None and prev != expected_head:
        seq = last.seq if last else 0
        return ChainProblem(ref, seq + 1, "head hash does not match the incident (entry removed)")
    return None


@dataclass(frozen=True)
class SearchHit:
    """A timeline entry found by a search: where it is, what it says, a snippet around the words."""

    ref: str
    seq: int
    kind: str
    text: str
    snippet: str
    author: str
    recorded_at: datetime
    occurred_at: datetime | None
    exercise: bool = False  # the incident is an exercise (a drill): the hit says so
