"""What is checked before anything is sent: header injection, bad addresses, broken
templates — refused with a clear reason, and no connection is made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from imdesk.context import AppContext
from imdesk.domain.errors import ValidationError
from imdesk.domain.mail_header import header_text
from imdesk.services.comms import templates
from imdesk.services.comms.recipients import Recipient
from tests.comms.conftest import configure, open_incident, use_people
from tests.helpers.smtp_server import SmtpServer


@pytest.mark.parametrize("bad", ["Update\r\nBcc: all@example.org", "a\nb", "x\x85y", "x\u2028y",
                                 "nul\x00"])
def test_header_text_refuses_line_breaks(bad: str) -> None:
    with pytest.raises(ValidationError, match="line break or control character"):
        header_text(bad, "subject")


def test_injected_names_and_bad_addresses_never_reach_the_server(
        sqlite_ctx: AppContext, smtp_server: SmtpServer, test_ca: tuple[Any, Path],
        session_secrets: Any) -> None:
    ctx = sqlite_ctx
    configure(ctx, smtp=smtp_server, ca_file=test_ca[1])
    use_people(ctx, [
        Recipient("Eve\r\nBcc: everyone@example.org", emails=("eve@example.org",)),
        Recipient("Mallory", emails=("a@x, b@y",)),
        Recipient("Trent", emails=("trent@@example",), phones=("0301234",)),
        Recipient("Kim Larsen", emails=("kim@example.org",)),
    ])
    ctx.comms.secrets = session_secrets
    ref = open_incident(ctx)
    plan = ctx.comms.notify.plan(ref, "update")
    assert [m.recipient.name for m in plan.messages] == ["Kim Larsen"]
    reasons = {u.name.split("\r")[0]: u.reason for u in plan.unreachable}
    assert "line break" in reasons["Eve"]
    assert "a@x, b@y" in reasons["Mallory"]
    assert "trent@@example" in reasons["Trent"] and "0301234" in reasons["Trent"]
    ctx.comms.notify.queue(plan)
    ctx.comms.sender().run_once()
    assert smtp_server.script.seen_rcpt == ["kim@example.org"]


def test_a_subject_with_a_line_break_from_a_user_template_is_refused(
        sqlite_ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMDESK_CONFIG_DIR", str(tmp_path))
    folder = templates.user_copies()
    (folder / "update" / "business.email.j2").write_text(
        "Subject: {{ title }}\n\nBody\n", encoding="utf-8")
    ctx = sqlite_ctx
    ref = ctx.incidents.create(__import__("imdesk.services.incidents", fromlist=["NewIncident"])
                               .NewIncident(title="ERP down", impact="low", urgency="low")).ref
    with pytest.raises(ValidationError, match="line break"):
        ctx.comms.notify.plan(ref, "update", situation={"title": "x\r\nBcc: y@example.org"})


def test_templates_run_in_the_sandbox_and_errors_name_the_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMDESK_CONFIG_DIR", str(tmp_path))
    folder = templates.user_copies()
    target = folder / "resolved" / "technical.sms.j2"
    target.write_text("{{ ref.__class__.__mro__[1].__subclasses__() }}", encoding="utf-8")
    fields = {"ref": "INC-1", "title": "t", "service": "", "priority": "P3", "status": "resolved",
              "actions": "", "desk": "D"}
    with pytest.raises(ValidationError, match="not allowed in a template"):
        templates.render("resolved", "technical", fields)
    target.write_text("{% if %}", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"technical\.sms\.j2, line 1"):
        templates.render("resolved", "technical", fields)
    target.write_text("{{ nosuchfield }}", encoding="utf-8")
    with pytest.raises(ValidationError, match="nosuchfield"):
        templates.render("resolved", "technical", fields)


def test_every_shipped_template_renders_with_the_incident_fields(sqlite_ctx: AppContext) -> None:
    ctx = sqlite_ctx
    ref = open_incident(ctx)
    ctx.war_rooms.declare(ref, bridge="+49 30 1234 5678")
    ctx.war_rooms.set_situation(ref, conditions="ERP answers in 30 s", actions="failing over DB",
                                needs="hold month-end runs", impact="Orders cannot be entered")
    use_people(ctx, [Recipient("Kim Larsen", emails=("kim@example.org",))])
    for template in templates.TEMPLATES:
        for audience in templates.AUDIENCES:
            plan = ctx.comms.notify.plan(ref, template, audience=audience)
            assert ref in plan.rendered.subject and plan.rendered.body.strip()
            assert plan.rendered.sms and "\n" not in plan.rendered.sms
    update = ctx.comms.notify.plan(ref, "update", audience="technical")
    assert "ERP answers in 30 s" in update.rendered.sms and "hold month-end runs" in update.rendered.sms
    business = ctx.comms.notify.plan(ref, "initial", audience="business")
    assert "Orders cannot be entered" in business.rendered.body
    assert "Next update:" in business.rendered.body


def test_sending_an_update_restarts_the_war_room_clock(sqlite_ctx: AppContext, clock: Any) -> None:
    from datetime import timedelta

    ctx = sqlite_ctx
    ref = open_incident(ctx)
    ctx.war_rooms.declare(ref)
    clock.advance(timedelta(minutes=20))
    assert ctx.war_rooms.room(ref).update.state.value == "overdue"
    use_people(ctx, [Recipient("Kim Larsen", emails=("kim@example.org",),
                               phones=("+4915112345678",))])
    configure(ctx)  # no providers at all: straight onto the call list
    ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "update"))
    assert [i.state.value for i in ctx.comms.outbox.list()] == ["call"]
    room = ctx.war_rooms.room(ref)
    assert room.update.state.value == "ok"
    assert room.update.due == clock.now() + timedelta(minutes=30)
