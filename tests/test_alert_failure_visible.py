"""A payload that got its 2xx but fails in processing is not silent (issue 17, item 3): the
outcome counts it (the console's status line and the Alerts pane's Inbox tab show the count),
and `alerts ingest` exits 1 with one line and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from imdesk.cli import main
from imdesk.domain.alert_report import outcome_from_json, outcome_line
from imdesk.services.alerts.apply import NoticeApplier
from tests.helpers.alert_payloads import alertmanager, am_alert, encode


def test_a_failed_processing_is_counted_and_ingest_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug in processing")

    monkeypatch.setattr(NoticeApplier, "apply", broken)
    payload = tmp_path / "alert.json"
    payload.write_bytes(encode(alertmanager("g", am_alert("DiskFull"))))
    db = str(tmp_path / "desk.sqlite")
    assert main(["--db", db, "alerts", "ingest", str(payload)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "kept in the inbox" in err, err
    assert err.splitlines() == [
        "imdesk: the payload was stored but could not be processed; it is kept in the inbox, "
        "marked failed"]


def test_the_failed_count_crosses_from_the_listener_process_to_the_console() -> None:
    import json

    from imdesk.domain.alert_outcome import Outcome

    line = outcome_line(Outcome(processed=3, failed=2))
    assert outcome_from_json(json.loads(line)["outcome"]).failed == 2
