"""The outbound guard of exercise incidents, checked where it matters — at the local SMTP and
SMS servers: for every template and audience and every way to send (the service as the dialog
and the war room use it, the send dialog itself, the command line `notify`, a retry, a message
queued before the incident became an exercise), nobody off the allow-list receives anything;
what does go out starts with EXERCISE and ends with the footer; with capture off the request is
refused before anything is queued."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.domain.errors import ValidationError
from imdesk.domain.exercise_guard import FOOTER
from imdesk.domain.message import MessageState
from imdesk.services.comms.recipients import Recipient
from imdesk.services.comms.sender import OutboxSender
from imdesk.services.comms.templates import AUDIENCES, TEMPLATES
from imdesk.services.incidents import NewIncident
from tests.comms.conftest import configure, use_people
from tests.helpers.smtp_server import SmtpServer
from tests.helpers.twilio_server import TwilioServer

CEO = Recipient("Real CEO", phones=("+4915112345678",), emails=("ceo@example.org",))
SANDBOX = Recipient("Drill Sandbox", phones=("+4915199999999",), emails=("drill@example.org",))
ALLOWED = ("drill@example.org", "+49 151 99999999")


@pytest.fixture
def servers(sqlite_ctx: AppContext, smtp_server: SmtpServer, twilio: TwilioServer,
            test_ca: tuple[Any, Path], session_secrets: Any) -> OutboxSender:
    configure(sqlite_ctx, smtp=smtp_server, ca_file=test_ca[1], twilio=twilio, manual=False)
    use_people(sqlite_ctx, [CEO, SANDBOX])
    sqlite_ctx.comms.secrets = session_secrets
    return sqlite_ctx.comms.sender(rng=random.Random(3))


def _exercise(ctx: AppContext, *, capture: bool = True) -> str:
    ctx.drills.settings.save(ALLOWED, capture=capture)
    ctx.catalog.add("ERP")
    return ctx.incidents.create(NewIncident(title="ERP down (drill)", impact="high",
                                            urgency="high", service="ERP", exercise=True)).ref


def _received(smtp: SmtpServer, twilio: TwilioServer) -> list[tuple[str, str, str]]:
    mails = [(rcpt, m.subject, m.body) for m in smtp.received for rcpt in m.rcpt]
    return mails + [(to, "", body) for to, body in twilio.sent()]


def _assert_only_sandbox(got: list[tuple[str, str, str]]) -> None:
    assert got, "the allow-listed sandbox got the drill's messages"
    for to, subject, body in got:
        assert to in ("drill@example.org", "+4915199999999"), to
        assert body.lstrip().upper().startswith("EXERCISE") or "EXERCISE" in body.split("\n")[0]
        if subject:
            assert subject.startswith("EXERCISE")
            assert FOOTER in body.replace("\r\n", "\n").replace("=\n", "")


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_template_reaches_only_the_allow_list(
        sqlite_ctx: AppContext, servers: OutboxSender, smtp_server: SmtpServer,
        twilio: TwilioServer, template: str, audience: str) -> None:
    ref = _exercise(sqlite_ctx)
    notify = sqlite_ctx.comms.notify
    for channel in ("email", "sms"):
        plan = notify.plan(ref, template, audience=audience, channel=channel)
        assert plan.exercise and [m.recipient.name for m in plan.captured] == ["Real CEO"]
        assert plan.rendered.subject.startswith("EXERCISE") and plan.rendered.body.endswith(FOOTER)
        notify.queue(plan)
    servers.run_once()
    _assert_only_sandbox(_received(smtp_server, twilio))
    states = {(i.recipient, i.channel): i.state for i in sqlite_ctx.comms.outbox.list()}
    assert states[("Real CEO", "email")] == MessageState.CAPTURED
    assert states[("Real CEO", "sms")] == MessageState.CAPTURED
    captured = [i for i in sqlite_ctx.comms.outbox.list() if i.state == MessageState.CAPTURED]
    with pytest.raises(ValidationError, match="never sent"):
        sqlite_ctx.comms.outbox.retry(captured[0].id)


def test_with_capture_off_a_message_to_anyone_else_is_refused_before_queuing(
        sqlite_ctx: AppContext, servers: OutboxSender, smtp_server: SmtpServer,
        twilio: TwilioServer) -> None:
    ref = _exercise(sqlite_ctx, capture=False)
    notify = sqlite_ctx.comms.notify
    with pytest.raises(ValidationError, match=r"Real CEO.*not on the drill's allow-list"):
        notify.plan(ref, "update")
    before = len(sqlite_ctx.incidents.detail(ref).timeline)
    with pytest.raises(ValidationError, match="allow-list"):
        notify.plan(ref, "update", to=["Real CEO"])
    assert sqlite_ctx.comms.outbox.list() == []
    assert len(sqlite_ctx.incidents.detail(ref).timeline) == before
    notify.queue(notify.plan(ref, "update", to=["Drill Sandbox"]))
    servers.run_once()
    _assert_only_sandbox(_received(smtp_server, twilio))


def test_a_plan_made_before_the_incident_became_an_exercise_is_guarded_at_queue_and_send(
        sqlite_ctx: AppContext, servers: OutboxSender, smtp_server: SmtpServer,
        twilio: TwilioServer) -> None:
    sqlite_ctx.drills.settings.save(ALLOWED)
    sqlite_ctx.catalog.add("ERP")
    ref = sqlite_ctx.incidents.create(NewIncident(title="ERP slow", impact="high",
                                                  urgency="high", service="ERP")).ref
    notify = sqlite_ctx.comms.notify
    early = notify.plan(ref, "update")  # a real incident: everybody
    queued_real = notify.plan(ref, "initial", channel="sms")
    notify.queue(queued_real)  # queued while real, not yet sent
    sqlite_ctx.incidents.set_exercise(ref, True, "it was the drill's test incident")
    notify.queue(early)  # the dialog's plan sent after the change: guarded now
    servers.run_once()
    got = _received(smtp_server, twilio)
    assert all(to in ("drill@example.org", "+4915199999999") for to, _, _ in got), got
    failed = [i for i in sqlite_ctx.comms.outbox.list() if i.state == MessageState.FAILED]
    assert failed and all("exercise guard" in i.last_error for i in failed)
    entry = [e for e in sqlite_ctx.incidents.detail(ref).timeline if e.kind == "exercise"]
    assert entry and entry[0].author == "tester" and "drill's test incident" in entry[0].text


def test_the_send_dialog_and_the_command_line_go_through_the_guard(
        qtbot: QtBot, sqlite_ctx: AppContext, servers: OutboxSender, smtp_server: SmtpServer,
        twilio: TwilioServer, capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    from imdesk.qt.comms.send_dialog import SendDialog
    from imdesk.qt.tasks import SyncTaskRunner

    ref = _exercise(sqlite_ctx)
    dialog = SendDialog(None, sqlite_ctx.comms.notify, SyncTaskRunner(), ref, "ERP down (drill)")
    qtbot.addWidget(dialog)
    text = dialog.recipients.toPlainText()
    assert text.startswith("EXERCISE") and "Captured, never sent" in text and "Real CEO" in text
    assert dialog.subject.text().startswith("Subject: EXERCISE")
    dialog.send_button.click()
    assert dialog.queued
    servers.run_once()
    _assert_only_sandbox(_received(smtp_server, twilio))
    smtp_server.received.clear()
    twilio.messages.clear()
    # the command line (its own context on the same file, the contact book's people): queued
    # guarded, then sent by the sender
    from imdesk.cli import main
    from imdesk.domain.contact import ContactRecord, Email, EmailKind, Phone, PhoneKind

    sqlite_ctx.contacts.add(ContactRecord(
        name="Real CEO", phones=(Phone(PhoneKind.MOBILE, "+4915112345678", "+4915112345678"),),
        emails=(Email(EmailKind.WORK, "ceo@example.org", True),)))

    capsys.readouterr()
    code = main(["--db", sqlite_url, "notify", ref, "--template", "update", "--to", "Real CEO",
                 "--yes", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    import json

    shown = json.loads(out)
    assert shown["exercise"] and [c["name"] for c in shown["captured"]] == ["Real CEO"]
    assert shown["queued"][0]["state"] == "captured"
    servers.run_once()
    assert not [to for to, _, _ in _received(smtp_server, twilio) if "ceo" in to or
                to == "+4915112345678"]


def test_a_drills_own_allow_list_opens_the_way_for_its_incidents_only(
        sqlite_ctx: AppContext, servers: OutboxSender, smtp_server: SmtpServer,
        twilio: TwilioServer) -> None:
    from imdesk.services.drills.player import DrillPlayer
    from imdesk.services.drills.scenario_file import find

    room = Recipient("Drill Room", emails=("drill-room@example.org",))
    use_people(sqlite_ctx, [CEO, room])
    desk = sqlite_ctx.drills
    drill = desk.service.start(find("mail-relay-down"), allow_list=["drill-room@example.org"])
    DrillPlayer(desk.service, drill, desk.deliverer()).tick()
    [ref] = desk.service.incident_refs(drill.id)
    other = sqlite_ctx.incidents.create(NewIncident(title="another exercise", impact="high",
                                                    urgency="high", exercise=True)).ref
    notify = sqlite_ctx.comms.notify
    mine = notify.plan(ref, "initial", channel="email")
    assert [m.recipient.name for m in mine.messages] == ["Drill Room"]
    assert [m.recipient.name for m in notify.plan(other, "initial", channel="email").messages] == []
    notify.queue(mine)
    servers.run_once()
    assert [r.rcpt for r in smtp_server.received] == [["drill-room@example.org"]]
    assert twilio.sent() == []
