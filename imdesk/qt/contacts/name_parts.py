"""The name's parts in the contact editor (prefix, given, middle, family, suffix; nickname and
phonetic name) and the line the card shows them in.

Each part is its own field with a mnemonic (Alt+G given, Alt+L family, …); a new contact typed
only as parts gets its display name from them when the Name field is left empty.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QWidget

from imdesk.domain.contact import NAME_FIELDS, NAME_PART_MAX, ContactRecord
from imdesk.domain.contact_clean import NAME_MAX

# field → (label with mnemonic, placeholder, grid row, grid column)
_LAYOUT: dict[str, tuple[str, str, int, int]] = {
    "name_prefix": ("Prefi&x", "Dr.", 0, 0),
    "given_name": ("&Given name", "", 0, 1),
    "middle_name": ("M&iddle", "", 0, 2),
    "family_name": ("Fami&ly name", "", 0, 3),
    "name_suffix": ("S&uffix", "Jr.", 0, 4),
    "nickname": ("Ni&ckname", "what colleagues call them", 2, 0),
    "phonetic_name": ("P&honetic", "how the name is said", 2, 2),
}
_LABELS = dict(NAME_FIELDS)


class NamePartsBox(QWidget):
    """A grid of the name-part fields, labels above them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        self.edits: dict[str, QLineEdit] = {}
        for key, (label_text, placeholder, row, column) in _LAYOUT.items():
            edit = QLineEdit()
            edit.setObjectName(f"namePart_{key}")
            edit.setMaxLength(NAME_MAX if key == "phonetic_name" else NAME_PART_MAX)
            edit.setAccessibleName(_LABELS[key])
            if placeholder:
                edit.setPlaceholderText(placeholder)
            label = QLabel(label_text)
            label.setBuddy(edit)
            label.setStyleSheet("color: palette(placeholder-text);")
            span = 2 if row == 2 else 1
            grid.addWidget(label, row, column, 1, span)
            grid.addWidget(edit, row + 1, column, 1, span + (1 if key == "phonetic_name" else 0))
            self.edits[key] = edit
        for column, stretch in enumerate((1, 3, 2, 3, 1)):
            grid.setColumnStretch(column, stretch)

    def fill(self, rec: ContactRecord) -> None:
        for key, edit in self.edits.items():
            edit.setText(getattr(rec, key))

    def values(self) -> dict[str, Any]:
        return {key: " ".join(edit.text().split()) for key, edit in self.edits.items()}

    def display_name(self) -> str:
        """A display name from the parts typed ("Jörg Peter Müller"), "" when none are."""
        v = self.values()
        return " ".join(p for p in (v["given_name"], v["middle_name"], v["family_name"],
                                    v["name_suffix"]) if p) or v["nickname"]


def name_parts_line(rec: ContactRecord) -> str:
    """What the card shows of the name's parts: "Given name Jörg · Family name Müller · Nickname Jo"."""
    return " · ".join(f"{label} {getattr(rec, key)}" for key, label in NAME_FIELDS if getattr(rec, key))
