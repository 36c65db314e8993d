"""Puts the Reports pane on the rail (Alt+7), built — and the metrics code imported — only when
it is first opened: nothing of it is on the start-up path; and the "Review pack…" command in the
Incident menu."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QToolButton

from imdesk.qt.reports.review_pack import ReviewPackCommand
from imdesk.qt.widgets.pane_host import PaneHost


class ReportsWiring:
    def __init__(self, window: Any) -> None:
        self.window = window
        self.host = PaneHost()
        self._pane: Any = None
        self.button: QToolButton = window.add_lazy_pane(self.host, "▦", "Reports", lambda: self.pane)
        self.review = ReviewPackCommand(window)

    @property
    def pane(self) -> Any:
        if self._pane is None:
            from imdesk.qt.reports.pane import ReportsPane

            w = self.window
            pane = ReportsPane(w.ctx, w.runner)
            pane.status_message.connect(lambda m: w.status.showMessage(m, 6000))
            self.host.put(pane)
            self._pane = pane
            pane.load_services()
            pane.refresh()
        return self._pane

    def show_pane(self) -> None:
        _ = self.pane
        self.window.show_pane(self.host)
