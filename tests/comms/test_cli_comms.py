"""The communications path from the command line, as a script would drive it: providers,
the secret into the keyring from stdin, a preview, sending, the outbox."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest

from imdesk.app import build_context
from imdesk.domain.contact import ContactRecord, Email, EmailKind, Phone, PhoneKind
from imdesk.services.contacts.org import OrgService
from imdesk.services.incidents import NewIncident
from tests.comms.conftest import SMTP_PASSWORD, TWILIO_TOKEN
from tests.helpers.cli_runner import Cli
from tests.helpers.smtp_server import USER, SmtpServer
from tests.helpers.twilio_server import ACCOUNT, TwilioServer

needs_keyring = pytest.mark.skipif(not os.environ.get("DBUS_SESSION_BUS_ADDRESS"),
                                   reason="needs the Secret Service of ./dev test")


def person(name: str, mobile: str, email: str) -> ContactRecord:
    return ContactRecord(name=name, phones=(Phone(PhoneKind.MOBILE, mobile, mobile),),
                         emails=(Email(EmailKind.WORK, email, True),))


@pytest.fixture
def book(sqlite_url: str) -> str:
    """Kim and Ana in the contact book; team Network = Sam; ERP's P1 stakeholders: Kim, Network."""
    from imdesk.domain.contact_book import StakeholderRef

    ctx = build_context(sqlite_url, author="tester")
    try:
        ctx.catalog.add("ERP")
        kim = ctx.contacts.add(person("Kim Larsen", "+4915112345678", "kim@example.org"))
        ctx.contacts.add(person("Ana Souza", "+5511912345678", "ana@example.org"))
        sam = ctx.contacts.add(person("Sam Okafor", "+447911123456", "sam@example.org"))
        org = OrgService(ctx.db, ctx.comms.clock)
        org.save_team("Network")
        org.set_members("Network", [(sam, "engineer")])
        team_id = org.team("Network").id
        org.set_stakeholders("ERP", [StakeholderRef("P1", contact_id=kim),
                                     StakeholderRef("P1", team_id=team_id)])
        ref = ctx.incidents.create(NewIncident(title="ERP down", impact="high", urgency="high",
                                               service="ERP")).ref
    finally:
        ctx.close()
    return ref


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> Cli:
    return Cli(capsys, sqlite_url)


def configure(cli: Cli, smtp: SmtpServer, ca: Path, twilio: TwilioServer) -> None:
    assert cli("provider", "set", "mail", "kind=smtp", "host=localhost", f"port={smtp.port}",
               f"username={USER}", "from_address=desk@example.org", f"ca_file={ca}",
               "timeout=2")[0] == 0
    assert cli("provider", "set", "twilio-a", "kind=twilio", f"base_url={twilio.base_url}",
               f"account_sid={ACCOUNT}", "from_number=+15005550006", "timeout=2")[0] == 0


def set_secret(cli: Cli, monkeypatch: pytest.MonkeyPatch, provider: str, secret: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(secret + "\n"))
    return cli("credentials", "set", provider)


