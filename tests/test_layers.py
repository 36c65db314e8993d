"""The direction of imports (ARCHITECTURE.md, "Layers"), every rule as a row of one table, and
no import circles. The scanner reads the source (no imports run); a test of the test plants a
wrong import of each kind in a throw-away package and sees every rule catch it."""

from __future__ import annotations

import ast
import functools
import json
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
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
    target: str  # the imported module (or module.name), absolute, e.g. "imdesk.app"
    type_checking_only: bool
    top_level: bool  # at module level (not inside a function: not a lazy import)

    def __str__(self) -> str:
        return f"{self.path.relative_to(self.path.parents[len(self.module.split('.')) - 1])}:" \
               f"{self.line} imports {self.target}"


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk(node: ast.AST, tc: bool, top: bool) -> Iterator[tuple[ast.AST, bool, bool]]:
    for child in ast.iter_child_nodes(node):
        inner_top = top and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for stmt in child.body:
                yield stmt, True, top
                yield from _walk(stmt, True, top)
            for stmt in child.orelse:
                yield stmt, tc, top
                yield from _walk(stmt, tc, top)
            continue
        yield child, tc, top
        yield from _walk(child, tc, inner_top)


def imports_of(path: Path, root: Path = PACKAGE) -> Iterator[Import]:
    module = _module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node, tc, top in _walk(tree, False, True):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, path, node.lineno, alias.name, tc, top)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield Import(module, path, node.lineno, target, tc, top)
            for alias in node.names:  # "from imdesk import app" imports imdesk.app
                yield Import(module, path, node.lineno, f"{target}.{alias.name}", tc, top)


def scan(root: Path) -> list[Import]:
    return [imp for path in sorted(root.rglob("*.py")) for imp in imports_of(path, root)]


@functools.cache
def _all_imports() -> list[Import]:
    found = scan(PACKAGE)
    assert len(found) > 50  # the scan sees the package
    return found


def _top(name: str) -> str:
    return name.split(".")[0]


