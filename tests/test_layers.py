"""The direction of imports (ARCHITECTURE.md, "Layers"): Qt only in imdesk/qt, a pure domain,
nothing imports the composition root but the command line, and a light command line."""

from __future__ import annotations

import ast
import functools
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import imdesk

PACKAGE = Path(imdesk.__file__).parent
STDLIB = set(sys.stdlib_module_names) | {"__future__"}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. "imdesk.domain.sla"
    path: Path
    line: int
    target: str  # the imported module, absolute, e.g. "imdesk.app"
    type_checking_only: bool

    def __str__(self) -> str:
        return f"{self.path.relative_to(PACKAGE.parent)}:{self.line} imports {self.target}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk(node: ast.AST, under_type_checking: bool) -> Iterator[tuple[ast.AST, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for stmt in child.body:
                yield stmt, True
                yield from _walk(stmt, True)
            for stmt in child.orelse:
                yield stmt, under_type_checking
                yield from _walk(stmt, under_type_checking)
            continue
        yield child, under_type_checking
        yield from _walk(child, under_type_checking)


def _imports_of(path: Path) -> Iterator[Import]:
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node, tc in _walk(tree, False):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, path, node.lineno, alias.name, tc)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield Import(module, path, node.lineno, target, tc)
            for alias in node.names:  # "from imdesk import app" imports imdesk.app
                yield Import(module, path, node.lineno, f"{target}.{alias.name}", tc)


@functools.cache
def _all_imports() -> list[Import]:
    found = [imp for path in sorted(PACKAGE.rglob("*.py")) for imp in _imports_of(path)]
    assert len(found) > 50  # the scan sees the package
    return found


def _top(name: str) -> str:
    return name.split(".")[0]


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_the_scanner_sees_imports_in_all_forms() -> None:
    sample = PACKAGE / "domain" / "__init__.py"
    assert _module_name(sample) == "imdesk.domain"
    imports = {(i.module, i.target) for i in _all_imports()}
    assert ("imdesk.cli", "imdesk.app") in imports  # a lazy import inside a function
    assert ("imdesk.domain.incident", "imdesk.domain.lifecycle") in imports


def test_only_imdesk_qt_imports_pyside6() -> None:
    offenders = [str(i) for i in _all_imports()
                 if _top(i.target) in ("PySide6", "shiboken6") and not _within(i.module,
                                                                             "imdesk.qt")]
    assert offenders == []


def test_the_domain_imports_only_the_standard_library_and_itself() -> None:
    offenders = [str(i) for i in _all_imports()
                 if _within(i.module, "imdesk.domain")
                 and not (_top(i.target) in STDLIB or _within(i.target, "imdesk.domain"))]
    assert offenders == []


def test_nothing_but_the_cli_imports_the_composition_root() -> None:
    offenders = [str(i) for i in _all_imports()
                 if _within(i.target, "imdesk.app") and not i.type_checking_only
                 and i.module not in ("imdesk.cli", "imdesk.cli.common", "imdesk.app")]
    assert offenders == []


@pytest.mark.parametrize("layer", ["imdesk.storage", "imdesk.services", "imdesk.domain"])
def test_lower_layers_do_not_import_front_ends(layer: str) -> None:
    front = ("imdesk.qt", "imdesk.cli", "imdesk.cli.common", "imdesk.cli.incidents", "imdesk.cli.db",
             "imdesk.cli.alerts", "imdesk.cli.watch", "imdesk.cli.demo", "imdesk.cli.contacts",
             "imdesk.cli.comms", "imdesk.cli.providers", "imdesk.app")
    offenders = [str(i) for i in _all_imports()
                 if _within(i.module, layer) and not i.type_checking_only
                 and any(_within(i.target, f) for f in front)]
    assert offenders == []


def _modules_after(code: str) -> list[str]:
    probe = (f"{code}\nimport json, sys\n"
             "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    return list(json.loads(run.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_loads_neither_qt_nor_alembic() -> None:
    loaded = _modules_after("import imdesk.cli")
    assert "imdesk" in loaded
    assert not {"PySide6", "shiboken6", "alembic"} & set(loaded)


def test_a_headless_command_on_a_current_database_does_not_load_qt_or_alembic(
        sqlite_url: str) -> None:
    code = ("import contextlib, io\nfrom imdesk.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    assert main(['--db', {sqlite_url!r}, 'incident', 'list']) == 0")
    loaded = _modules_after(code)
    assert "sqlalchemy" in loaded
    assert not {"PySide6", "shiboken6", "alembic"} & set(loaded)
