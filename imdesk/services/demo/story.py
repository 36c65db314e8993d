"""The demo database: a mid-size company's IT over the last 30 days, told through the services.

The story (services, people, titles, the war-room timelines) lives in imdesk/resources/demo/story.json;
this module writes it as incidents with realistic timing (the file's shape is in story_file.py,
the planning of each incident's steps in story_plan.py). Every change goes through
IncidentService with a ManualClock set to the moment it happened, so timelines, SLA clocks and
hash chains are exactly what a real desk would have recorded.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from imdesk.domain.priority import PriorityMatrix
from imdesk.domain.sla import SlaPolicy
from imdesk.services.clock import ManualClock
from imdesk.services.demo.desk import DemoDesk
from imdesk.services.demo.story_file import Story
from imdesk.services.demo.story_file import load_story as load_story
from imdesk.services.demo.story_plan import ESCALATE, NOTE, ROOM_STEPS, Plan, Step
from imdesk.services.demo.story_plan import StoryWriter as StoryWriter
from imdesk.services.incidents import IncidentEdit, IncidentService
from imdesk.services.war_room import WarRoomService
from imdesk.storage.incident_repo import IncidentQuery

DESK_NAME = "Service Desk North"
# Team mode: the story is written from three consoles on one database (each entry names its desk).
SPOC, MIM, LEAD = "SPOC desk", "MIM laptop", "Shift lead screen"


def _at_desk(ctx: DemoDesk, name: str, author: str) -> None:
    ctx.db.desk = {"name": name, "host": f"{name.split()[0].lower()}-pc", "user": author}

REGULAR_INCIDENTS = 180  # plus duplicates (cancelled) and the scripted incidents: about 200
DUPLICATES = 8


# -- writing ----------------------------------------------------------------------------------
def _write(ctx: DemoDesk, plans: list[Plan], now: datetime) -> int:
    clock = ManualClock(now)
    service = IncidentService(ctx.db, clock=clock)
    room = WarRoomService(ctx.db, clock=clock)
    refs: dict[int, str] = {}
    own_desk = ctx.db.desk
    for plan in sorted(plans, key=lambda p: (p.opened_at, p.recorded_at)):
        clock.set(plan.recorded_at)
        service.author = plan.author
        _at_desk(ctx, SPOC, plan.author)
        ref = service.create(plan.new).ref
        refs[id(plan)] = ref
        dup = refs.get(id(plan.duplicate_of)) if plan.duplicate_of is not None else None
        for step in plan.steps:
            if step.at > now:
                break  # the rest of this incident's story has not happened yet
            clock.set(step.at)
            service.author = room.author = step.author
            _at_desk(ctx, MIM if step.action in ROOM_STEPS else LEAD if step.action == ESCALATE
                     else SPOC, step.author)
            if step.action in ROOM_STEPS:
                _room_step(service, room, ref, step)
            elif step.action == NOTE:
                service.add_note(ref, step.text)
            elif step.action == ESCALATE:
                service.edit(ref, IncidentEdit(title=step.text, impact="high", urgency="high",
                                               major=True))
            else:
                text = step.text.replace("{dup}", dup or "an earlier incident")
                service.change_status(ref, step.action, text)
    ctx.db.desk = own_desk
    return len(plans)


def _room_step(service: IncidentService, room: WarRoomService, ref: str, step: Step) -> None:
    """A war-room entry of the story, written as the room's own commands write it."""
    if step.action == "bridge":
        room.set_bridge(ref, step.text)
    elif step.action == "role":
        role, _, name = step.text.partition("=")
        room.assign_role(ref, role, name)
    elif step.action == "situation":
        conditions, actions, needs, impact = (part.strip() for part in step.text.split("||"))
        room.set_situation(ref, conditions=conditions, actions=actions, needs=needs, impact=impact)
    elif step.action == "action_item":
        text, _, owner = step.text.rpartition(" @")
        room.add_action(ref, text, owner=owner)
    elif step.action == "action_done":
        room.update_action(ref, int(step.text), status="done")
    else:  # decision, communication, action: a line from the composer
        service.add_entry(ref, step.text, step.action)


def _ensure_services(ctx: DemoDesk, story: Story) -> None:
    existing = {s.name.lower() for s in ctx.catalog.services()}
    for item in story["services"]:
        if item["name"].lower() not in existing:
            ctx.catalog.add(item["name"], item["criticality"], item["description"])


def seed_demo(ctx: DemoDesk, *, now: datetime | None = None, rng_seed: int = 7) -> int:
    """Write the demo story (services and ~200 incidents up to `now`); return incidents created."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    story = load_story()
    _ensure_services(ctx, story)
    plans = plan_demo(story, now, rng_seed=rng_seed, matrix=ctx.settings.matrix(),
                      policy=ctx.settings.sla_policy())
    return _write(ctx, plans, now)


def plan_demo(story: Story, now: datetime, *, rng_seed: int = 7,
              matrix: PriorityMatrix | None = None, policy: SlaPolicy | None = None) -> list[Plan]:
    """Every incident of the story with its steps (nothing written; steps after `now` included)."""
    rng = random.Random(rng_seed)
    writer = StoryWriter(story, rng, now, matrix or PriorityMatrix(), policy or SlaPolicy())
    plans = [writer.regular() for _ in range(REGULAR_INCIDENTS)]
    older = [p for p in plans if p.shared and p.opened_at < now - timedelta(hours=6)]
    plans += [writer.duplicate(rng.choice(older)) for _ in range(DUPLICATES)]
    plans += [writer.scripted(item) for item in story["scripted"]]
    return plans


def ensure_demo_data(ctx: DemoDesk) -> bool:
    """Seed an empty database with the demo story (and name the desk); False if it has incidents."""
    from imdesk.services.demo.contacts import seed_demo_contacts
    from imdesk.services.demo.runbooks import seed_demo_docs

    if ctx.incidents.count(IncidentQuery()) > 0:
        seed_demo_contacts(ctx)  # a demo database from before the contact book
        seed_demo_docs(ctx, ctx.incidents.now())  # …or before the documents
        return False
    from imdesk.services.demo.handovers import seed_demo_handovers

    ctx.settings.set_desk_name(DESK_NAME)
    now = ctx.incidents.now()  # one moment for every part of the story (the desk's clock)
    seed_demo(ctx, now=now)
    seed_demo_contacts(ctx)
    seed_demo_handovers(ctx)
    from imdesk.services.demo.links import seed_demo_links

    seed_demo_links(ctx.db, ctx.incidents, now)
    from imdesk.services.demo.offline import seed_demo_offline

    seed_demo_offline(ctx.db, ctx.incidents, now)  # merged from the MIM laptop
    seed_demo_docs(ctx, now)
    from imdesk.services.demo.drill import seed_demo_drill

    people = ctx.contacts.names()
    seed_demo_drill(ctx.db, now, people[0][0] if people else None)
    return True
