"""Importing into and exporting from the contact book, on SQLite and PostgreSQL, through the service
and the command line as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imdesk.app import build_context
from imdesk.contacts_io.errors import ImportRefused
from imdesk.context import AppContext
from imdesk.domain.contact import ContactRecord, EmailKind, PhoneKind
from imdesk.domain.errors import NotFoundError
from imdesk.services.contacts.transfer import apply_import, export_contacts, preview_import
from imdesk.services.contacts.values import normalise_email, normalise_phone
from imdesk.services.demo.contacts import seed_demo_contacts
from imdesk.services.demo.story import _ensure_services, load_story
from tests.helpers.cli_runner import Cli

CORPUS = Path(__file__).parent / "data" / "contacts"


def book(ctx: AppContext) -> dict[str, ContactRecord]:
    return {rec.name: rec for _, rec in ctx.contacts.all_records()}


def add_kim(ctx: AppContext) -> int:
    return ctx.contacts.add(ContactRecord(
        name="Kim Nguyen", job_title="Incident Manager",
        phones=(normalise_phone("+49 171 2345678", PhoneKind.MOBILE, "DE"),),
        emails=(normalise_email("juergen.mueller@contoso.example", EmailKind.WORK),)))


def test_import_stores_new_contacts_with_flagged_values_kept_flagged(ctx: AppContext) -> None:
    plan = preview_import(ctx.contacts, CORPUS / "outlook_2016.vcf")
    outcome = apply_import(ctx.contacts, plan)
    assert len(outcome.added) == 2 and outcome.merged == ()
    amelie = book(ctx)["Amélie Lefèvre"]
    assert [(p.raw, p.e164) for p in amelie.phones] == [("+33 6 12 34 56 78", "+33612345678"), ("12", None)]
    assert [(e.address, e.valid) for e in amelie.emails] == [
        ("amelie.lefevre@fabrikam.example", True), ("amelie at fabrikam", False)]
    assert amelie.flagged
    assert "Fax (work): +49 30 1234599" in book(ctx)["Jürgen Müller"].notes


def test_a_refused_file_writes_nothing_and_names_record_and_reason(ctx: AppContext) -> None:
    add_kim(ctx)
    before = ctx.contacts.all_records()
    with pytest.raises(ImportRefused) as refused:
        preview_import(ctx.contacts, CORPUS / "broken_no_end.vcf")
    assert str(refused.value).startswith("record 2 (line 6): the card has no END:VCARD")
    assert ctx.contacts.all_records() == before


def test_duplicates_are_skipped_or_merged_as_chosen(ctx: AppContext) -> None:
    kim = add_kim(ctx)          # holds Jürgen's address: the Outlook card is a duplicate of Kim
    plan = preview_import(ctx.contacts, CORPUS / "outlook_2016.vcf")
    assert [(d.record.contact.name, d.existing_id, d.matched_on) for d in plan.duplicates] == [
        ("Jürgen Müller", kim, "email juergen.mueller@contoso.example")]
    skipped = apply_import(ctx.contacts, plan)
    assert skipped.merged == () and set(book(ctx)) == {"Kim Nguyen", "Amélie Lefèvre"}
    merged = apply_import(ctx.contacts, preview_import(ctx.contacts, CORPUS / "outlook_2016.vcf"),
                          merge={0})
    assert merged.merged == (kim,) and merged.added == ()      # Amélie is now a duplicate too
    record = book(ctx)["Kim Nguyen"]
    assert record.job_title == "Incident Manager"
    # Jürgen's mobile 0171 2345678 is Kim's +49 171 2345678: the same number, kept once.
    assert [p.raw for p in record.phones] == ["+49 171 2345678", "+49 (30) 1234567"]
    assert "Name: Jürgen Müller" in record.notes and "Schlüssel für den Serverraum" in record.notes


def test_an_import_that_fails_while_writing_leaves_the_book_as_it_was(ctx: AppContext) -> None:
    kim = add_kim(ctx)
    plan = preview_import(ctx.contacts, CORPUS / "outlook_2016.vcf")
    ctx.contacts.delete(kim)                 # gone between the preview and the import
    before = ctx.contacts.all_records()
    with pytest.raises(NotFoundError):
        apply_import(ctx.contacts, plan, merge={0})
    assert ctx.contacts.all_records() == before    # Amélie, new in the plan, was not written either


def test_export_then_import_into_another_book_gives_the_same_contacts(ctx: AppContext,
                                                                      tmp_path: Path) -> None:
    _ensure_services(ctx, load_story())
    seed_demo_contacts(ctx)
    original = sorted((rec for _, rec in ctx.contacts.all_records()), key=repr)
    assert len(original) > 20 and any(rec.flagged for rec in original)
    for fmt in ("vcard", "csv"):
        path = tmp_path / f"book.{fmt}"
        assert export_contacts(ctx.contacts, path, fmt) == len(original)
        other = build_context(f"sqlite:///{tmp_path / f'other-{fmt}.sqlite'}", author="tester")
        try:
            plan = preview_import(other.contacts, path)
            assert plan.duplicates == [] and plan.notices == []
            apply_import(other.contacts, plan)
            assert sorted((rec for _, rec in other.contacts.all_records()), key=repr) == original
        finally:
            other.close()


# -- command line ------------------------------------------------------------------------------------
@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], db_url: str) -> Cli:
    return Cli(capsys, db_url)


def names(cli: Cli) -> list[str]:
    return sorted(c["name"] for c in cli.json("contacts", "list"))


def test_cli_import_shows_what_it_does_and_dry_run_writes_nothing(cli: Cli) -> None:
    code, out, err = cli("contacts", "import", str(CORPUS / "outlook.csv"), "--dry-run")
    assert (code, err) == (0, "")
    assert out.splitlines()[:2] == ["outlook.csv · Outlook CSV · windows-1252",
                                    "3 new · 0 duplicates (skipped) · 3 flagged values in 2 records"]
    assert "  flagged    record 2 (line 4): Home Phone '12': not a valid number for its region" in out
    assert out.rstrip().endswith("dry run: nothing written")
    assert names(cli) == []
    data = cli.json("contacts", "import", str(CORPUS / "outlook.csv"))
    assert [n["name"] for n in data["new"]] == ["Jürgen Müller", "Amélie Lefèvre", "Pizza Express Nord"]
    assert len(data["written"]["added"]) == 3 and data["written"]["merged"] == []
    assert {(f["record"], f["field"]) for f in data["flags"]} == {
        (2, "Home Phone"), (2, "E-mail 2 Address"), (3, "name")}
    assert names(cli) == ["Amélie Lefèvre", "Jürgen Müller", "Pizza Express Nord"]


def test_cli_import_of_duplicates_skips_by_default_and_merges_on_request(cli: Cli) -> None:
    cli.json("contacts", "import", str(CORPUS / "outlook.csv"))
    again = cli.json("contacts", "import", str(CORPUS / "outlook_2016.vcf"))
    assert again["new"] == [] and again["written"] == {"added": [], "merged": []}
    assert [d["action"] for d in again["duplicates"]] == ["skip", "skip"]
    merged = cli.json("contacts", "import", str(CORPUS / "outlook_2016.vcf"), "--duplicates", "merge")
    assert len(merged["written"]["merged"]) == 2
    assert names(cli) == ["Amélie Lefèvre", "Jürgen Müller", "Pizza Express Nord"]


@pytest.mark.parametrize(("name", "reason"), [
    ("broken_no_end.vcf", "broken_no_end.vcf: record 2 (line 6): the card has no END:VCARD"),
    ("unknown_layout.csv", "unknown_layout.csv: line 1: the CSV header ('Buchungstag'"),
    ("missing.vcf", "missing.vcf cannot be opened"),
])
def test_cli_refuses_a_file_with_exit_2_and_writes_nothing(cli: Cli, name: str, reason: str) -> None:
    cli.json("contacts", "import", str(CORPUS / "thunderbird.vcf"))
    code, out, err = cli("contacts", "import", str(CORPUS / name))
    assert (code, out) == (2, "")
    assert err.startswith("imdesk: ") and err.count("\n") == 1 and reason in err, err
    assert names(cli) == ["Anna Schmidt"]


def test_cli_export_both_formats(cli: Cli, tmp_path: Path) -> None:
    cli.json("contacts", "import", str(CORPUS / "apple_ios.vcf"))
    for fmt, head in (("vcard", "BEGIN:VCARD\r\nVERSION:3.0\r\n"), ("csv", "\ufeffName,Kind,Job title")):
        path = tmp_path / f"out.{fmt}"
        data = cli.json("contacts", "export", "--format", fmt, "-o", str(path))
        assert data == {"file": str(path), "format": fmt, "contacts": 2}
        assert path.read_bytes().decode("utf-8").startswith(head)
    code, out, err = cli("contacts", "export", "--format", "csv", "-o", str(tmp_path / "no" / "x.csv"))
    assert (code, out) == (2, "") and "is not a folder" in err
    assert not list(tmp_path.glob(".*.part"))
    exported = json.loads(json.dumps(cli.json("contacts", "list")))
    assert len(exported) == 2


def test_the_console_and_the_command_line_start_without_the_import_libraries() -> None:
    """The readers, the preview and the validators load when a file is imported, not at start-up."""
    import subprocess
    import sys

    probe = ("import sys\nimport imdesk.cli, imdesk.cli.contacts, imdesk.qt.main_window\n"
             "import imdesk.qt.contacts.transfer_menu\n"
             "print(sorted({m.split('.')[0] if not m.startswith('imdesk.') else m for m in sys.modules}\n"
             "  & {'vobject', 'email_validator', 'phonenumbers', 'imdesk.contacts_io',\n"
             "     'imdesk.qt.contacts.import_dialog', 'imdesk.services.contacts.transfer'}))")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                         check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
