"""Service dependencies: cycles refused with the path named, impact over all levels."""

from __future__ import annotations

import pytest

from imdesk.context import AppContext
from imdesk.domain.errors import ValidationError
from imdesk.domain.service_graph import Dependant, check_acyclic, dependants, find_cycle

EDGES = {"VPN": ["Network"], "E-mail": ["Network", "DNS"], "ERP": ["Database", "Network"],
         "Payroll": ["ERP"], "Website": ["E-mail"], "Network": ["Data-centre power"]}


def test_dependants_all_levels_each_once_at_its_shortest() -> None:
    assert dependants(EDGES, "network") == [
        Dependant("E-mail", 1, "Network"), Dependant("ERP", 1, "Network"),
        Dependant("VPN", 1, "Network"), Dependant("Payroll", 2, "ERP"),
        Dependant("Website", 2, "E-mail")]
    assert [d.level for d in dependants(EDGES, "Data-centre power")] == [1, 2, 2, 2, 3, 3]
    assert dependants(EDGES, "Payroll") == []


@pytest.mark.parametrize(("extra", "cycle"), [
    ({"Data-centre power": ["Payroll"]},
     ["Data-centre power", "Payroll", "ERP", "Network", "Data-centre power"]),
    ({"Network": ["VPN"]}, ["Network", "VPN", "Network"]),
])
def test_a_cycle_is_refused_naming_it(extra: dict[str, list[str]], cycle: list[str]) -> None:
    edges = {**EDGES, **extra}
    found = find_cycle(edges)
    assert found is not None and found[0] == found[-1] and set(found) == set(cycle)
    with pytest.raises(ValidationError, match=r"a dependency cycle: .* → "):
        check_acyclic(edges)
    assert find_cycle(EDGES) is None


def test_service_dependencies_stored_refused_and_impact(ctx: AppContext) -> None:
    for name in ("Network", "VPN", "E-mail", "ERP", "Payroll"):
        ctx.catalog.add(name)
    deps = ctx.dependencies
    deps.set_depends_on("VPN", ["Network"])
    deps.set_depends_on("E-mail", ["Network"])
    deps.set_depends_on("ERP", ["Network"])
    deps.set_depends_on("Payroll", ["ERP"])
    with pytest.raises(ValidationError, match=r"Network → ERP → Network|ERP → Network → ERP"):
        deps.set_depends_on("Network", ["ERP"])
    assert deps.depends_on("Network") == []
    with pytest.raises(ValidationError, match="no service named 'Nope'"):
        deps.set_depends_on("VPN", ["Nope"])
    assert deps.depends_on("VPN") == ["Network"]
    impact = deps.impact("Network")
    assert [(i.name, i.level) for i in impact] == [("E-mail", 1), ("ERP", 1), ("VPN", 1),
                                                   ("Payroll", 2)]
    assert impact[0].criticality
