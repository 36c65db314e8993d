"""Baseline for the start-up benchmark: a bare PySide6 window with a table; prints the time of
its first paint and quits."""

import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView


def peak_rss_kib() -> int:
    with open("/proc/self/status") as fh:
        lines = fh.read().splitlines()
    for line in lines:
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


class Quit(QObject):
    done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            QTimer.singleShot(0, lambda: print(f"painted-at {time.time():.6f}", flush=True))
            QTimer.singleShot(0, lambda: print(f"peak-rss-kib {peak_rss_kib()}", flush=True))
            QTimer.singleShot(0, QApplication.quit)
        return False


app = QApplication([])
window = QMainWindow()
model = QStandardItemModel(20, 8)
table = QTableView()
table.setModel(model)
window.setCentralWidget(table)
table.viewport().installEventFilter(Quit(window))
window.resize(1280, 780)
window.show()
app.exec()
