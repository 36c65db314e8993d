"""Handover use cases: the shift pattern, compiling a window, the outgoing manager's draft
(ratings, if-then lines, notes), signing, taking over, the history and verifying the chain.

Only a draft changes. Signing freezes the compiled content as it was shown together with the
head hash of every timeline it covers; each step (signed, taken) is an append-only record
chained by hash to the step before it, so `verify` finds a later edit."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from imdesk.domain.errors import NotFoundError, TransitionError, ValidationError
from imdesk.domain.handover import (
    Draft,
    HandoverState,
    Rating,
    Step,
    StepProblem,
    StepRecord,
    check_synthesis,
    clean_if_then,
    content_hash,
    step_hash,
    verify_steps,
    with_draft,
)
from imdesk.domain.shift import ShiftPattern, ShiftWindow
from imdesk.domain.text import clean_text
from imdesk.domain.timeline import GENESIS_HASH, iso, recompute_hash
from imdesk.services.clock import Clock, SystemClock, default_author
from imdesk.services.handover.compile import Extras, compile_window
from imdesk.storage import handover_repo, timeline_repo
from imdesk.storage.database import Database
from imdesk.storage.handover_models import HandoverRow
from imdesk.storage.models import SettingRow

PATTERN_KEY = "handover.shift_pattern"


@dataclass(frozen=True)
class Signature:
    name: str
    at: datetime
    text: str  # notes (outgoing) or synthesis (incoming)
    hash: str


@dataclass(frozen=True)
class HandoverView:
    """A handover as the pane and the exports show it: live while a draft, frozen once signed."""

    id: int | None
    window: ShiftWindow
    state: HandoverState
    content: Mapping[str, Any]
    draft: Draft
    heads: Mapping[str, list[Any]] = field(default_factory=dict)
    content_hash: str = ""
    signed: Signature | None = None
    taken: Signature | None = None

    def to_json(self) -> dict[str, Any]:
        out = dict(self.content)
        out.update(id=self.id, state=self.state.value, content_hash=self.content_hash or None,
                   heads=dict(self.heads), draft=self.draft.to_json(),
                   signed=_sig_json(self.signed), taken=_sig_json(self.taken))
        return out


@dataclass(frozen=True)
class HandoverSummary:
    id: int
    window: ShiftWindow
    state: HandoverState
    outgoing: str
    incoming: str
    open_count: int | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "window": {"start": iso(self.window.start),
                                          "end": iso(self.window.end)},
                "state": self.state.value, "outgoing": self.outgoing or None,
                "incoming": self.incoming or None, "open": self.open_count}


@dataclass(frozen=True)
class VerifyResult:
    handovers: int
    steps: int
    timelines: int
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _sig_json(sig: Signature | None) -> dict[str, Any] | None:
    return None if sig is None else {"name": sig.name, "at": iso(sig.at), "text": sig.text,
                                     "hash": sig.hash}


def _sig(rec: StepRecord | None) -> Signature | None:
    return None if rec is None else Signature(rec.name, rec.at, rec.text, rec.hash)


def _state(steps: list[StepRecord]) -> HandoverState:
    kinds = {r.step for r in steps}
    return (HandoverState.TAKEN if Step.TAKEN in kinds else
            HandoverState.SIGNED if Step.SIGNED in kinds else HandoverState.DRAFT)


class HandoverService:
    def __init__(self, db: Database, *, extras: Extras, clock: Clock | None = None,
                 author: str | None = None) -> None:
        self._db = db
        self._extras = extras
        self._clock = clock or SystemClock()
        self.author = author or default_author()

    def now(self) -> datetime:
        return self._clock.now()

    # -- the shift pattern --------------------------------------------------------------------
    def pattern(self) -> ShiftPattern:
        with self._db.read() as s:
            row = s.get(SettingRow, PATTERN_KEY)
        return ShiftPattern.from_json(row.value) if row is not None and row.value else ShiftPattern()

    def set_pattern(self, times: str, timezone: str = "", reminder_minutes: int = 30) -> ShiftPattern:
        pattern = ShiftPattern.parse(times, timezone, reminder_minutes)
        with self._db.write() as s:
            row = s.get(SettingRow, PATTERN_KEY)
            if row is None:
                s.add(SettingRow(key=PATTERN_KEY, value=pattern.to_json()))
            else:
                row.value = pattern.to_json()
        return pattern

    def window(self, *, at: datetime | None = None,
               shift_start: datetime | None = None) -> ShiftWindow:
        """The current shift, the shift `at` falls in, or the shift starting at `shift_start`."""
        pattern = self.pattern()
        if shift_start is not None:
            return pattern.window_starting(shift_start)
        return pattern.window_at(at or self._clock.now())

    # -- reading ------------------------------------------------------------------------------
    def show(self, window: ShiftWindow) -> HandoverView:
        """The handover of WINDOW: frozen once signed, else compiled now with the draft."""
        now = self._clock.now()
        with self._db.read() as s:
            row = handover_repo.by_window(s, window.start)
            steps = handover_repo.steps_of(s, [row.id]).get(row.id, []) if row else []
            if steps:
                return self._frozen(row, steps)  # type: ignore[arg-type]
            draft = Draft.from_json(row.draft) if row else Draft()
            content, heads = compile_window(s, window, now, self._extras)
        return HandoverView(row.id if row else None, window, HandoverState.DRAFT,
                            with_draft(content, draft), draft, heads)

    def state_of(self, window: ShiftWindow) -> HandoverState:
        """Where the handover of WINDOW stands, without compiling it (the reminder's check)."""
        with self._db.read() as s:
            row = handover_repo.by_window(s, window.start)
            return _state(handover_repo.steps_of(s, [row.id])[row.id]) if row else HandoverState.DRAFT

    def get(self, handover_id: int) -> HandoverView:
        with self._db.read() as s:
            row = handover_repo.get(s, handover_id)
            if row is None:
                raise NotFoundError(f"no handover {handover_id}")
            window = ShiftWindow(row.window_start, row.window_end)
        return self.show(window)

    def history(self, limit: int = 200) -> list[HandoverSummary]:
        with self._db.read() as s:
            rows = handover_repo.newest(s, limit)
            steps = handover_repo.steps_of(s, [r.id for r in rows])
        out = []
        for r in rows:
            recs = {x.step: x for x in steps[r.id]}
            signed, taken = recs.get(Step.SIGNED), recs.get(Step.TAKEN)
            count = len(signed.body.get("content", {}).get("open", [])) if signed else None
            out.append(HandoverSummary(r.id, ShiftWindow(r.window_start, r.window_end),
                                       _state(steps[r.id]), signed.name if signed else "",
                                       taken.name if taken else "", count))
        return out

    def open_count(self) -> int:
        """Handovers signed but never taken over (they stay visibly open)."""
        return sum(1 for h in self.history() if h.state == HandoverState.SIGNED)

    def previous(self, window: ShiftWindow) -> ShiftWindow:
        return self.pattern().previous(window)

    # -- the draft ----------------------------------------------------------------------------
    def save_draft(self, window: ShiftWindow, *, ratings: Mapping[str, str] | None = None,
                   if_then: list[str] | None = None, notes: str | None = None) -> Draft:
        """Change the draft of WINDOW (given parts only)."""
        with self._db.write() as s:
            row = self._draft_row(s, window)
            draft = self._merged(Draft.from_json(row.draft), ratings, if_then, notes)
            row.draft = draft.to_json()
            row.updated_at = self._clock.now()
            return draft

    def rate(self, window: ShiftWindow, ref: str, rating: str) -> Draft:
        return self.save_draft(window, ratings={ref: rating})

    def _merged(self, draft: Draft, ratings: Mapping[str, str] | None, if_then: list[str] | None,
                notes: str | None) -> Draft:
        new = dict(draft.ratings)
        for ref, value in (ratings or {}).items():
            key = ref.strip().upper()
            if not value:
                new.pop(key, None)
            else:
                new[key] = Rating.parse(value)
        return Draft(new, clean_if_then(if_then) if if_then is not None else draft.if_then,
                     clean_text(notes, "notes", max_len=8000) if notes is not None else draft.notes)

    def _draft_row(self, s: Session, window: ShiftWindow) -> HandoverRow:
        row = handover_repo.by_window(s, window.start)
        now = self._clock.now()
        if row is None:
            row = HandoverRow(window_start=window.start, window_end=window.end, draft={},
                              author=self.author, created_at=now, updated_at=now)
            s.add(row)
            s.flush()
            return row
        row = handover_repo.get(s, row.id, for_update=True) or row
        if handover_repo.steps_of(s, [row.id])[row.id]:
            raise TransitionError(f"handover {row.id} is already signed: only a draft changes")
        return row

    # -- signing ------------------------------------------------------------------------------
    def sign(self, window: ShiftWindow, outgoing: str, *, notes: str | None = None,
             ratings: Mapping[str, str] | None = None,
             if_then: list[str] | None = None) -> HandoverView:
        """The outgoing manager signs: the content as compiled now, with the draft, is frozen."""
        name = clean_text(outgoing, "outgoing", max_len=120, required=True, single_line=True)
        now = self._clock.now()
        if now < window.start:
            raise ValidationError("window", "a shift that has not begun cannot be handed over")
        with self._db.write() as s:
            row = self._draft_row(s, window)
            draft = self._merged(Draft.from_json(row.draft), ratings, if_then, notes)
            content, heads = compile_window(s, window, now, self._extras)
            open_refs = {x["ref"] for x in content["open"]}
            unknown = sorted(set(draft.ratings) - open_refs)
            if unknown:
                raise ValidationError("rate", f"{unknown[0]} is not an open incident of this "
                                              "handover")
            frozen = with_draft(content, draft)
            row.draft = draft.to_json()
            row.updated_at = now
            s.flush()
            body = {"window": dict(content["window"]), "content": frozen,
                    "content_hash": content_hash(frozen), "heads": heads}
            self._append(s, row.id, Step.SIGNED, name, now, draft.notes, body)
        return self.show(window)

    def take(self, incoming: str, synthesis: str, *, handover_id: int | None = None) -> HandoverView:
        """The incoming manager countersigns with their own synthesis (required)."""
        name = clean_text(incoming, "incoming", max_len=120, required=True, single_line=True)
        text = check_synthesis(synthesis)
        now = self._clock.now()
        with self._db.write() as s:
            if handover_id is None:
                rows = self._rows_with_steps(s)
                waiting = [h for h in rows if _state(h[1]) == HandoverState.SIGNED]
                if not waiting:
                    drafts = [h[0].id for h in rows if _state(h[1]) == HandoverState.DRAFT]
                    if drafts:
                        raise TransitionError(f"handover {drafts[0]} is a draft: the outgoing "
                                              "manager signs it first")
                    raise ValidationError("handover", "no signed handover is waiting to be taken over "
                                                      "(a draft is signed by the outgoing manager "
                                                      "first)")
                row, steps = waiting[0]
            else:
                found = handover_repo.get(s, handover_id, for_update=True)
                if found is None:
                    raise NotFoundError(f"no handover {handover_id}")
                row, steps = found, handover_repo.steps_of(s, [found.id])[found.id]
            state = _state(steps)
            if state == HandoverState.DRAFT:
                raise TransitionError(f"handover {row.id} is a draft: the outgoing manager signs "
                                      "it first")
            if state == HandoverState.TAKEN:
                raise TransitionError(f"handover {row.id} is already taken over")
            window = ShiftWindow(row.window_start, row.window_end)
            self._append(s, row.id, Step.TAKEN, name, now, text, {"signed_hash": steps[0].hash})
        return self.show(window)

    def _rows_with_steps(self, s: Session) -> list[tuple[HandoverRow, list[StepRecord]]]:
        rows = handover_repo.newest(s, 50)
        steps = handover_repo.steps_of(s, [r.id for r in rows])
        return [(r, steps[r.id]) for r in rows]

    def _append(self, s: Session, handover_id: int, step: Step, name: str, at: datetime,
                text: str, body: dict[str, Any]) -> None:
        seq, prev = handover_repo.chain_head(s)
        digest = step_hash(prev_hash=prev, handover_id=handover_id, seq=seq + 1, step=step.value,
                           name=name, at=at, text=text, body=body)
        handover_repo.add_step(s, StepRecord(handover_id, seq + 1, step, name, at, text, body,
                                             prev, digest))

    def _frozen(self, row: HandoverRow, steps: list[StepRecord]) -> HandoverView:
        recs = {r.step: r for r in steps}
        signed = recs[Step.SIGNED]
        content = signed.body.get("content", {})
        return HandoverView(row.id, ShiftWindow(row.window_start, row.window_end), _state(steps),
                            content, Draft.from_json(row.draft), signed.body.get("heads", {}),
                            str(signed.body.get("content_hash", "")), _sig(signed),
                            _sig(recs.get(Step.TAKEN)))

    # -- verifying ----------------------------------------------------------------------------
    def verify(self, handover_id: int | None = None,
               progress: Callable[[int], None] | None = None) -> VerifyResult:
        """Recompute the chain of steps, each signed content's hash, and the head hash of every
        timeline a signed handover covers (recomputed from the entries, not read)."""
        with self._db.read() as s:
            records = handover_repo.all_steps(s)
            ids = sorted({r.handover_id for r in records})
            if handover_id is not None and handover_repo.get(s, handover_id) is None:
                raise NotFoundError(f"no handover {handover_id}")
            problem: StepProblem | None = verify_steps(records)
            if problem is not None:
                return VerifyResult(len(ids), len(records), 0, str(problem))
            timelines = 0
            for rec in records:
                if rec.step != Step.SIGNED or handover_id not in (None, rec.handover_id):
                    continue
                for ref, (seq, head) in dict(rec.body.get("heads", {})).items():
                    timelines += 1
                    if _recomputed_head(s, ref, int(seq)) != head:
                        return VerifyResult(len(ids), len(records), timelines,
                                            f"handover {rec.handover_id}: the timeline of {ref} "
                                            f"no longer gives the head hash it signed "
                                            f"(entry {seq})")
                if progress:
                    progress(rec.handover_id)
        return VerifyResult(len(ids), len(records), timelines, None)


def _recomputed_head(s: Session, ref: str, seq: int) -> str:
    prev = GENESIS_HASH
    entries = handover_repo.entries_upto(s, ref, seq)
    if len(entries) != seq:
        return "missing entries"
    for row in entries:
        prev = recompute_hash(timeline_repo.to_entry(row, ref), prev)
    return prev


def default_extras(war_rooms: Any, contacts: Any, outbox_online: Callable[[], str] | None = None) -> Extras:
    """What the compiler reads from the war rooms and the contact book."""

    def review() -> list[dict[str, Any]]:
        return [{"name": c.name, "why": c.review or ("flagged" if c.flagged else "stale"),
                 "last_verified_at": iso(c.last_verified_at)}
                for c in contacts.summaries(stale_only=True, limit=500)]

    return Extras(room=war_rooms.room, contacts_review=review,
                  outbox_online=outbox_online or (lambda: ""))
