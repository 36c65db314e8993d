"""The import preview as a table: one row per record of the file, in file order.

Columns: what happens to it (add; merge or skip for a duplicate — checkable), name, organisation,
numbers and addresses, the contact it duplicates, and the values to review. A filter shows all
records, the new ones, the duplicates or the flagged ones.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from imdesk.services.contacts.import_types import Duplicate, Flag, ImportPlan, ParsedRecord

Index = QModelIndex | QPersistentModelIndex


class Col(IntEnum):
    ACTION = 0
    NAME = 1
    ORGANISATION = 2
    REACH = 3
    DUPLICATE_OF = 4
    REVIEW = 5


HEADERS = ("Action", "Name", "Organisation", "Numbers and addresses", "Duplicate of", "To review")


class Show(IntEnum):
    ALL = 0
    NEW = 1
    DUPLICATES = 2
    FLAGGED = 3


@dataclass(frozen=True)
class PlanRow:
    position: int
    record: ParsedRecord
    duplicate: Duplicate | None
    flags: tuple[Flag, ...]


class ImportPlanModel(QAbstractTableModel):
    """Rows of an ImportPlan; ``merge`` holds the positions of duplicates to merge (the rest skip)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.plan: ImportPlan | None = None
        self.merge: set[int] = set()
        self._all: list[PlanRow] = []
        self._rows: list[PlanRow] = []
        self.show = Show.ALL

    def set_plan(self, plan: ImportPlan) -> None:
        self.beginResetModel()
        self.plan = plan
        self.merge = set()
        flags: dict[int, list[Flag]] = defaultdict(list)
        for flag in plan.flags:
            flags[flag.record].append(flag)
        dups = {d.position: d for d in plan.duplicates}
        self._all = [PlanRow(i, rec, dups.get(i), tuple(flags.get(rec.record, ())))
                     for i, rec in enumerate(plan.records)]
        self._rows = self._filtered()
        self.endResetModel()

    def set_show(self, show: Show) -> None:
        self.beginResetModel()
        self.show = show
        self._rows = self._filtered()
        self.endResetModel()

    def _filtered(self) -> list[PlanRow]:
        if self.show is Show.NEW:
            return [r for r in self._all if r.duplicate is None]
        if self.show is Show.DUPLICATES:
            return [r for r in self._all if r.duplicate is not None]
        if self.show is Show.FLAGGED:
            return [r for r in self._all if r.flags]
        return list(self._all)

    def counts(self) -> dict[Show, int]:
        return {Show.ALL: len(self._all), Show.NEW: sum(r.duplicate is None for r in self._all),
                Show.DUPLICATES: sum(r.duplicate is not None for r in self._all),
                Show.FLAGGED: sum(bool(r.flags) for r in self._all)}

    def row_at(self, row: int) -> PlanRow:
        return self._rows[row]

    def set_merge(self, positions: set[int]) -> None:
        self.merge = set(positions)
        if self._rows:
            self.dataChanged.emit(self.index(0, Col.ACTION), self.index(len(self._rows) - 1, Col.ACTION),
                                  [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.CheckStateRole])

    def toggle(self, row: int) -> None:
        item = self._rows[row]
        if item.duplicate is None:
            return
        self.merge ^= {item.position}
        index = self.index(row, Col.ACTION)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.CheckStateRole])

    # -- Qt model ------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(self._rows[section].record.record)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == Col.ACTION and self._rows[index.row()].duplicate:
            base |= Qt.ItemFlag.ItemIsUserCheckable
        return base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (role == Qt.ItemDataRole.CheckStateRole and index.isValid() and index.column() == Col.ACTION
                and self._rows[index.row()].duplicate is not None):
            checked = Qt.CheckState(value) == Qt.CheckState.Checked
            position = self._rows[index.row()].position
            if checked != (position in self.merge):
                self.toggle(index.row())
            return True
        return False

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, col)
        if role == Qt.ItemDataRole.CheckStateRole and col == Col.ACTION and row.duplicate is not None:
            return Qt.CheckState.Checked if row.position in self.merge else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == Col.REVIEW and row.flags:
                return "\n".join(f"{f.field} {f.value!r}: {f.reason}" for f in row.flags)
            if col == Col.ACTION and row.duplicate is not None:
                return "Checked: merge into the contact in the book (Space). Unchecked: skip."
            if col == Col.DUPLICATE_OF and row.duplicate is not None:
                return f"{self._text(row, col)}: {row.duplicate.matched_on}"
            return self._text(row, col) or None
        return None

    def _text(self, row: PlanRow, col: int) -> str:
        contact = row.record.contact
        if col == Col.ACTION:
            if row.duplicate is None:
                return "add"
            return "merge" if row.position in self.merge else "skip"
        if col == Col.NAME:
            return contact.name
        if col == Col.ORGANISATION:
            return " · ".join(p for p in (contact.organisation, contact.department) if p)
        if col == Col.REACH:
            items = [p.raw for p in contact.phones] + [e.address for e in contact.emails]
            return " · ".join(items[:3]) + (f" (+{len(items) - 3})" if len(items) > 3 else "")
        if col == Col.DUPLICATE_OF:
            dup = row.duplicate
            if dup is None:
                return ""
            where = f"#{dup.existing_id}" if dup.existing_id is not None else "earlier in the file"
            return f"{dup.existing_name} ({where}), same {dup.matched_on.split()[0]}"
        if col == Col.REVIEW and row.flags:
            first = row.flags[0]
            more = f" (+{len(row.flags) - 1} more)" if len(row.flags) > 1 else ""
            return f"⚠ {first.field} {first.value!r}: {first.reason}{more}"
        return ""
