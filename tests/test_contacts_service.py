"""The contact book service on SQLite and PostgreSQL: records round-trip, imports are all or
nothing, search by prefix, on duty with overrides, who to call, stakeholders, verification."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from imdesk.app import AppContext
from imdesk.domain.contact import (
    ContactKind,
    ContactRecord,
    Email,
    EmailKind,
    Phone,
    PhoneKind,
)
from imdesk.domain.contact_book import ON_DUTY_ROLE, LadderStep, ListMember, StakeholderRef
from imdesk.domain.contact_clean import CleanRecord, clean_record
from imdesk.domain.errors import NotFoundError, ValidationError
from imdesk.services.clock import ManualClock
from imdesk.services.contacts.org import ProfileEdit
from imdesk.services.contacts.values import normalise_email, normalise_phone
from imdesk.services.incidents import NewIncident


def person(name: str, phone: str = "+49 30 1234567", email: str = "", **kw: object) -> ContactRecord:
    emails = (normalise_email(email),) if email else ()
    return ContactRecord(name=name, phones=(normalise_phone(phone),), emails=emails, **kw)  # type: ignore[arg-type]


def test_a_record_comes_back_as_stored(ctx: AppContext, clock: ManualClock) -> None:
    rec = ContactRecord(
        name="Aylin Demir", job_title="Network engineer", organisation="ACME", department="NetOps",
        phones=(normalise_phone("030 1234567", PhoneKind.OFFICE),
                Phone(PhoneKind.MOBILE, "call reception", None)),
        emails=(normalise_email("Aylin.Demir@Example.com"), Email(EmailKind.HOME, "not-an-address", False)),
        time_zone="Europe/Berlin", notes="speaks Turkish and German", tags=("network", "on-call"),
        last_verified_at=clock.now() - timedelta(days=3), verified_by="kim")
    cid = ctx.contacts.add(rec)
    detail = ctx.contacts.get(cid)
    assert detail.record == rec
    assert detail.record.flagged           # the unparsable number and the bad address are kept, flagged
    assert detail.record.phones[0].e164 == "+49301234567"
    assert ctx.contacts.all_records() == [(cid, rec)]


def test_bidi_and_zero_width_characters_are_removed_from_names(ctx: AppContext) -> None:
    cid = ctx.contacts.add(person("Eve\u202e lyn\u200b Park"))
    assert ctx.contacts.get(cid).record.name == "Eve lyn Park"
    rtl = ctx.contacts.add(person("נועה כהן"))
    assert ctx.contacts.get(rtl).record.name == "נועה כהן"


def test_a_10_mb_field_is_refused_naming_the_field(ctx: AppContext) -> None:
    with pytest.raises(ValidationError) as err:
        ctx.contacts.add(person("Big Notes", notes="x" * 10_000_000))
    assert err.value.field == "notes"
    assert "10,000,000" in err.value.message
    assert ctx.contacts.all_records() == []


def test_an_import_is_all_or_nothing_and_names_the_refused_record(ctx: AppContext) -> None:
    keep = ctx.contacts.add(person("Old Name", email="old@example.com"))
    good = [person(f"Person {i}") for i in range(5)]
    bad = person("", phone="+44 20 7946 0000")
    with pytest.raises(ValidationError) as err:
        ctx.contacts.import_records([*good, bad], [(keep, person("New Name"))], author="importer")
    assert "record 6" in err.value.message and "name" in err.value.message
    assert [r.name for _i, r in ctx.contacts.all_records()] == ["Old Name"]

    outcome = ctx.contacts.import_records(good, [(keep, person("New Name"))], author="importer")
    assert len(outcome.added) == 5 and outcome.merged == (keep,)
    names = [r.name for _i, r in ctx.contacts.all_records()]
    assert names == ["New Name", *[f"Person {i}" for i in range(5)]]


def test_an_import_cleans_plain_records_and_stores_clean_ones_as_they_are(ctx: AppContext,
                                                                          clock: ManualClock) -> None:
    dirty = person("Eve\u202e lyn\u200b Park", notes="call\x07 after 9", tags=("db", " db ", ""))
    verified = clock.now() - timedelta(days=2)
    clean = CleanRecord(clean_record(person("Kim Roe", organisation="Contoso", last_verified_at=verified)))
    outcome = ctx.contacts.import_records([dirty, clean], [], author="importer")
    eve, kim = (ctx.contacts.get(i).record for i in outcome.added)
    assert (eve.name, eve.notes, eve.tags) == ("Eve lyn Park", "call after 9", ("db",))
    assert kim == replace(clean.record, verified_by="importer")   # who imported a verification
    assert [h.id for h in ctx.contacts.search("contoso ro")] == [outcome.added[1]]
    with pytest.raises(ValidationError) as err:
        ctx.contacts.import_records([clean, person("x" * 201)], [], author="importer")
    assert "record 2" in err.value.message and len(ctx.contacts.all_records()) == 2


def test_a_merge_replaces_fields_and_values_but_keeps_review_and_newer_verification(
        ctx: AppContext, clock: ManualClock) -> None:
    cid = ctx.contacts.add(person("Sam Roe", phone="+49 171 1234567", email="sam@example.com",
                                  tags=("old",)))
    ctx.contacts.verify(cid, "reached")
    ctx.contacts.verify(cid, "wrong_number")    # marked for review: a merge must not clear that
    detail = ctx.contacts.get(cid)
    assert detail.record.last_verified_at is not None
    clock.advance(timedelta(hours=1))
    incoming = person("Sam Roe", phone="+49 30 7654321", email="sam.roe@example.com", tags=("new",),
                      organisation="Fabrikam")
    other = ctx.contacts.add(person("Ana Lima"))
    outcome = ctx.contacts.import_records([], [(cid, incoming), (other, CleanRecord(person("Ana Lima")))],
                                          author="importer")
    assert outcome.merged == (cid, other)
    after = ctx.contacts.get(cid)
    assert after.record == replace(incoming, last_verified_at=detail.record.last_verified_at,
                                   verified_by=detail.record.verified_by, review=detail.review)
    assert after.review == detail.review and after.review.startswith("wrong number")
    assert [h.id for h in ctx.contacts.search("fabrikam")] == [cid]
    assert ctx.contacts.search("old") == []
    assert ctx.contacts.duplicates_of(["+491711234567", "+49307654321"], []) == {"+49307654321": cid}


def test_duplicates_are_found_by_number_or_address(ctx: AppContext) -> None:
    cid = ctx.contacts.add(person("Sam Roe", phone="+49 171 1234567", email="Sam@Example.com"))
    found = ctx.contacts.duplicates_of(["+491711234567", "+4915100000"], ["sam@example.com", "x@y.org"])
    assert found == {"+491711234567": cid, "sam@example.com": cid}


def test_search_matches_word_prefixes_without_accents(ctx: AppContext) -> None:
    a = ctx.contacts.add(person("Jürgen Müller-Lüdenscheidt", organisation="Stadtwerke"))
    b = ctx.contacts.add(person("Maria Muñoz", tags=("database",)))
    ctx.contacts.add(person("Tom Smith"))
    assert [h.id for h in ctx.contacts.search("mul")] == [a]
    assert [h.id for h in ctx.contacts.search("lud jur")] == [a]
    assert [h.id for h in ctx.contacts.search("munoz")] == [b]
    assert [h.id for h in ctx.contacts.search("datab")] == [b]
    vendor = ctx.contacts.add(person("Hanse Fibre NOC", kind=ContactKind.VENDOR, account_number="HF-20817"))
    assert [h.id for h in ctx.contacts.search("hf-208")] == [vendor]
    assert ctx.contacts.search("zzz") == []
    assert ctx.contacts.search("   ") == []
    assert ctx.contacts.search("100%_") == []


def _ops_book(ctx: AppContext, clock: ManualClock) -> dict[str, int]:
    ids = {n: ctx.contacts.add(person(n, phone=ph, email=f"{n.split()[0].lower()}@example.com",
                                      last_verified_at=clock.now() - timedelta(days=5)))
           for n, ph in (("Ana Lima", "+49 171 1111111"), ("Ben Okafor", "+49 171 2222222"),
                         ("Chen Wei", "+49 171 3333333"), ("Dora Lead", "+49 171 4444444"))}
    ctx.catalog.add("E-mail", "high")
    org = ctx.contacts.org
    org.save_team("Messaging")
    org.set_members("Messaging", [(ids["Ana Lima"], "engineer"), (ids["Ben Okafor"], "engineer"),
                                  (ids["Dora Lead"], "team lead")])
    org.set_ladder("Messaging", [LadderStep(None, ON_DUTY_ROLE, 10), LadderStep(None, "team lead", 15),
                                 LadderStep(ids["Chen Wei"], "", 30)])
    org.set_profile("E-mail", ProfileEdit(owner_team="Messaging", business_owner_id=ids["Chen Wei"],
                                          runbook="https://wiki.example.com/mail"))
    now = clock.now()
    org.add_shift("Messaging", ids["Ana Lima"], now - timedelta(hours=2), now + timedelta(hours=6))
    org.add_shift("Messaging", ids["Ben Okafor"], now + timedelta(hours=6), now + timedelta(hours=14))
    return ids


def test_who_to_call_gives_owner_on_duty_and_the_ladder_with_times(ctx: AppContext,
                                                                   clock: ManualClock) -> None:
    ids = _ops_book(ctx, clock)
    who = ctx.contacts.who_to_call("e-mail")
    assert who.owner_team == "Messaging"
    assert [c.name for c in who.on_duty] == ["Ana Lima"]
    assert who.next_shift is not None and who.next_shift.name == "Ben Okafor"
    assert [(r.label, [c.name for c in r.callees], r.starts_after_minutes) for r in who.ladder] == [
        ("on duty", ["Ana Lima"], 0), ("team lead", ["Dora Lead"], 10), ("Chen Wei", ["Chen Wei"], 25)]
    assert who.business_owner is not None and who.business_owner.contact_id == ids["Chen Wei"]
    assert who.runbook.startswith("https://")

    # An override replaces the regular shift while it lasts.
    ctx.contacts.org.add_shift("Messaging", ids["Chen Wei"], clock.now() - timedelta(minutes=5),
                               clock.now() + timedelta(hours=1), override=True, note="covering Ana")
    assert [c.name for c in ctx.contacts.who_to_call("E-mail").on_duty] == ["Chen Wei"]
    clock.advance(timedelta(hours=7))
    assert [c.name for c in ctx.contacts.on_duty("messaging").now] == ["Ben Okafor"]
    with pytest.raises(NotFoundError):
        ctx.contacts.who_to_call("Nope")


def test_stakeholders_expand_teams_and_lists_to_people_and_addresses(ctx: AppContext,
                                                                     clock: ManualClock) -> None:
    ids = _ops_book(ctx, clock)
    org = ctx.contacts.org
    org.save_list("Management", [ListMember(contact_id=ids["Chen Wei"]),
                                 ListMember(address="board@example.com"),
                                 ListMember(address="ana@example.com")])
    lists = {lst.name: lst.id for lst in org.lists()}
    team_id = org.team("Messaging").id
    org.set_stakeholders("E-mail", [StakeholderRef("P1", list_id=lists["Management"]),
                                    StakeholderRef("P1", team_id=team_id),
                                    StakeholderRef("P3", contact_id=ids["Dora Lead"])])
    p1 = ctx.contacts.stakeholders("E-mail", "p1")
    assert [c.name for c in p1.people] == ["Ana Lima", "Ben Okafor", "Chen Wei", "Dora Lead"]
    assert p1.addresses == ("board@example.com",)   # ana@ is Ana's own address: once is enough
    assert [c.name for c in ctx.contacts.stakeholders("E-mail", "P3").people] == ["Dora Lead"]
    assert ctx.contacts.stakeholders("E-mail", "P5").people == ()
    with pytest.raises(ValidationError):
        ctx.contacts.stakeholders("E-mail", "P9")
    with pytest.raises(ValidationError):
        org.save_list("Bad", [ListMember(address="not an address")])


def test_verification_and_staleness(ctx: AppContext, clock: ManualClock) -> None:
    fresh = ctx.contacts.add(person("Fresh", last_verified_at=clock.now() - timedelta(days=10)))
    old = ctx.contacts.add(person("Old", last_verified_at=clock.now() - timedelta(days=91)))
    never = ctx.contacts.add(person("Never"))
    assert [c.id for c in ctx.contacts.summaries(stale_only=True)] == [never, old]
    assert ctx.contacts.review_counts().stale == 2
    ctx.contacts.set_stale_days(5)
    assert ctx.contacts.review_counts().stale == 3

    detail = ctx.contacts.verify(old, "reached")
    assert detail.record.last_verified_at == clock.now() and detail.record.verified_by == "tester"
    ctx.contacts.verify(fresh, "wrong_number")
    assert ctx.contacts.get(fresh).review.startswith("wrong number")
    ctx.contacts.verify(never, "not_reached")
    assert ctx.contacts.get(never).record.last_verified_at is None
    assert {c.id for c in ctx.contacts.summaries(stale_only=True)} == {fresh, never}


def test_a_call_from_an_incident_is_logged_and_a_wrong_number_flags_the_contact(
        ctx: AppContext, clock: ManualClock) -> None:
    ids = _ops_book(ctx, clock)
    inc = ctx.incidents.create(NewIncident("Mail queue stuck", "high", "high", service="E-mail"))
    ctx.contacts.log_call(inc.ref, ids["Ana Lima"], "wrong_number", number="+491711111111")
    entry = ctx.incidents.detail(inc.ref).timeline[-1]
    assert entry.text == "called Ana Lima on +491711111111: wrong number"
    assert ctx.contacts.get(ids["Ana Lima"]).review
    assert ctx.contacts.who_to_call("E-mail").on_duty[0].review
    ctx.contacts.log_call(inc.ref, ids["Ben Okafor"], "reached")
    assert ctx.contacts.get(ids["Ben Okafor"]).record.last_verified_at == clock.now()


def test_a_call_to_a_contact_is_no_stakeholder_update(ctx: AppContext, clock: ManualClock) -> None:
    ids = _ops_book(ctx, clock)
    inc = ctx.incidents.create(NewIncident("Mail queue stuck", "high", "high", service="E-mail"))
    due = ctx.war_rooms.declare(inc.ref).update.due
    clock.advance(timedelta(minutes=3))
    ctx.contacts.log_call(inc.ref, ids["Ben Okafor"], "reached")
    room = ctx.war_rooms.room(inc.ref)
    assert room.state.last_update_at is None and room.update.due == due  # the clock runs on


def test_drills_walk_a_team_a_ladder_or_the_stale(ctx: AppContext, clock: ManualClock) -> None:
    ids = _ops_book(ctx, clock)
    assert ctx.contacts.drill_ids(team="Messaging") == [ids["Ana Lima"], ids["Ben Okafor"], ids["Dora Lead"]]
    assert ctx.contacts.drill_ids(service="E-mail") == [ids["Ana Lima"], ids["Dora Lead"], ids["Chen Wei"]]
    vendor = ctx.contacts.add(person("Fibre Ltd", kind=ContactKind.VENDOR, account_number="C-1"))
    assert ctx.contacts.drill_ids(stale=True) == [vendor]


def test_the_pack_hash_follows_the_data(ctx: AppContext, clock: ManualClock) -> None:
    from imdesk.services.contacts.pack_data import collect

    ids = _ops_book(ctx, clock)
    first = collect(ctx.db, clock.now(), "Desk")
    assert collect(ctx.db, clock.now(), "Desk").digest == first.digest
    (mail,) = first.services
    assert mail.owner_team == "Messaging" and [c.name for c in mail.on_duty] == ["Ana Lima"]
    assert [t.name for t in first.teams] == ["Messaging"] and len(first.teams[0].shifts) == 2
    rec = ctx.contacts.get(ids["Dora Lead"]).record
    ctx.contacts.update(ids["Dora Lead"], replace(rec, phones=(normalise_phone("+49 171 9999999"),)))
    assert collect(ctx.db, clock.now(), "Desk").digest != first.digest
