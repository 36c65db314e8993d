"""What is still open when a major incident is about to be resolved: action items not done,
people waiting on the call list, and no "resolved" message to the stakeholders yet. The console
asks once, listing them, before it resolves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from imdesk.domain.message import MessageState
from imdesk.domain.war_room import ActionStatus

if TYPE_CHECKING:
    from imdesk.services.comms.outbox import OutboxService
    from imdesk.services.war_room import WarRoomService


@dataclass(frozen=True)
class LooseEnds:
    open_actions: tuple[str, ...]
    calls_waiting: tuple[str, ...]
    final_update_queued: bool

    def lines(self) -> list[str]:
        """One line per loose end, as the question lists them (empty: nothing to ask)."""
        out = [f"action item open: {text}" for text in self.open_actions]
        out += [f"still to call: {who}" for who in self.calls_waiting]
        if not self.final_update_queued:
            out.append("no final (resolved) update has gone to the stakeholders")
        return out


def loose_ends(rooms: WarRoomService, outbox: OutboxService, ref: str) -> LooseEnds:
    state = rooms.room(ref).state
    actions = tuple(f"{a.number}. {a.text}" + (f" — {a.owner}" if a.owner else "")
                    for a in sorted(state.actions.values(), key=lambda a: a.number)
                    if a.status == ActionStatus.OPEN)
    messages = outbox.list(ref=ref)
    calls = tuple(sorted({f"{m.recipient} ({m.address})" for m in messages if m.state == MessageState.CALL}))
    final = any(m.template == "resolved" for m in messages)
    return LooseEnds(actions, calls, final)
