"""Service dependencies as a directed graph: refusing cycles (naming the path) and finding
every service that depends on one, level by level."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from imdesk.domain.errors import ValidationError

Edges = Mapping[str, Iterable[str]]  # service -> the services it depends on


@dataclass(frozen=True)
class Dependant:
    """A service that depends on the one in question: `level` 1 directly, 2 through one, …;
    `via` is the service it depends on on the way (the path reads name → via → … → root)."""

    name: str
    level: int
    via: str


def find_cycle(edges: Edges) -> list[str] | None:
    """A dependency cycle as a path that ends where it starts (["A", "B", "A"]), or None."""
    graph = {k.casefold(): (k, [d for d in v]) for k, v in edges.items()}
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(key: str) -> list[str] | None:
        state[key] = 1
        stack.append(key)
        for dep in graph.get(key, ("", []))[1]:
            d = dep.casefold()
            if state.get(d) == 1:
                path = [*stack[stack.index(d):], d]
                return [graph[p][0] if p in graph else p for p in path]
            if d not in state:
                found = visit(d)
                if found:
                    return found
        stack.pop()
        state[key] = 2
        return None

    for key in sorted(graph):
        if key not in state:
            found = visit(key)
            if found:
                return found
    return None


def check_acyclic(edges: Edges) -> None:
    """Refuse a graph with a cycle, naming it: "VPN → Network → VPN"."""
    cycle = find_cycle(edges)
    if cycle:
        raise ValidationError("depends_on", "a dependency cycle: " + " → ".join(cycle))


def dependants(edges: Edges, root: str) -> list[Dependant]:
    """Every service that depends on `root`, directly or through others, each once at its
    shortest level; ordered by level, then name."""
    reverse: dict[str, list[str]] = {}
    for service, deps in edges.items():
        for dep in deps:
            reverse.setdefault(dep.casefold(), []).append(service)
    names = {n.casefold(): n for deps in edges.values() for n in deps}
    names.update({k.casefold(): k for k in edges})
    root = names.get(root.casefold(), root)
    seen = {root.casefold()}
    found: list[Dependant] = []
    frontier = [root]
    level = 0
    while frontier:
        level += 1
        nxt: list[str] = []
        for name in frontier:
            for user in sorted(reverse.get(name.casefold(), []), key=str.casefold):
                if user.casefold() not in seen:
                    seen.add(user.casefold())
                    found.append(Dependant(user, level, name))
                    nxt.append(user)
        frontier = nxt
    return sorted(found, key=lambda d: (d.level, d.name.casefold()))
