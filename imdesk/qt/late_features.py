"""The features installed once the incident list has painted, in their rail order: the rail
keys follow the order of the panes added (Alt+1 … Alt+5 are Incidents, War rooms, Contacts,
Messages, Alerts; then the ones below). None of them is on the start-up path: each builds its
pane on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from imdesk.qt.main_window import MainWindow


def install_late_features(window: MainWindow) -> None:
    from imdesk.qt.alerts.wiring import AlertWiring
    from imdesk.qt.docs.wiring import DocsWiring
    from imdesk.qt.drills.wiring import DrillWiring
    from imdesk.qt.handover.wiring import HandoverWiring
    from imdesk.qt.links.wiring import LinkWiring
    from imdesk.qt.reports.wiring import ReportsWiring
    from imdesk.qt.team.wiring import TeamWiring

    window.alerts = AlertWiring(window)  # Alt+5
    window.handover = HandoverWiring(window)  # Alt+6
    window.reports = ReportsWiring(window)  # Alt+7
    window.documents = DocsWiring(window)  # Alt+8: documents and the awareness board
    window.drills = DrillWiring(window)  # Alt+9
    window.links = LinkWiring(window)  # callers, link keys, similar hints (no pane of its own)
    TeamWiring(window)  # desk name, live refresh (no pane; a child of the window)
    from imdesk.qt.spool.wiring import SpoolWiring

    # team mode offline: banner, replica, merge, conflicts (main_window.py is full: no new field)
    setattr(window, "spool_wiring", SpoolWiring(window))  # noqa: B010
