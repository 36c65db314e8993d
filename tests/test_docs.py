"""Runbooks and documents: every save keeps a version, the newest is shown, the diff is right,
a document turns stale when its review interval runs out (manual clock), search finds the newest
text only, and a folder of Markdown files makes a round trip; bad files change nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from imdesk.context import AppContext
from imdesk.domain import doc_files
from imdesk.domain.errors import NotFoundError, ValidationError
from imdesk.services.clock import ManualClock
from imdesk.services.docs.transfer import export_folder, import_folder


@pytest.fixture
def vpn(ctx: AppContext) -> AppContext:
    ctx.catalog.add("VPN")
    ctx.catalog.add("ERP")
    return ctx


def test_every_save_keeps_a_version_and_the_newest_is_shown(vpn: AppContext) -> None:
    d = vpn.docs.add("VPN", "Restart the gateway", "step 1\nstep 2\n", owner="Priya Nair")
    for n in range(2, 6):
        vpn.docs.save(d.id, "Restart the gateway", f"step 1\nstep {n}\nstep {n + 1}\n")
    doc = vpn.docs.get(d.id)
    assert doc.summary.version == 5 and [v[0] for v in doc.versions] == [5, 4, 3, 2, 1]
    assert doc.current.text == "step 1\nstep 5\nstep 6\n"
    assert vpn.docs.get(d.id, 1).current.text == "step 1\nstep 2\n"  # never overwritten
    assert vpn.docs.save(d.id, "Restart the gateway", "step 1\nstep 5\nstep 6\n").version == 5


def test_the_diff_between_two_versions(vpn: AppContext) -> None:
    d = vpn.docs.add("VPN", "Fail over", "a\nb\nc\n")
    vpn.docs.save(d.id, "Fail over to DC1", "a\nB\nc\nd\n")
    lines = vpn.docs.diff(d.id, 1, 2)
    assert ("-", "b") in lines and ("+", "B") in lines and ("+", "d") in lines
    assert ("-", "Fail over") in lines and ("+", "Fail over to DC1") in lines
    assert (" ", "a") in lines and ("-", "a") not in lines


def test_versions_are_append_only_in_the_database(vpn: AppContext) -> None:
    vpn.docs.add("VPN", "Restart", "x")
    with pytest.raises(Exception, match="append-only"), vpn.db.write() as s:
        s.execute(text("UPDATE document_version SET text = 'forged'"))


def test_stale_at_the_end_of_the_review_interval(vpn: AppContext, clock: ManualClock) -> None:
    d = vpn.docs.add("VPN", "Dashboards", "grafana", review_days=30)
    clock.advance(timedelta(days=30) - timedelta(seconds=1))
    assert vpn.docs.stale() == []
    clock.advance(timedelta(seconds=1))
    assert [s.id for s in vpn.docs.stale()] == [d.id] and vpn.docs.stale_count() == 1
    vpn.docs.reviewed(d.id)  # still right
    assert vpn.docs.stale() == []
    summary = vpn.docs.get(d.id).summary
    assert summary.reviewed_by == "tester" and summary.last_reviewed_at == clock.now()
    clock.advance(timedelta(days=31))
    vpn.docs.retire(d.id)
    assert vpn.docs.stale() == [] and vpn.docs.documents() == []


def test_default_review_interval_is_180_days_and_a_setting(vpn: AppContext) -> None:
    assert vpn.docs.add("VPN", "A", "x").review_days == 180
    vpn.docs.settings.set_review_days(90)
    assert vpn.docs.add("VPN", "B", "x").review_days == 90


def test_search_finds_the_newest_text_of_live_documents(vpn: AppContext) -> None:
    d = vpn.docs.add("VPN", "Restart", "call the vendor hotline")
    assert [h.document_id for h in vpn.docs.search("hotl")] == [d.id]
    assert "«" in vpn.docs.search("hotline")[0].snippet
    vpn.docs.save(d.id, "Restart", "reboot the appliance")
    assert vpn.docs.search("hotline") == []
    assert vpn.docs.search("applian")[0].service == "VPN"
    vpn.docs.retire(d.id)
    assert vpn.docs.search("appliance") == []


def test_bad_input_is_refused(vpn: AppContext) -> None:
    with pytest.raises(NotFoundError):
        vpn.docs.add("Nope", "Title", "x")
    with pytest.raises(ValidationError, match="title"):
        vpn.docs.add("VPN", "   ", "x")
    with pytest.raises(ValidationError, match="1 MB"):
        vpn.docs.add("VPN", "Big", "a" * 1_000_001)
    assert vpn.docs.documents() == []


def test_folder_round_trip(vpn: AppContext, tmp_path: Path) -> None:
    vpn.docs.add("VPN", "Restart the gateway", "# Restart\n\nssh admin@vpn\n", owner="Priya Nair")
    vpn.docs.add("ERP", "Vendor contract", "Support: 24/7, +49 30 555\n", review_days=365)
    names = export_folder(vpn.docs, tmp_path / "out")
    assert sorted(names) == ["erp--vendor-contract.md", "vpn--restart-the-gateway.md"]
    parsed = doc_files.parse((tmp_path / "out" / names[1]).read_text(encoding="utf-8"))
    assert (parsed.service, parsed.owner, parsed.title) == ("VPN", "Priya Nair", "Restart the gateway")
    again = import_folder(vpn.docs, tmp_path / "out")
    assert again.added == () and len(again.unchanged) == 2
    edited = tmp_path / "out" / "erp--vendor-contract.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("24/7", "weekdays"), encoding="utf-8")
    (tmp_path / "out" / "new.md").write_text("---\nservice: VPN\n---\n# Dashboards\n\nsee grafana\n",
                                             encoding="utf-8")
    result = import_folder(vpn.docs, tmp_path / "out")
    assert result.added == ("new.md",) and result.updated == ("erp--vendor-contract.md",)
    titles = {d.title: d.version for d in vpn.docs.documents()}
    assert titles == {"Dashboards": 1, "Restart the gateway": 1, "Vendor contract": 2}


@pytest.mark.parametrize(("content", "why"), [
    (b"---\nservice: Nope\n---\n# T\n", "no service named"),
    (b"---\nservice: VPN\ntitle:\n---\n\nno heading\n", "needs a title"),
    (b"---\nservice: VPN\n---\n# T\n\xff\xfe", "not UTF-8"),
    (b"---\nservice: VPN\n---\n# T\n" + b"a" * 1_000_001, "1 MB"),
    (b"---\nservice: VPN\n# T\n", "closing ---"),
    (b"# No service\n", "no service or team"),
])
def test_a_bad_file_imports_nothing(vpn: AppContext, tmp_path: Path, content: bytes, why: str) -> None:
    (tmp_path / "a-good.md").write_text("---\nservice: VPN\n---\n# Fine\n", encoding="utf-8")
    (tmp_path / "b-bad.md").write_bytes(content)
    with pytest.raises(ValidationError, match=why):
        import_folder(vpn.docs, tmp_path)
    assert vpn.docs.documents() == []
