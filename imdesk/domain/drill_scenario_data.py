"""A scenario as plain values in its file's schema and back: how a drill record keeps the
scenario it played, and how a replayed incident is written out."""

from __future__ import annotations

from typing import Any

from imdesk.domain.drill_scenario import VERSION, Scenario, check


def to_data(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain values in the file's schema (check() reads it back)."""
    injects: list[dict[str, Any]] = []
    for i in scenario.injects:
        item: dict[str, Any] = {"at": i.at_text, "kind": i.kind, "id": i.id}
        if i.kind == "alert":
            item.update(format=i.fmt, payload=dict(i.payload))
        elif i.kind == "expectation":
            item.update(expect=i.expect, objective=i.objective)
            item.update({k: v for k, v in (("contact", i.contact), ("service", i.service)) if v})
        else:
            item.update({k: v for k, v in (("who", i.who), ("says", i.says), ("asks", i.asks),
                                           ("if_missed", i.if_missed)) if v})
        injects.append(item)
    data: dict[str, Any] = {"version": VERSION, "name": scenario.name}
    if scenario.summary:
        data["summary"] = scenario.summary
    if scenario.service:
        data["service"] = scenario.service
    if scenario.roles:
        data["roles"] = dict(scenario.roles)
    if scenario.allow_list:
        data["allow_list"] = list(scenario.allow_list)
    data["injects"] = injects
    return data


def from_data(data: Any, source: str = "") -> Scenario:
    """A scenario kept as plain values (a drill record); ValueError if it no longer checks."""
    scenario, problems = check(data, {}, source)
    if scenario is None:
        raise ValueError("; ".join(str(p) for p in problems))
    return scenario

