"""Small modules with names that say what they hold: none over 400 lines (generated forms and
migrations aside, which nobody edits by hand)."""

from __future__ import annotations

from pathlib import Path

import imdesk

PACKAGE = Path(imdesk.__file__).parent
LIMIT = 400


def _hand_written() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py"))
            if not (p.parent.name == "forms" and p.name.startswith("ui_"))
            and "migrations" not in p.relative_to(PACKAGE).parts]


def test_no_module_is_over_the_limit() -> None:
    modules = _hand_written()
    assert len(modules) > 100  # the scan sees the package
    long = {str(p.relative_to(PACKAGE)): n for p in modules
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > LIMIT}
    assert long == {}


def test_every_module_says_what_it_holds() -> None:
    """A module docstring on every hand-written module (a package's __init__ included)."""
    import ast

    silent = [str(p.relative_to(PACKAGE)) for p in _hand_written()
              if ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None]
    assert silent == []
