"""`imdesk report metrics` and `imdesk report review` as a user runs them: the JSON keys the
issue names with the hand-computed values, the review pack's sections in Markdown and in the
PDF's extracted text, and bad input refused with one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from imdesk.app import AppContext
from imdesk.services.clock import ManualClock
from imdesk.services.review.document import REVIEW_QUESTIONS, SECTIONS
from tests.helpers.cli_runner import Cli
from tests.helpers.pdf_text import pdf_text
from tests.metrics.dataset import build

RANGE = ("--from", "2026-03-22T23:00:00Z", "--to", "2026-04-05T22:00:00Z")


@pytest.fixture
def dataset(sqlite_ctx: AppContext, clock: ManualClock, sqlite_url: str,
            capsys: pytest.CaptureFixture[str]) -> tuple[Cli, dict[str, str]]:
    refs = build(sqlite_ctx, clock)
    sqlite_ctx.close()
    return Cli(capsys, sqlite_url.removeprefix("sqlite:///")), refs


def test_metrics_json_has_the_issue_keys_and_values(dataset: tuple[Cli, dict[str, str]]) -> None:
    cli, _refs = dataset
    data = cli.json("report", "metrics", *RANGE)
    # the same hand computation as test_metrics_figures
    assert {k: data[k] for k in ("count", "tta_median_s", "tta_p90_s", "ttr_median_s", "ttr_p90_s",
                                 "ttr_excl_hold_median_s", "not_acknowledged", "not_resolved",
                                 "sla_respond_met_pct", "sla_resolve_met_pct")} == {
        "count": 6, "tta_median_s": 1500, "tta_p90_s": 2400, "ttr_median_s": 21600,
        "ttr_p90_s": 41400, "ttr_excl_hold_median_s": 21600, "not_acknowledged": 1,
        "not_resolved": 2, "sla_respond_met_pct": 75.0, "sla_resolve_met_pct": 33.3}
    assert data["priorities"]["P2"]["count"] == 2
    assert data["priorities"]["P2"]["sla_resolve_met_pct"] == 50.0
    assert data["majors"] == 1 and data["declare_to_update_median_s"] == 900
    drills = cli.json("report", "metrics", *RANGE, "--exercises")
    assert drills["count"] == 1 and drills["filters"]["exercises"] is True
    p3 = cli.json("report", "metrics", *RANGE, "--priority", "p3", "--by", "month")
    assert p3["count"] == 2 and [t["period"] for t in p3["trend"]] == ["2026-03", "2026-04"]
    code, out, _err = cli("report", "metrics", *RANGE)
    assert code == 0 and "Time to acknowledge" in out and "1 not acknowledged" in out


def test_review_pack_markdown_and_pdf(dataset: tuple[Cli, dict[str, str]], tmp_path: Path,
                                      qapp: object) -> None:
    # (qapp: the QApplication of the Qt tests exists first; the command uses it for its PDF)
    cli, refs = dataset
    md = tmp_path / "b.md"
    code, _out, err = cli("report", "review", refs["B"], "--format", "md", "-o", str(md))
    assert (code, err) == (0, "")
    text = md.read_text(encoding="utf-8")
    for heading in (*SECTIONS, *REVIEW_QUESTIONS):
        assert f"# {heading}" in text
    assert "Reopened:** 1 time" in text and "first update to the business" in text
    pdf = tmp_path / "b.pdf"
    code, _out, err = cli("report", "review", refs["B"], "--format", "pdf", "-o", str(pdf))
    assert (code, err) == (0, "")
    extracted = pdf_text(pdf)
    for heading in (*SECTIONS, *REVIEW_QUESTIONS):
        assert heading in extracted, heading
    assert f"Post-incident review: {refs['B']}" in extracted


@pytest.mark.parametrize("args", [
    ("report", "metrics", "--from", "2026-04-05T00:00:00Z", "--to", "2026-03-01T00:00:00Z"),
    ("report", "metrics", "--from", "2026-13-45"),
    ("report", "metrics", "--from", "2026-03-01T00:00:00"),
    ("report", "metrics", "--service", "No such service"),
    ("report", "metrics", "--origin", "pigeon"),
    ("report", "review", "INC-999999", "--format", "md", "-o", "x.md"),
    ("report", "review", "INC-1001", "--format", "pdf", "-o", "x.md"),
])
def test_bad_input_one_line(dataset: tuple[Cli, dict[str, str]], args: tuple[str, ...],
                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli, _refs = dataset
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(*args)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "x.md").exists()
