"""What stays cheap as the years of data grow: the list counts up to a cap ("more than 10,000
incidents"), the change marker reads index ends, a very common word is searched as that word,
incident filters of up to 8 letters are served by prefix indexes, and a longer prefix in the
timeline search is the words it begins."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest

from imdesk.context import AppContext
from imdesk.domain.incident import IncidentState
from imdesk.domain.incident_query import COUNT_CAP, IncidentQuery, count_text
from imdesk.domain.lifecycle import Status
from imdesk.services.clock import ManualClock
from imdesk.services.demo.bulk_seed import bulk_seed
from imdesk.services.incidents import IncidentEdit, NewIncident
from imdesk.storage import incident_repo, timeline_search, timeline_words


def test_the_count_label_says_more_than_the_cap() -> None:
    assert count_text(1) == "1 incident"
    assert count_text(2345) == "2,345 incidents"
    assert count_text(COUNT_CAP) == "10,000 incidents"
    assert count_text(COUNT_CAP + 1) == "more than 10,000 incidents"


def test_counts_stop_one_past_the_cap_and_every_row_still_pages(
        ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    bulk_seed(ctx.db, incidents=12, entries=36)
    monkeypatch.setattr(incident_repo, "COUNT_CAP", 5)
    for query in (IncidentQuery(), IncidentQuery(text="problem"),
                  IncidentQuery(statuses=(Status.IN_PROGRESS, Status.NEW))):
        assert ctx.incidents.count(query) == 6, query
        assert len(ctx.incidents.page(query, 0, 100)) == 12
    assert ctx.incidents.count(IncidentQuery(text="INC-1001")) == 1  # under the cap: exact


def test_the_change_marker_moves_when_an_incident_is_added_or_changed(ctx: AppContext,
                                                                     clock: ManualClock) -> None:
    empty = ctx.incidents.change_marker()
    ref = ctx.incidents.create(NewIncident(title="Mail relay down", impact="high",
                                           urgency="medium")).ref
    added = ctx.incidents.change_marker()
    clock.advance(timedelta(minutes=3))
    ctx.incidents.edit(ref, IncidentEdit(title="Mail relay down in DC2"))
    changed = ctx.incidents.change_marker()
    assert len({empty, added, changed}) == 3
    assert ctx.incidents.change_marker() == changed  # nothing happened: the same marker


def test_a_very_common_word_is_searched_as_that_word(sqlite_ctx: AppContext, clock: ManualClock,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    ref = sqlite_ctx.incidents.create(NewIncident(title="Core switch down", impact="high",
                                                  urgency="high")).ref
    clock.advance(timedelta(minutes=1))
    sqlite_ctx.incidents.add_entry(ref, "checkedout spare optics from the store")
    assert [h.text for h in sqlite_ctx.timeline.search("checked").hits] == [
        "checkedout spare optics from the store"]  # a rare word: a prefix, as always
    for n in range(8):
        clock.advance(timedelta(minutes=1))
        sqlite_ctx.incidents.add_entry(ref, f"checked uplink {n}")
    clock.advance(timedelta(minutes=1))
    sqlite_ctx.incidents.add_entry(ref, "checkedout a second spare")
    monkeypatch.setattr(timeline_search, "RANK_LIMIT", 5)  # 8 hits of "checked": common
    result = sqlite_ctx.timeline.search("checked", limit=3)
    assert [h.text for h in result.hits] == ["checked uplink 7", "checked uplink 6",
                                             "checked uplink 5"]
    assert result.more
    assert sqlite_ctx.timeline.search("checkedo").total == 2  # typed further: a prefix again


def test_incident_filters_up_to_8_letters_use_a_prefix_index(sqlite_ctx: AppContext) -> None:
    with sqlite_ctx.db.engine.connect() as conn:
        sql = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'incident_fts'").scalar_one()
    assert "prefix='1 2 3 4 5 6 7 8'" in sql
    ref = sqlite_ctx.incidents.create(NewIncident(title="Mailbox quota exceeded", impact="low",
                                                  urgency="low")).ref
    for typed in ("m", "mail", "mailb", "mailbox", "mailbox quo", "exceede"):
        assert [s.ref for s in sqlite_ctx.incidents.page(IncidentQuery(text=typed), 0, 10)] == [
            ref], typed


def test_walking_the_list_finds_what_the_full_text_index_finds(
        sqlite_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many hits: the page is found by checking each row's own text (ASCII) or asking the
    index (other characters); it must show the very rows the hit list gives."""
    working = sqlite_ctx.incidents.create(NewIncident(title="Mail archive slow", impact="low",
                                                      urgency="low", service=None)).ref
    sqlite_ctx.incidents.change_status(working, Status.IN_PROGRESS)
    titles = ["Mailbox full", "mail relay down", "Störung im Netz: Mail", "Wi-Fi drops",
              "printer_jam", "Email bounce", "Straße gesperrt", "VPN down", "e-mail storm",
              "MAILBOX quota", "Netzwerk stört", "café Wi-Fi"]
    for n, title in enumerate(titles * 3):
        sqlite_ctx.incidents.create(NewIncident(title=f"{title} {n}", impact="low",
                                                urgency="low", service=None))
    typed = ["mail", "m", "wi fi", "st", "stö", "e", "cafe", "printer", "jam", "inc 10", "fi",
             "mailbox", "xyz"]

    def pages(read: Any = sqlite_ctx.incidents.page) -> dict[tuple[str, str], list[str]]:
        return {(t, sort, statuses): [s.ref for s in read(
                    IncidentQuery(text=t, sort=sort, statuses=statuses), 0, 7)]
                for t in typed for sort in ("sla", "title", "ref")
                for statuses in ((), (Status.NEW,), (Status.IN_PROGRESS, Status.NEW))}

    def orm_page(query: IncidentQuery, offset: int, limit: int) -> list[IncidentState]:
        with sqlite_ctx.db.read() as s:
            return incident_repo.list_page(s, query, offset, limit)

    listed = pages()  # few hits: fetched from the index
    walked = []
    real_walk = incident_repo._walk_sql
    monkeypatch.setattr(incident_repo, "_walk_sql",
                        lambda *a: walked.append(a) or real_walk(*a))
    monkeypatch.setattr(incident_repo, "COUNT_CAP", 0)
    monkeypatch.setattr(incident_repo, "_WALK_COST", 0)
    monkeypatch.setattr(incident_repo, "_CHECK_COST", 0)
    assert pages() == listed
    assert len(walked) >= 90  # every ASCII search that has hits, with and without filters
    assert pages(orm_page) == listed  # the SQLAlchemy query (PostgreSQL's path) walks the same
    assert all(listed["mail", "ref", s] and listed["stö", "ref", s] and listed["cafe", "ref", s]
               for s in ((), (Status.NEW,)))