def within(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


FRONT_ENDS = ("imdesk.qt", "imdesk.cli", "imdesk.app", "imdesk.context", "imdesk.__main__")
BELOW_FRONT_ENDS = ("imdesk.domain", "imdesk.storage", "imdesk.services", "imdesk.channels",
                    "imdesk.credentials", "imdesk.contacts_io", "imdesk.errors", "imdesk.paths",
                    "imdesk.resources", "imdesk.gc_pause")
# The one documented way from a headless command to Qt: a PDF drawn with Qt's PDF writer
# (QPdfWriter), loaded inside that command's handler only: `contacts pack`, and any command's
# report (handover, review pack, …) through the shared report writer.
CLI_MAY_LOAD_QT = {("imdesk.cli.contacts", "imdesk.qt.contacts.pack_writer"),
                   ("imdesk.cli.*", "imdesk.qt.widgets.report_pdf")}


@dataclass(frozen=True)
class Rule:
    name: str
    applies: Callable[[str], bool]       # to the importing module
    forbidden: Callable[[Import], bool]  # the import
    type_checking_too: bool = True       # also imports made only for the type checker


RULES = (
    Rule("the domain imports only the standard library and itself",
         lambda m: within(m, "imdesk.domain"),
         lambda i: not (_top(i.target) in STDLIB or within(i.target, "imdesk.domain"))),
    Rule("only imdesk.qt imports PySide6",
         lambda m: not within(m, "imdesk.qt"),
         lambda i: _top(i.target) in ("PySide6", "shiboken6")),
    Rule("qt talks to services and domain types, never to storage, SQLAlchemy or the file readers",
         lambda m: within(m, "imdesk.qt"),
         lambda i: within(i.target, "imdesk.storage", "imdesk.contacts_io", "sqlalchemy", "alembic")),
    Rule("nothing but the command line imports the composition root",
         lambda m: not within(m, "imdesk.cli", "imdesk.app"),
         lambda i: within(i.target, "imdesk.app")),
    Rule("nothing below the front ends imports the context or the front ends",
         lambda m: within(m, *BELOW_FRONT_ENDS),
         lambda i: within(i.target, *FRONT_ENDS)),
    Rule("contacts_io, channels and credentials do not import services",
         lambda m: within(m, "imdesk.contacts_io", "imdesk.channels", "imdesk.credentials"),
         lambda i: within(i.target, "imdesk.services")),
    Rule("a headless command never loads Qt (but the documented PDF writer)",
         lambda m: within(m, "imdesk.cli"),
         lambda i: within(i.target, "imdesk.qt", "PySide6", "shiboken6")
         and not any((i.module == m or (m.endswith(".*") and within(i.module, m[:-2])))
                     and within(i.target, t) for m, t in CLI_MAY_LOAD_QT),
         type_checking_too=False),
)


def violations(rule: Rule, imports: Iterable[Import]) -> list[str]:
    return [str(i) for i in imports if rule.applies(i.module) and rule.forbidden(i)
            and (rule.type_checking_too or not i.type_checking_only)]


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_the_layer_rule_holds(rule: Rule) -> None:
    assert violations(rule, _all_imports()) == []


def module_graph(imports: Iterable[Import], modules: set[str]) -> dict[str, set[str]]:
    """Module-level imports at run time, between the package's own modules."""
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for i in imports:
        if i.type_checking_only or not i.top_level or i.target not in modules or i.target == i.module:
            continue
        graph[i.module].add(i.target)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _modules(root: Path) -> set[str]:
    return {_module_name(p, root) for p in root.rglob("*.py")}


def test_no_import_circles() -> None:
    graph = module_graph(_all_imports(), _modules(PACKAGE))
    # a package's __init__ that imports its own modules is not a circle with them
    assert circles(graph) == []


def test_the_scanner_sees_imports_in_all_forms() -> None:
    sample = PACKAGE / "domain" / "__init__.py"
    assert _module_name(sample, PACKAGE) == "imdesk.domain"
    imports = {(i.module, i.target, i.top_level) for i in _all_imports()}
    assert ("imdesk.cli.common", "imdesk.app", False) in imports  # a lazy import inside a function
    assert ("imdesk.domain.incident", "imdesk.domain.lifecycle", True) in imports


WRONG = {  # one deliberately wrong import per rule, in a throw-away copy of the layout
    "imdesk/domain/bad.py": "import sqlalchemy\n",
    "imdesk/services/bad.py": "from PySide6.QtCore import QObject\n",
    "imdesk/qt/bad.py": "from imdesk.storage import incident_repo\n",
    "imdesk/storage/bad.py": "def f():\n    from imdesk import app\n",
    "imdesk/services/worse.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                "    from imdesk.context import AppContext\n",
    "imdesk/channels/bad.py": "from imdesk.services.alerts import intake\n",
    "imdesk/cli/bad.py": "def f():\n    from imdesk.qt.main_window import MainWindow\n",
    "imdesk/contacts_io/a.py": "from imdesk.contacts_io import b\n",
    "imdesk/contacts_io/b.py": "from imdesk.contacts_io.a import X\n",
}


def test_every_rule_catches_its_wrong_import(tmp_path: Path) -> None:
    root = tmp_path / "imdesk"
    for name, text in WRONG.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in [path.parent, *path.parent.parents]:
            if parent == tmp_path:
                break
            (parent / "__init__.py").touch()
        path.write_text(text, encoding="utf-8")
    imports = scan(root)
    caught = {rule.name: violations(rule, imports) for rule in RULES}
    assert all(caught.values()), [name for name, found in caught.items() if not found]
    files = {line.split(":")[0] for found in caught.values() for line in found}
    assert files == set(WRONG) - {"imdesk/contacts_io/a.py", "imdesk/contacts_io/b.py"}
    assert circles(module_graph(imports, _modules(root))) == [["imdesk.contacts_io.a",
                                                               "imdesk.contacts_io.b"]]


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