@needs_keyring
def test_the_whole_path_from_the_command_line(
        cli: Cli, book: str, smtp_server: SmtpServer, test_ca: tuple[Any, Path],
        twilio: TwilioServer, monkeypatch: pytest.MonkeyPatch) -> None:
    ref = book
    configure(cli, smtp_server, test_ca[1], twilio)
    status = cli.json("credentials", "status")
    assert {p["provider"]: p["state"] for p in status["providers"]} == {
        "mail": "missing", "twilio-a": "missing"}
    code, out, _ = set_secret(cli, monkeypatch, "mail", SMTP_PASSWORD)
    assert code == 0 and "Secret Service" in out and SMTP_PASSWORD not in out
    set_secret(cli, monkeypatch, "twilio-a", TWILIO_TOKEN)
    assert {p["state"] for p in cli.json("credentials", "status")["providers"]} == {"available"}

    code, out, _ = cli("provider", "test", "mail")
    assert code == 0 and out.startswith("OK: connected to localhost") and "Secret Service" in out

    preview = cli.json("notify", ref, "--template", "initial")
    assert [r["name"] for r in preview["recipients"]] == ["Kim Larsen", "Sam Okafor"]
    assert preview["queued"] == [] and cli.json("outbox", "list") == []
    code, out, _ = cli("notify", ref, "--template", "initial")
    assert "Nothing sent: add --yes" in out and "email (2):" in out

    sent = cli.json("notify", ref, "--template", "update", "--audience", "technical", "--yes")
    assert {(m["recipient"], m["channel"], m["state"]) for m in sent["queued"]} == {
        ("Kim Larsen", "sms", "sent"), ("Sam Okafor", "sms", "sent")}
    assert sorted(to for to, _ in twilio.sent()) == ["+447911123456", "+4915112345678"]
    team = cli.json("notify", ref, "--template", "update", "--to", "Network", "--to", "Ana Souza")
    assert [(r["name"], r["source"]) for r in team["recipients"]] == [
        ("Sam Okafor", "team Network"), ("Ana Souza", "named")]
    cli.json("notify", ref, "--template", "update", "--to", "Ana Souza", "--channel", "email",
             "--yes")
    assert [r.rcpt for r in smtp_server.received] == [["ana@example.org"]]

    listing = cli.json("outbox", "list")
    assert len(listing) == 3
    assert set(listing[0]) >= {"id", "ref", "channel", "recipient", "state", "attempts",
                               "last_error"}
    code, out, err = cli("outbox", "retry", str(listing[0]["id"]))
    assert code == 2 and "nothing to retry" in err
    timeline = cli.timeline(ref)
    assert sum(e["kind"] == "communication" for e in timeline) == 2
    assert any(e["kind"] == "message" and "accepted by the provider" in e["text"] for e in timeline)


def test_bad_input_is_refused_with_a_reason(cli: Cli, book: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ref = book
    code, _, err = cli("notify", ref, "--template", "update", "--to", "Nobody Here")
    assert code == 2 and "no contact, team or list named 'Nobody Here'" in err
    code, _, err = cli("notify", ref, "--template", "weekly")
    assert code == 2 and "template must be one of initial, update, resolved" in err
    code, _, err = cli("provider", "set", "mail", "kind=smtp", "host=x", "password=hunter2")
    assert code == 2 and "secrets go into the keyring" in err
    code, _, err = cli("provider", "set", "mail", "kind=smtp", "host=x", "port=99999",
                       "from_address=a@example.org")
    assert code == 2 and "port must be between 1 and 65535" in err
    code, _, err = set_secret(cli, monkeypatch, "nosuch", "x")
    assert code == 2 and "no provider named 'nosuch'" in err
    assert cli.json("outbox", "list") == []


def test_settings_from_a_file_and_no_secret_in_it(cli: Cli, book: str, tmp_path: Path) -> None:
    good = tmp_path / "providers.json"
    good.write_text('{"providers": {"mail": {"kind": "smtp", "host": "mail.example.org", '
                    '"port": 465, "security": "tls", "from_address": "desk@example.org"}}, '
                    '"email_provider": "mail"}', encoding="utf-8")
    assert cli("provider", "load", str(good))[0] == 0
    shown = cli.json("provider", "show")
    assert shown["providers"]["mail"]["port"] == 465 and shown["email_provider"] == "mail"
    bad = tmp_path / "with-secret.json"
    bad.write_text('{"providers": {"mail": {"kind": "smtp", "host": "h", "password": "p"}}}',
                   encoding="utf-8")
    code, _, err = cli("provider", "load", str(bad))
    assert code == 2 and "secrets go into the keyring" in err
    assert cli.json("provider", "show")["providers"]["mail"]["host"] == "mail.example.org"
