"""Python code generated from the Qt Designer forms in ui/ (pyside6-uic; a test keeps them equal).

The generated classes carry no annotations: `setup_form` is the one typed way to lay a form
onto its widget."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget


def setup_form(form: Any, widget: QWidget) -> None:
    """Build the generated form's widgets on `widget` (the form's setupUi)."""
    form.setupUi(widget)
