"""The emergency pack lists each service's dependencies. (Here at the top of tests/, like
test_contacts_cli.py: drawing the PDF in-process makes a QGuiApplication, which must not come
before tests/qt's QApplication in one run.)"""

from __future__ import annotations

from pathlib import Path

from tests.helpers.cli_runner import Cli
from tests.links.test_org_dependencies import cli as cli


def test_the_emergency_pack_lists_each_services_dependencies(cli: Cli, tmp_path: Path) -> None:
    from pypdf import PdfReader

    out = tmp_path / "pack.pdf"
    assert cli("contacts", "pack", "-o", str(out))[0] == 0
    text = " ".join("\n".join(page.extract_text() or "" for page in PdfReader(out).pages).split())
    assert "Depends on: ERP, E-mail" in text and "Depends on: Network" in text
