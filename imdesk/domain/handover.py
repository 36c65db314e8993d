"""The shift handover as values: its states, the outgoing manager's ratings, the compiled
content (a JSON document frozen when signed), and the hashes that make every step
tamper-evident (each step hashes the step before it, like timeline entries)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from imdesk.domain.errors import ValidationError
from imdesk.domain.timeline import GENESIS_HASH, iso


class HandoverState(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"  # by the outgoing manager; waiting for the incoming one
    TAKEN = "taken"    # countersigned by the incoming manager


class Rating(StrEnum):
    STABLE = "stable"
    WATCH = "watch"
    UNSTABLE = "unstable"

    @classmethod
    def parse(cls, value: str) -> Rating:
        try:
            return cls(value.strip().lower())
        except ValueError:
            raise ValidationError("rate", f"a rating is stable, watch or unstable, not {value!r}") \
                from None


class Step(StrEnum):
    SIGNED = "signed"
    TAKEN = "taken"


# The sections of a handover, in the order they are shown, printed and exported; each is shown
# with "none" when empty.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("open", "Open incidents"),
    ("opened", "Opened in the shift"),
    ("resolved", "Resolved in the shift"),
    ("closed", "Closed in the shift"),
    ("reopened", "Reopened in the shift"),
    ("majors", "Major incidents"),
    ("sla_at_risk", "SLAs breaching in the next 4 hours"),
    ("messages_attention", "Messages needing attention"),
    ("maintenance", "Maintenance windows and silences"),
    ("alerts_unlinked", "Firing alerts without an incident"),
    ("heartbeats_late", "Late heartbeats"),
    ("actions_open", "Open action items"),
    ("contacts_review", "Contacts flagged or stale"),
    ("exercises", "Exercises (not counted)"),
)
COUNTED = ("open", "opened", "resolved", "closed", "reopened", "majors", "sla_at_risk",
           "messages_attention", "actions_open")
SYNTHESIS_MIN = 12  # "at least a sentence": a few words, not "ok"
TEXT_MAX = 8000
IF_THEN_MAX = 40


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 of the compiled content in its canonical JSON form."""
    return hashlib.sha256(canonical(content).encode("utf-8")).hexdigest()


def check_synthesis(text: str) -> str:
    """The incoming manager's own words: required, at least a sentence."""
    body = " ".join(text.split())
    if len(body) < SYNTHESIS_MIN or len(body.split()) < 3:
        raise ValidationError("synthesis", "the synthesis is required: say in a sentence, in your "
                                           "own words, what you take over")
    if len(text) > TEXT_MAX:
        raise ValidationError("synthesis", f"the synthesis is longer than {TEXT_MAX} characters")
    return text.strip()


@dataclass(frozen=True)
class StepRecord:
    """One signed step of one handover: what was signed, by whom, when; chained by hash."""

    handover_id: int
    seq: int  # across all handovers: the order of the chain
    step: Step
    name: str
    at: datetime
    text: str  # the notes (signed) or the synthesis (taken)
    body: Mapping[str, Any]  # signed: window, content, content hash, heads; taken: {}
    prev_hash: str
    hash: str


def step_hash(*, prev_hash: str, handover_id: int, seq: int, step: str, name: str,
              at: datetime, text: str, body: Mapping[str, Any]) -> str:
    payload = canonical({"prev": prev_hash, "handover": handover_id, "seq": seq, "step": step,
                         "name": name, "at": iso(at), "text": text, "body": dict(body)})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def recompute(record: StepRecord) -> str:
    return step_hash(prev_hash=record.prev_hash, handover_id=record.handover_id, seq=record.seq,
                     step=record.step, name=record.name, at=record.at, text=record.text,
                     body=record.body)


@dataclass(frozen=True)
class StepProblem:
    handover_id: int
    step: str
    reason: str

    def __str__(self) -> str:
        return f"handover {self.handover_id} ({self.step}): {self.reason}"


def verify_steps(records: list[StepRecord]) -> StepProblem | None:
    """Walk the chain of steps in seq order: links, hashes, the content hash of what was signed."""
    prev = GENESIS_HASH
    for n, r in enumerate(records, start=1):
        if r.seq != n:
            return StepProblem(r.handover_id, r.step, f"step {n} missing or reordered")
        if r.prev_hash != prev:
            return StepProblem(r.handover_id, r.step, "does not link to the step before it")
        if recompute(r) != r.hash:
            return StepProblem(r.handover_id, r.step, "does not match its hash (edited)")
        if r.step == Step.SIGNED:
            content = r.body.get("content", {})
            if content_hash(content) != r.body.get("content_hash"):
                return StepProblem(r.handover_id, r.step, "its content does not match the "
                                                          "content hash (edited)")
        prev = r.hash
    return None


@dataclass(frozen=True)
class Draft:
    """What the outgoing manager adds to the compiled content before signing."""

    ratings: Mapping[str, Rating] = field(default_factory=dict)
    if_then: tuple[str, ...] = ()
    notes: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"ratings": {k: v.value for k, v in sorted(self.ratings.items())},
                "if_then": list(self.if_then), "notes": self.notes}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> Draft:
        raw = raw or {}
        return cls({str(k): Rating(str(v)) for k, v in dict(raw.get("ratings", {})).items()},
                   tuple(str(x) for x in raw.get("if_then", ())), str(raw.get("notes", "")))


def clean_if_then(lines: list[str]) -> tuple[str, ...]:
    out = tuple(" ".join(x.split()) for x in lines if x.strip())
    if len(out) > IF_THEN_MAX:
        raise ValidationError("if-then", f"at most {IF_THEN_MAX} if-then lines")
    if any(len(x) > 1000 for x in out):
        raise ValidationError("if-then", "an if-then line is longer than 1000 characters")
    return out


def with_draft(content: Mapping[str, Any], draft: Draft) -> dict[str, Any]:
    """The compiled content with the outgoing manager's ratings, if-then lines and notes in it
    (what is shown, and what signing freezes)."""
    out = dict(content)
    out["open"] = [dict(row, rating=draft.ratings[row["ref"]].value if row["ref"] in draft.ratings
                        else None) for row in content.get("open", [])]
    out["if_then"] = list(draft.if_then)
    out["notes"] = draft.notes
    return out


def counts(content: Mapping[str, Any]) -> dict[str, int]:
    return {key: len(content.get(key, [])) for key in COUNTED}
