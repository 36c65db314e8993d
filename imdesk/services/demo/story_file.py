"""The demo story file (imdesk/resources/demo/story.json): its shape as typed dictionaries, and loading
it (once per process)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import NotRequired, TypedDict, cast

from imdesk.resources import resource


class Template(TypedDict):
    title: str
    description: str
    p: str
    fix: str
    origin: NotRequired[str]


class ServiceStory(TypedDict):
    name: str
    criticality: str
    description: str
    team: str
    weight: int
    holds: list[str]  # ids of the hold reasons that fit this service
    notes: list[str]
    incidents: list[Template]


class HoldReason(TypedDict):
    id: str
    text: str
    resume: str
    min_hours: float
    max_hours: float
    until_monday: NotRequired[bool]


class Start(TypedDict, total=False):
    minutes_ago: int
    days_ago: int
    at: str


class Scripted(TypedDict):
    title: str
    service: str
    impact: str
    urgency: str
    origin: str
    description: str
    author: str
    start: Start
    steps: list[tuple[int, str, str, str]]  # minutes after opening, who, action, text
    major: NotRequired[bool]
    exercise: NotRequired[bool]


class Story(TypedDict):
    people: dict[str, str]
    shifts: dict[str, list[str]]
    callers: list[str]
    departments: list[str]
    floors: list[str]
    buildings: list[str]
    sites: list[str]
    origins: dict[str, int]
    notes: list[str]
    hold_reasons: list[HoldReason]
    cancel_reasons: list[str]
    reopen_notes: list[str]
    close_notes: list[str]
    services: list[ServiceStory]
    scripted: list[Scripted]


def story_path() -> Path:
    """imdesk/resources/demo/story.json: from the source tree, a wheel or the frozen bundle."""
    return resource("demo", "story.json")


@cache
def load_story(path: Path | None = None) -> Story:
    text = (path or story_path()).read_text(encoding="utf-8")
    return cast(Story, json.loads(text))
