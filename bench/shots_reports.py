"""Screenshots of the Reports pane (figures with definitions, trend, SLA compliance), called by
bench/screenshots.py; `python bench/shots_reports.py` takes only these (under xvfb-run)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def shoot(window: Any, out: Path, scheme: str, settle: Callable[[float], None]) -> None:
    reports = window.reports
    reports.show_pane()
    pane = reports.pane
    pane.unit.setCurrentIndex(0)
    pane.refresh()
    settle(1.2)
    for index, name in ((0, "figures"), (1, "trend"), (3, "sla")):
        pane.tabs.setCurrentIndex(index)
        settle(0.4)
        window.grab().save(str(out / f"reports-{name}-{scheme}.png"))


def main() -> int:
    from shot_harness import run_alone  # run as a script: bench/ is on the path

    return run_alone(lambda window, _ctx, out, scheme, settle: shoot(window, out, scheme, settle))


if __name__ == "__main__":
    raise SystemExit(main())