def test_one_letter_in_the_timeline_search_is_that_word(sqlite_ctx: AppContext) -> None:
    """Every word a letter begins is most of the record: one letter finds the word itself."""
    ref = sqlite_ctx.incidents.create(NewIncident(title="Core switch down", impact="high",
                                                  urgency="high")).ref
    sqlite_ctx.incidents.add_entry(ref, "switched to plan b")
    sqlite_ctx.incidents.add_entry(ref, "bridge open")
    assert [h.text for h in sqlite_ctx.timeline.search("b").hits] == ["switched to plan b"]
    assert len(sqlite_ctx.timeline.search("br").hits) == 1  # two letters: a prefix again


def test_a_prefix_longer_than_the_prefix_indexes_finds_what_the_prefix_finds(
        sqlite_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    """"cert" is searched as "certificate" OR "certs" …: the same entries, the same count."""
    words = ["certificate", "certs", "cert", "checked", "checking", "check", "chequered",
             "latency", "late", "rollback", "rolled", "rollout", "café", "naïve", "x_ray",
             "ipv6", "2026", "INC-1004"]
    rng = random.Random(7)
    refs = [sqlite_ctx.incidents.create(NewIncident(title=f"Outage {n}", impact="high",
                                                    urgency="high")).ref for n in range(3)]
    for i in range(120):
        sqlite_ctx.incidents.add_entry(refs[i % 3], " ".join(rng.choice(words) for _ in range(4)))
    expanded: list[str] = []
    real = timeline_words.words_beginning
    monkeypatch.setattr(timeline_words, "words_beginning",
                        lambda s, p: expanded.append(p) or real(s, p))
    prefixes = {w.lower()[:n] for w in words for n in range(4, len(w) + 1)} | {"certz", "chex"}
    for prefix in sorted(prefixes):
        found = sqlite_ctx.timeline.search(f"{prefix} ", 500)
        with sqlite_ctx.db.read() as s:
            plain, total = timeline_search.search(s, prefix, 500, words=False)
        assert {(h.ref, h.seq) for h in found.hits} == {(h.ref, h.seq) for h in plain}, prefix
        assert found.total == total, prefix
    assert {"cert", "chec", "certz", "rollo", "2026"} <= set(expanded)  # the word path was taken
    assert "café" not in expanded  # not ASCII: FTS5 folds it, so it stays a prefix


def test_entries_written_after_a_search_are_found_by_the_next(
        sqlite_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    ref = sqlite_ctx.incidents.create(NewIncident(title="Web front down", impact="high",
                                                  urgency="high")).ref
    assert sqlite_ctx.timeline.search("certif").total == 0
    sqlite_ctx.incidents.add_entry(ref, "certificate expired at 02:00")
    assert [h.text for h in sqlite_ctx.timeline.search("certif").hits] == [
        "certificate expired at 02:00"]
    monkeypatch.setattr(timeline_words, "REBUILD_FROM", 1)  # far behind: every word from the index
    sqlite_ctx.incidents.add_entry(ref, "renewed certificates on both balancers")
    sqlite_ctx.incidents.add_entry(ref, "rollback of the renewal not needed")
    assert sqlite_ctx.timeline.search("certif").total == 2
    assert sqlite_ctx.timeline.search("rollb").total == 1
    with sqlite_ctx.db.read() as s:
        assert timeline_words.behind(s) == 0
