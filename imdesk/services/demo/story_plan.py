"""Planning the demo story: what happens to each incident, and when. A StoryWriter turns the
story file into plans (regular incidents, duplicates, the scripted majors and drills) with one
random generator, deterministic per seed; nothing is written here (services/demo/story.py)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from imdesk.domain.incident import Origin
from imdesk.domain.lifecycle import Status
from imdesk.domain.priority import Level, PriorityMatrix
from imdesk.domain.sla import SlaPolicy, SlaTargets
from imdesk.services.demo.story_file import HoldReason, Scripted, ServiceStory, Story, Template
from imdesk.services.incidents import NewIncident

SPAN = timedelta(days=30)

# (impact, urgency) pairs per priority of the default ITIL matrix, most likely first.
_PAIRS: dict[str, list[tuple[str, str]]] = {
    "P2": [("high", "medium"), ("medium", "high")],
    "P3": [("medium", "medium"), ("medium", "medium"), ("high", "low"), ("low", "high")],
    "P4": [("medium", "low"), ("low", "medium")],
    "P5": [("low", "low")],
}

ESCALATE = "escalate"  # step action: retitle, raise to high/high and declare a major
NOTE = "note"
# War-room step actions (structured entries, as the room's composer and commands write them):
# "bridge" (the number), "role" ("im=Name"; a second one for a role is a hand-over),
# "situation" ("conditions || actions || needs || impact"), "decision", "communication",
# "action" (a user line), "action_item" ("text @owner"), "action_done" (its number).
ROOM_STEPS = ("bridge", "role", "situation", "decision", "communication", "action",
              "action_item", "action_done")


@dataclass(frozen=True)
class Step:
    at: datetime
    author: str
    action: str  # a Status value, NOTE, ESCALATE or one of ROOM_STEPS
    text: str = ""


@dataclass
class Plan:
    new: NewIncident
    opened_at: datetime
    recorded_at: datetime  # when the desk typed it in (>= opened_at when backdated)
    author: str
    steps: list[Step] = field(default_factory=list)
    duplicate_of: Plan | None = None  # cancelled as a duplicate of this one
    shared: bool = True  # a fault others could report too (not one person's laptop)


def _sec(value: datetime) -> datetime:
    return value.replace(microsecond=0)


def _minutes(value: float) -> timedelta:
    return timedelta(minutes=value)


class StoryWriter:
    """Plans incidents from the story with one random generator (deterministic per seed)."""

    def __init__(self, story: Story, rng: random.Random, now: datetime, matrix: PriorityMatrix,
                 policy: SlaPolicy) -> None:
        self.story = story
        self.rng = rng
        self.now = now
        self.matrix = matrix
        self.policy = policy

    # small helpers
    def person(self, key: str) -> str:
        return self.story["people"][key]

    def on_shift(self, at: datetime) -> str:
        crew = "night" if at.weekday() >= 5 or not 6 <= at.hour < 22 else "early" if at.hour < 14 else "late"
        return self.person(self.rng.choice(self.story["shifts"][crew]))

    def same_or_on_shift(self, author: str, at: datetime) -> str:
        return author if self.rng.random() < 0.6 else self.on_shift(at)

    def fill(self, service: ServiceStory) -> dict[str, str]:
        s, rng = self.story, self.rng
        floor = rng.randrange(len(s["floors"]))
        building = rng.choice(s["buildings"])
        return {
            "caller": rng.choice(s["callers"]),
            "dept": rng.choice(s["departments"]),
            "floor": s["floors"][floor],
            "building": building,
            "site": rng.choice(s["sites"]),
            "printer": f"PRN-{building[-1]}{floor}-0{rng.randint(1, 4)}",
            "ticket": str(rng.randint(40000, 69999)),
            "team": service["team"],
            "service": service["name"],
            "dup": "{dup}",  # filled in when the incident it duplicates has a ref
        }

    def opening_time(self, origin: str) -> datetime:
        rng = self.rng
        while True:
            day = (self.now - timedelta(days=rng.uniform(0, SPAN.days))).date()
            if origin == Origin.MONITORING:
                minute = rng.uniform(0, 24 * 60)
            else:
                if day.weekday() >= 5 and rng.random() < 0.85:
                    continue
                minute = min(max(rng.gauss(11.0, 2.6), 6.5), 19.5) * 60
            at = _sec(datetime.combine(day, time(), UTC) + _minutes(minute))
            if self.now - SPAN <= at <= self.now - timedelta(minutes=15):
                return at

    # regular incidents
    def regular(self) -> Plan:
        rng, story = self.rng, self.story
        services = story["services"]
        service = rng.choices(services, weights=[s["weight"] for s in services])[0]
        tpl = rng.choice(service["incidents"])
        origins = story["origins"]
        origin = tpl.get("origin") or rng.choices(list(origins), weights=list(origins.values()))[0]
        if origin == Origin.MONITORING and "origin" not in tpl:
            origin = Origin.PHONE  # people report, monitoring only what it can see
        fill = self.fill(service)
        prio = tpl["p"]
        if prio == "P2" and rng.random() < 0.5:
            prio = "P3"  # only one team affected this time
        impact, urgency = rng.choice(_PAIRS[prio])
        targets = self.policy.for_priority(self.matrix.priority(Level(impact), Level(urgency)))
        opened = self.opening_time(origin)
        author = self.on_shift(opened)
        backdated = origin in (Origin.PHONE, Origin.WALK_IN) and rng.random() < 0.3
        recorded = opened + _minutes(rng.uniform(2, 9)) if backdated else opened
        new = NewIncident(
            title=tpl["title"].format_map(fill), impact=impact, urgency=urgency,
            service=service["name"], origin=origin,
            description=tpl["description"].format_map(fill),
            opened_at=opened if backdated else None,
        )
        personal = "{caller}" in tpl["title"] + tpl["description"]
        plan = Plan(new, opened, _sec(recorded), author, shared=not personal)
        plan.steps = self.lifecycle(plan, service, tpl, fill, targets, origin)
        return plan

    def lifecycle(self, plan: Plan, service: ServiceStory, tpl: Template, fill: dict[str, str],
                  targets: SlaTargets, origin: str) -> list[Step]:
        rng, story = self.rng, self.story
        opened, author = plan.opened_at, plan.author
        fix = tpl["fix"].format_map(fill)
        steps: list[Step] = []
        if origin == Origin.WALK_IN and rng.random() < 0.35:  # fixed at the counter
            done = max(opened + _minutes(rng.uniform(4, 25)), plan.recorded_at + _minutes(1))
            steps.append(Step(done, author, Status.RESOLVED, fix))
            return self.closing(steps, author, fill)
        # respond: mostly well inside the target, sometimes late; monitoring is picked up fast
        late_ack = rng.random() < 0.08
        share = rng.uniform(1.05, 1.8) if late_ack else rng.betavariate(1.3, 4.0) * 0.9
        if origin == Origin.MONITORING and not late_ack:
            share *= 0.4
        ack = max(opened + _minutes(targets.respond_minutes * share),
                  plan.recorded_at + _minutes(rng.uniform(1, 4)))
        steps.append(Step(ack, self.same_or_on_shift(author, ack), Status.IN_PROGRESS))
        # resolve: the SLA clock's minutes of work, later by any time spent on hold
        late = rng.random() < 0.1
        share = rng.uniform(1.05, 1.7) if late else rng.betavariate(1.5, 3.5)
        resolve = max(opened + _minutes(targets.resolve_minutes * share),
                      ack + _minutes(rng.uniform(10, 40)))
        start = ack + (resolve - ack) * rng.uniform(0.2, 0.6)
        reason = self.hold_reason(service, start, personal=not plan.shared)
        if reason is not None and rng.random() < 0.2:
            end = self.hold_end(reason, start)
            resolve += end - start
            steps.append(Step(start, self.on_shift(start), Status.ON_HOLD,
                              reason["text"].format_map(fill)))
            steps.append(Step(end, self.on_shift(end), Status.IN_PROGRESS,
                              reason["resume"].format_map(fill)))
        notes = story["notes"] + service["notes"]
        for text in rng.sample(notes, rng.choices([0, 1, 2, 3], weights=[3, 4, 2, 1])[0]):
            at = ack + (resolve - ack) * rng.uniform(0.05, 0.95)
            steps.append(Step(at, self.on_shift(at), NOTE, text.format_map(fill)))
        if targets.resolve_minutes >= 24 * 60:  # P3 and lower wait for working hours
            resolve = self.working_hours(resolve)
        resolver = self.same_or_on_shift(author, resolve)
        steps.append(Step(resolve, resolver, Status.RESOLVED, fix))
        if rng.random() < 0.05:  # the fix did not hold
            back = resolve + timedelta(hours=rng.uniform(1, 8))
            steps.append(Step(back, self.on_shift(back), Status.IN_PROGRESS,
                              rng.choice(story["reopen_notes"]).format_map(fill)))
            again = back + timedelta(hours=rng.uniform(0.5, 4))
            steps.append(Step(again, resolver, Status.RESOLVED, f"Second attempt: {fix}"))
        return self.closing(steps, author, fill)

    def closing(self, steps: list[Step], author: str, fill: dict[str, str]) -> list[Step]:
        steps.sort(key=lambda s: s.at)
        resolved = steps[-1].at
        close = self.working_hours(resolved + timedelta(hours=self.rng.uniform(20, 26)))
        steps.append(Step(close, self.on_shift(close), Status.CLOSED,
                          self.rng.choice(self.story["close_notes"]).format_map(fill)))
        return _strictly_increasing(steps)

    def working_hours(self, at: datetime) -> datetime:
        """`at` if it is a weekday between 07:00 and 19:00, else a little after the next 07:00."""
        if at.weekday() < 5 and 7 <= at.hour < 19:
            return at
        day = at.date() if at.hour < 7 else at.date() + timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return datetime.combine(day, time(7), UTC) + _minutes(self.rng.uniform(5, 150))

    def hold_reason(self, service: ServiceStory, at: datetime, *,
                    personal: bool) -> HoldReason | None:
        """A reason that fits the service (and the day: on leave 'until Monday' from Thursday)."""
        fitting = [
            r for r in self.story["hold_reasons"]
            if r["id"] in service["holds"]
            and (personal or r["id"] not in ("leave", "callback"))
            and (not r.get("until_monday") or at.weekday() in (3, 4))
        ]
        return self.rng.choice(fitting) if fitting else None

    def hold_end(self, reason: HoldReason, start: datetime) -> datetime:
        if reason.get("until_monday"):
            monday = start.date() + timedelta(days=7 - start.weekday())
            return datetime.combine(monday, time(7), UTC) + _minutes(self.rng.uniform(10, 120))
        return start + timedelta(hours=self.rng.uniform(reason["min_hours"], reason["max_hours"]))

    # the same fault reported twice
    def duplicate(self, original: Plan) -> Plan:
        rng = self.rng
        opened = _sec(original.opened_at + _minutes(rng.uniform(10, 120)))
        author = self.on_shift(opened)
        new = NewIncident(title=original.new.title, impact=original.new.impact,
                          urgency=original.new.urgency, service=original.new.service,
                          origin=rng.choice(["phone", "mail", "chat"]),
                          description=original.new.description)
        plan = Plan(new, opened, opened, author, duplicate_of=original)
        at = opened + _minutes(rng.uniform(3, 30))
        fill = {"caller": rng.choice(self.story["callers"]), "dup": "{dup}"}
        if rng.random() < 0.5:
            plan.steps.append(Step(at, author, Status.IN_PROGRESS))
            at += _minutes(rng.uniform(5, 45))
        reason = rng.choice(self.story["cancel_reasons"]).format_map(fill)
        plan.steps.append(Step(at, author, Status.CANCELLED, reason))
        plan.steps = _strictly_increasing(plan.steps)
        return plan

    # the hand-written incidents: majors, drills and what is on the desk right now
    def scripted(self, item: Scripted) -> Plan:
        start = item["start"]
        if "minutes_ago" in start:
            opened = self.now - _minutes(start["minutes_ago"])
        else:
            day: date = (self.now - timedelta(days=start.get("days_ago", 0))).date()
            hour, minute = (int(x) for x in start.get("at", "09:00").split(":"))
            opened = datetime.combine(day, time(hour, minute), UTC)
        opened = _sec(min(opened, self.now - timedelta(minutes=1)))
        new = NewIncident(
            title=item["title"], impact=item["impact"], urgency=item["urgency"],
            service=item["service"], origin=item["origin"], description=item["description"],
            major=item.get("major", False), exercise=item.get("exercise", False),
        )
        steps = [Step(opened + _minutes(m), self.person(who), action, text)
                 for m, who, action, text in item["steps"]]
        return Plan(new, opened, opened, self.person(item["author"]), _strictly_increasing(steps))


def _strictly_increasing(steps: list[Step]) -> list[Step]:
    """Whole seconds, each at least a second after the one before (order kept)."""
    out: list[Step] = []
    for step in steps:
        at = _sec(step.at)
        if out and at <= out[-1].at:
            at = out[-1].at + timedelta(seconds=1)
        out.append(Step(at, step.author, step.action, step.text))
    return out
