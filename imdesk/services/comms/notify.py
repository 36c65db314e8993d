"""Informing people about an incident: plan who gets what (preview), then queue it.

The plan is what the send dialog and `imdesk notify` show: the rendered texts, the SMS size,
every recipient with the route their message will take, and the contacts that cannot be
reached. Queuing writes one `communication` entry (which restarts the war room's update clock)
and one outbox row per recipient in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from imdesk.channels.settings import CommsSettings
from imdesk.contacts_io.values import email_problem, phone_problem
from imdesk.domain.errors import TransitionError, ValidationError
from imdesk.domain.lifecycle import FINAL_STATUSES
from imdesk.domain.mail_header import NAME_MAX, header_text
from imdesk.domain.message import MessageChannel, MessageState, RouteStep, not_after
from imdesk.domain.sms_text import SmsSize, measure
from imdesk.domain.timeline import EntryDraft, EntryKind
from imdesk.services.clock import Clock, SystemClock, default_author
from imdesk.services.comms.exercise import CAPTURED_NOTE, guard_plan
from imdesk.services.comms.journal import MessageJournal
from imdesk.services.comms.recipients import Recipient, RecipientDirectory
from imdesk.services.comms.settings import CommsSettingsService
from imdesk.services.comms.templates import Rendered, check_name, render
from imdesk.storage import drill_repo, incident_repo
from imdesk.storage.database import Database
from imdesk.storage.outbox_models import OutboxMessageRow

AUDIENCE_CHANNEL = {"business": MessageChannel.EMAIL, "technical": MessageChannel.SMS}


@dataclass(frozen=True)
class PlannedMessage:
    recipient: Recipient
    route: tuple[RouteStep, ...]

    @property
    def channel(self) -> MessageChannel:
        return self.route[0].channel

    @property
    def address(self) -> str:
        return self.route[0].address

    def to_json(self) -> dict[str, Any]:
        return {"name": self.recipient.name, "channel": self.channel.value,
                "address": self.address, "source": self.recipient.source,
                "route": [s.to_json() for s in self.route]}


@dataclass(frozen=True)
class Unreachable:
    name: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "reason": self.reason}


@dataclass(frozen=True)
class NotifyPlan:
    ref: str
    template: str
    audience: str
    channel: MessageChannel
    rendered: Rendered
    sms_size: SmsSize
    messages: tuple[PlannedMessage, ...]
    unreachable: tuple[Unreachable, ...] = ()
    unknown: tuple[str, ...] = ()
    fields: dict[str, Any] = field(default_factory=dict)
    captured: tuple[PlannedMessage, ...] = ()  # an exercise's recipients off the allow-list
    exercise: bool = False

    def by_channel(self) -> dict[MessageChannel, list[PlannedMessage]]:
        result: dict[MessageChannel, list[PlannedMessage]] = {}
        for m in self.messages:
            result.setdefault(m.channel, []).append(m)
        return result

    def to_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref, "template": self.template, "audience": self.audience,
            "channel": self.channel.value,
            "subject": self.rendered.subject, "body": self.rendered.body, "sms": self.rendered.sms,
            "sms_length": self.sms_size.units, "sms_segments": self.sms_size.segments,
            "sms_encoding": self.sms_size.encoding.value,
            "recipients": [m.to_json() for m in self.messages],
            "unreachable": [u.to_json() for u in self.unreachable],
            "unknown": list(self.unknown),
            "exercise": self.exercise, "captured": [m.to_json() for m in self.captured],
        }


def plan_route(r: Recipient, primary: MessageChannel, settings: CommsSettings) -> tuple[RouteStep, ...]:
    """SMS providers in order → email → the manual lane (or email first for an email)."""
    sms = [RouteStep(MessageChannel.SMS, p, r.phone) for p in settings.sms_order] if r.phone else []
    email = ([RouteStep(MessageChannel.EMAIL, settings.email_provider, r.email)]
             if r.email and settings.email_provider else [])
    manual = [RouteStep(MessageChannel.MANUAL, "", r.phone)] if r.phone and settings.manual_lane else []
    first = sms + email if primary == MessageChannel.SMS else email + sms
    return tuple(first + manual)


def usable(r: Recipient) -> tuple[Recipient, list[str]]:
    """The recipient with only addresses that pass the checks, and what was dropped."""
    problems = list(r.flagged)
    phones = []
    for p in r.phones:
        why = phone_problem(p)
        if why is None and p.startswith("+"):
            phones.append(p)
        else:
            problems.append(f"phone {p!r}: {why or 'not in international form'}")
    emails = []
    for e in r.emails:
        why = email_problem(e)
        if why is None:
            emails.append(e)
        else:
            problems.append(f"email {e!r}: {why}")
    return Recipient(r.name, tuple(phones), tuple(emails), r.preferred, r.source, ()), problems


class NotifyService:
    def __init__(self, db: Database, settings: CommsSettingsService,
                 directory: Callable[[], RecipientDirectory], *, clock: Clock | None = None,
                 author: str | None = None, desk_name: Callable[[], str] = lambda: "Service Desk",
                 room_fields: Callable[[str], dict[str, Any]] = lambda ref: {}) -> None:
        self._db = db
        self._settings = settings
        self._directory = directory
        self._clock = clock or SystemClock()
        self.author = author or default_author()
        self._desk_name = desk_name
        self._room_fields = room_fields
        self.on_queued: Callable[[list[int]], None] | None = None  # wakes the sender

    # -- planning -----------------------------------------------------------------------------
    def fields(self, ref: str, situation: dict[str, str] | None = None) -> dict[str, Any]:
        with self._db.read() as s:
            state = incident_repo.row_state(s, incident_repo.get_row(s, ref))
        room = self._room_fields(ref)
        due: datetime | None = room.pop("next_update_due", None)
        local = due.astimezone() if due else None
        fields: dict[str, Any] = {
            "ref": state.ref, "title": state.title, "service": state.service or "",
            "priority": state.priority.value, "status": state.status.label,
            "major": state.major, "impact": "", "impact_level": state.impact.value,
            "conditions": "", "actions": "", "needs": "", "bridge": "",
            "desk": self._desk_name(),
            "next_update": local.strftime("%a %d %b %H:%M %Z") if local else "",
            "next_update_short": local.strftime("%H:%M") if local else "",
        }
        fields.update({k: v for k, v in room.items() if v})
        fields.update(situation or {})
        return fields

    def plan(self, ref: str, template: str, *, audience: str = "business",
             to: Sequence[str] = (), channel: str | None = None,
             situation: dict[str, str] | None = None) -> NotifyPlan:
        callers = audience == "callers"  # the master's callers: the business wording, by email
        check_name(template, "business" if callers else audience)
        try:
            primary = MessageChannel(channel) if channel else AUDIENCE_CHANNEL[
                "business" if callers else audience]
        except ValueError:
            raise ValidationError("channel", f"channel must be email or sms, not {channel!r}") from None
        if primary == MessageChannel.MANUAL:
            raise ValidationError("channel", "channel must be email or sms")
        fields = self.fields(ref, situation)
        rendered = render(template, "business" if callers else audience, fields)
        directory = self._directory()
        unknown: list[str] = []
        unreachable: list[Unreachable] = []
        if callers:
            from imdesk.services.links.audience import caller_recipients

            with self._db.read() as s:
                people, missing = caller_recipients(s, ref, directory)
            unreachable.extend(Unreachable(m.split(":")[0], m.split(": ", 1)[-1])
                               for m in missing)
            if to:
                extra, unknown = directory.resolve(to)
                people += extra
        elif to:
            people, unknown = directory.resolve(to)
        else:
            people = directory.stakeholders(fields["service"] or None, fields["priority"])
        settings = self._settings.load()
        messages: list[PlannedMessage] = []
        seen: set[str] = set()
        for person in people:
            if person.name.casefold() in seen:
                continue
            seen.add(person.name.casefold())
            try:
                header_text(person.name, "recipient name", max_len=NAME_MAX)
            except ValidationError as exc:
                unreachable.append(Unreachable(person.name[:NAME_MAX], exc.message))
                continue
            clean, problems = usable(person)
            route = plan_route(clean, primary, settings)
            if not route:
                reason = "; ".join(problems) or (
                    "no mobile number or email address" if not (clean.phones or clean.emails)
                    else "no provider configured for their addresses and no number to call")
                unreachable.append(Unreachable(person.name, reason))
                continue
            if problems:
                unreachable.append(Unreachable(person.name, "partly: " + "; ".join(problems)))
            messages.append(PlannedMessage(clean, route))
        plan = NotifyPlan(ref, template, audience, primary, rendered, measure(rendered.sms),
                          tuple(messages), tuple(unreachable), tuple(unknown), fields)
        with self._db.read() as s:
            row = incident_repo.get_row(s, ref)
            if row.exercise:
                plan = guard_plan(plan, drill_repo.allow_list_for(s, row.id))
        return plan

    # -- queuing ------------------------------------------------------------------------------
    def queue(self, plan: NotifyPlan) -> list[int]:
        """The communication entry and one outbox row per recipient, in one transaction."""
        if not plan.messages and not plan.captured:
            raise ValidationError("recipients", "nobody to send to: no recipient has a usable "
                                                "address")
        if plan.unknown:
            raise ValidationError("to", f"no contact, team or list named {plan.unknown[0]!r}")
        now = self._clock.now()
        ids: list[int] = []
        with self._db.write() as s:
            row = incident_repo.get_row(s, plan.ref, for_update=True)
            state = incident_repo.row_state(s, row)
            if state.exercise:  # the guard, on the incident as it is now: no way around it
                plan = guard_plan(plan, drill_repo.allow_list_for(s, row.id))
            if not plan.messages and not plan.captured:
                raise ValidationError("recipients", "nobody to send to")
            if state.status in FINAL_STATUSES:
                raise TransitionError(f"{state.ref} is {state.status.label}: nobody is informed "
                                      "about a closed incident any more")
            journal = MessageJournal(s, author=self.author, now=now)
            names = ", ".join([f"{m.recipient.name} ({m.channel.value})" for m in plan.messages]
                              + [f"{m.recipient.name} (captured)" for m in plan.captured])
            text = (f"{plan.template} ({plan.audience}) queued for {len(plan.messages)} "
                    f"recipient{'s' if len(plan.messages) != 1 else ''}: {names}")
            if plan.exercise:
                text = "EXERCISE: " + text
            entry = journal.entry(row.id, EntryDraft(EntryKind.COMMUNICATION, text[:4000], {
                "update": True, "template": plan.template, "audience": plan.audience,
                "subject": plan.rendered.subject, "sms": plan.rendered.sms,
                "recipients": [m.to_json() for m in plan.messages],
                "unreachable": [u.to_json() for u in plan.unreachable],
                **({"exercise": True, "captured": [m.to_json() for m in plan.captured]}
                   if plan.exercise else {}),
            }))
            expires = not_after(state.priority, now)
            rows = []
            for u in plan.unreachable:  # listed in the Messages pane with the reason, not lost
                s.add(OutboxMessageRow(
                    uuid=str(uuid.uuid4()), incident_id=row.id, request_seq=entry.seq,
                    template=plan.template, audience=plan.audience, recipient=u.name, route=[],
                    step=0, channel=MessageChannel.MANUAL.value, address="",
                    subject=plan.rendered.subject, body=plan.rendered.body, sms_text=plan.rendered.sms,
                    state=MessageState.FAILED.value, attempts=0, step_attempts=0, next_attempt_at=None,
                    not_after=now, last_error=f"not reachable: {u.reason}", provider_id="",
                    message_id=f"<{uuid.uuid4()}@imdesk>", possible_duplicate=False,
                    sending_since=None, polls=0, created_at=now, updated_at=now))
            kept = []
            for m in plan.captured:  # kept to show what would have gone out; never sent
                kept.append(OutboxMessageRow(
                    uuid=str(uuid.uuid4()), incident_id=row.id, request_seq=entry.seq,
                    template=plan.template, audience=plan.audience, recipient=m.recipient.name,
                    route=[], step=0, channel=m.channel.value, address=m.address,
                    subject=plan.rendered.subject, body=plan.rendered.body, sms_text=plan.rendered.sms,
                    state=MessageState.CAPTURED.value, attempts=0, step_attempts=0,
                    next_attempt_at=None, not_after=now, last_error=CAPTURED_NOTE, provider_id="",
                    message_id=f"<{uuid.uuid4()}@imdesk>", possible_duplicate=False,
                    sending_since=None, polls=0, created_at=now, updated_at=now))
            s.add_all(kept)
            for m in plan.messages:
                first = m.route[0]
                manual = first.channel == MessageChannel.MANUAL
                msg = OutboxMessageRow(
                    uuid=str(uuid.uuid4()), incident_id=row.id, request_seq=entry.seq,
                    template=plan.template, audience=plan.audience, recipient=m.recipient.name,
                    route=[st.to_json() for st in m.route], step=0, channel=first.channel.value,
                    address=first.address, subject=plan.rendered.subject, body=plan.rendered.body,
                    sms_text=plan.rendered.sms,
                    state=MessageState.QUEUED.value, attempts=0, step_attempts=0,
                    next_attempt_at=now, not_after=expires, last_error="", provider_id="",
                    message_id=f"<{uuid.uuid4()}@imdesk>", possible_duplicate=False,
                    sending_since=None, polls=0, created_at=now, updated_at=now)
                s.add(msg)
                rows.append((msg, manual))
            s.flush()
            for msg in kept:  # in the timeline too: for the drill's scorecard it went out
                journal.move(msg, MessageState.CAPTURED, "captured for the drill (not on its "
                                                         "allow-list): kept, never sent")
                ids.append(msg.id)
            for msg, manual in rows:
                ids.append(msg.id)
                if manual:
                    journal.move(msg, MessageState.CALL, "on the call list: please phone")
        if self.on_queued is not None:
            self.on_queued(ids)
        return ids


