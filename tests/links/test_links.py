"""Linked incidents: link, unlink, promote (entries on both sides), and resolving a master
resolving its callers — one entry each, chains intact, a caller on hold listed, not changed."""

from __future__ import annotations

import pytest

from imdesk.context import AppContext
from imdesk.domain.errors import ValidationError
from imdesk.domain.lifecycle import Status
from imdesk.services.incidents import NewIncident


def _open(ctx: AppContext, title: str, service: str | None = None) -> str:
    return ctx.incidents.create(NewIncident(title=title, impact="low", urgency="low",
                                            service=service)).ref


def _kinds(ctx: AppContext, ref: str) -> list[tuple[str, str]]:
    return [(e.kind, e.text) for e in ctx.incidents.detail(ref).timeline]


def test_link_writes_an_entry_on_both_sides_and_lists_the_caller(ctx: AppContext) -> None:
    master = _open(ctx, "E-mail outage")
    call = _open(ctx, "can't send mail")
    ctx.links.link(call, master, caller_name="Anna Weber", caller_contact="anna@example.com")
    assert ("link", f"linked as a caller of {master}") in _kinds(ctx, call)
    assert any(k == "link" and call in t and "Anna Weber" in t for k, t in _kinds(ctx, master))
    [c] = ctx.links.callers(master)
    assert (c.ref, c.name, c.contact, c.reached_via) == (call, "Anna Weber", "anna@example.com",
                                                         "phone")
    assert ctx.links.caller_counts([master, call]) == {master: 1}
    assert ctx.timeline.verify().ok


def test_refusals_name_the_reason_and_change_nothing(ctx: AppContext) -> None:
    a, b, c = _open(ctx, "a"), _open(ctx, "b"), _open(ctx, "c")
    ctx.links.link(b, a)
    with pytest.raises(ValidationError, match="itself a caller of"):
        ctx.links.link(c, b)
    with pytest.raises(ValidationError, match="already linked"):
        ctx.links.link(a, b, "related")
    with pytest.raises(ValidationError, match="has callers of its own"):
        ctx.links.link(a, c)
    with pytest.raises(ValidationError, match="caller or related"):
        ctx.links.link(c, a, "cousin")
    with pytest.raises(ValidationError, match="to itself"):
        ctx.links.link(c, c)
    assert [e.kind for e in ctx.incidents.detail(c).timeline] == ["opened"]


def test_unlink_and_related_links(ctx: AppContext) -> None:
    a, b = _open(ctx, "a"), _open(ctx, "b")
    ctx.links.link(b, a, "related")
    assert [v.role for v in ctx.links.links(a)] == ["related"]
    assert ctx.links.unlink(a) == [b]
    assert ctx.links.links(a) == [] and ctx.links.links(b) == []
    assert ("link", f"unlinked from {b}") in _kinds(ctx, a)
    assert ("link", f"{a} unlinked") in _kinds(ctx, b)
    with pytest.raises(ValidationError, match="is not linked"):
        ctx.links.unlink(a)


def test_promote_makes_the_caller_master_of_everyone(ctx: AppContext) -> None:
    master = _open(ctx, "E-mail outage")
    calls = [_open(ctx, f"call {i}") for i in range(3)]
    for c in calls:
        ctx.links.link(c, master)
    assert ctx.links.promote(calls[0]) == master
    assert sorted(c.ref for c in ctx.links.callers(calls[0])) == sorted([master, *calls[1:]])
    assert ctx.links.callers(master) == []
    assert any("promoted to master" in t for _k, t in _kinds(ctx, calls[0]))
    assert any(f"master is now {calls[0]}" in t for _k, t in _kinds(ctx, calls[1]))
    assert ctx.timeline.verify().ok


def test_resolving_a_master_resolves_forty_callers_one_entry_each(ctx: AppContext) -> None:
    master = _open(ctx, "E-mail outage")
    calls = [_open(ctx, f"mail does not go out ({i})") for i in range(40)]
    for c in calls:
        ctx.links.link(c, master)
    ctx.incidents.change_status(calls[7], "on_hold", note="user on holiday")
    before = {c: len(ctx.incidents.detail(c).timeline) for c in calls}
    ctx.incidents.change_status(master, "resolved", note="gateway restarted")
    for c in calls:
        detail = ctx.incidents.detail(c)
        if c == calls[7]:
            assert detail.incident.status == Status.ON_HOLD
            assert len(detail.timeline) == before[c]
            continue
        assert detail.incident.status == Status.RESOLVED
        assert len(detail.timeline) == before[c] + 1
        last = detail.timeline[-1]
        assert last.kind == "status" and master in last.text and "gateway restarted" in last.text
    summary = ctx.incidents.detail(master).timeline[-1]
    assert summary.kind == "link" and "resolved 39 callers" in summary.text
    assert f"{calls[7]} (on hold)" in summary.text
    report = ctx.timeline.verify()
    assert report.ok and report.incidents == 41
    # closing follows too; the one on hold is listed again
    ctx.incidents.change_status(master, "closed")
    assert ctx.incidents.get(calls[0]).status == Status.CLOSED
    assert ctx.incidents.get(calls[7]).status == Status.ON_HOLD


def test_outage_masters_counts_an_outage_once(ctx: AppContext) -> None:
    master, other = _open(ctx, "E-mail outage"), _open(ctx, "printer")
    calls = [_open(ctx, f"call {i}") for i in range(3)]
    for c in calls:
        ctx.links.link(c, master)
    by_ref = ctx.links.outage_masters_by_ref([master, other, *calls])
    assert by_ref == dict.fromkeys(calls, master)
    outages = {by_ref.get(r, r) for r in [master, other, *calls]}
    assert outages == {master, other}
