"""The outbound guard applied to a plan (domain/exercise_guard.py holds the rules): a message of
an exercise incident carries the EXERCISE marks and goes only to allow-listed addresses; the
other recipients are captured (kept, never sent) or, with capture off, the request is refused
before anything is queued. NotifyService.plan shows it; NotifyService.queue applies it again in
its transaction, on the incident as it is then; the sender checks once more before sending."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from imdesk.domain.errors import ValidationError
from imdesk.domain.exercise_guard import AllowList, mark_sms, mark_subject, mark_text
from imdesk.domain.sms_text import measure
from imdesk.services.comms.templates import Rendered

if TYPE_CHECKING:
    from imdesk.services.comms.notify import NotifyPlan, PlannedMessage

CAPTURED_NOTE = "captured: an exercise message to an address not on the drill's allow-list"


def guard_plan(plan: NotifyPlan, allow: AllowList) -> NotifyPlan:
    from imdesk.services.comms.notify import PlannedMessage

    r = plan.rendered
    rendered = Rendered(mark_subject(r.subject), mark_text(r.body), mark_sms(r.sms))
    messages: list[PlannedMessage] = []
    captured = list(plan.captured)
    refused: list[str] = []
    for m in plan.messages:
        route = tuple(step for step in m.route if allow.allows(step.address))
        if route:
            messages.append(PlannedMessage(m.recipient, route))
        elif allow.capture:
            captured.append(m)
        else:
            refused.append(f"{m.recipient.name} ({m.address})")
    if refused:
        raise ValidationError("recipients", (
            f"{plan.ref} is an exercise: {', '.join(refused[:5])}"
            f"{' and others' if len(refused) > 5 else ''} not on the drill's allow-list; an "
            "exercise's messages go only to the allow-list or, with capture on, to the capture"))
    return replace(plan, rendered=rendered, sms_size=measure(rendered.sms),
                   messages=tuple(messages), captured=tuple(captured), exercise=True)
