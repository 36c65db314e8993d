"""Reading a scenario file: YAML or JSON (JSON is YAML) through PyYAML's composer, so every
value keeps its line; the checks themselves are in domain/drill_scenario.py. PyYAML is loaded
here only, lazily: nothing but the drills needs it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from imdesk.domain.drill_scenario import Problem, Scenario, check
from imdesk.files import read_capped
from imdesk.resources import resource

MAX_BYTES = 2 * 1024 * 1024
BUILT_IN = "drills"


class ScenarioRefused(ValueError):
    """A scenario file with problems: each with its line, field and what is wrong."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        super().__init__(f"{source}: {len(problems)} problem{'s' if len(problems) != 1 else ''}")
        self.source = source
        self.problems = problems


def _lines(node: Any, path: tuple[str | int, ...], out: dict[tuple[str | int, ...], int]) -> None:
    import yaml

    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key.start_mark.line)
            out[(*path, name)] = key.start_mark.line + 1
            _lines(value, (*path, name), out)
            out[(*path, name)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, (*path, i), out)


def parse_text(text: str, source: str = "") -> Scenario:
    """The scenario in `text`; ScenarioRefused lists every problem."""
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is None:
            raise ScenarioRefused(source, [Problem(1, "scenario", "the file is empty")])
        lines: dict[tuple[str | int, ...], int] = {}
        _lines(node, (), lines)
        constructor = yaml.SafeLoader("")
        data = constructor.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise ScenarioRefused(source, [Problem(line, "scenario", f"not YAML or JSON: "
                                                                 f"{exc.problem or exc}")]) from None
    except RecursionError:
        raise ScenarioRefused(source, [Problem(1, "scenario", "nested too deeply")]) from None
    except yaml.YAMLError as exc:
        raise ScenarioRefused(source, [Problem(1, "scenario", f"not YAML or JSON: {exc}")]) from None
    scenario, problems = check(data, lines, source)
    if scenario is None:
        raise ScenarioRefused(source, problems)
    return scenario


def read_file(path: Path | str) -> Scenario:
    """A scenario file the user names (a regular file, at most 2 MB)."""
    raw = read_capped(path, cap=MAX_BYTES, what="scenario file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioRefused(str(path), [Problem(1, "scenario", "the file is not UTF-8 text")]) from None
    return parse_text(text, str(path))


def built_in() -> list[Path]:
    folder = resource(BUILT_IN)
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml", ".json"))


def find(name: str) -> Scenario:
    """A built-in scenario by its file stem or name, else a file path."""
    for p in built_in():
        if name in (p.stem, p.name):
            return read_file(p)
    for p in built_in():
        sc = read_file(p)
        if sc.name.casefold() == name.casefold():
            return sc
    return read_file(name)
