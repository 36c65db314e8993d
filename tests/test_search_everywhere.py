"""Ctrl+K's search over timelines and documents at once: both answers come back together, the
documents' search runs beside the timelines' (on another thread), and a failure of either is
reported, not swallowed."""

from __future__ import annotations

import threading

import pytest

from imdesk.context import AppContext
from imdesk.services.incidents import NewIncident
from imdesk.services.search_everywhere import search_everywhere


@pytest.fixture
def desk(sqlite_ctx: AppContext) -> AppContext:
    sqlite_ctx.catalog.add("VPN")
    sqlite_ctx.docs.add("VPN", "Restart the VPN concentrators", "Drain VPN-A first, then restart it.\n")
    state = sqlite_ctx.incidents.create(NewIncident("VPN concentrator down", "high", "high", service="VPN"))
    sqlite_ctx.incidents.add_note(state.ref, "concentrator VPN-A restarted, sessions back")
    return sqlite_ctx


def test_both_answers_come_back_and_the_documents_run_beside(desk: AppContext) -> None:
    threads: list[str] = []

    def documents(text: str) -> list[object]:
        threads.append(threading.current_thread().name)
        return list(desk.docs.search(text, 10))

    found, docs = search_everywhere(desk.timeline, documents, "concentr", 50)
    assert [d.title for d in docs] == ["Restart the VPN concentrators"]
    assert any("VPN-A restarted" in hit.text for hit in found.hits)
    assert threads and threads[0] != threading.current_thread().name


def test_an_empty_query_asks_no_documents(desk: AppContext) -> None:
    def documents(_text: str) -> list[object]:
        raise AssertionError("not asked")

    found, docs = search_everywhere(desk.timeline, documents, "   ", 50)
    assert docs == [] and found.hits == []


def test_a_failing_document_search_is_reported(desk: AppContext) -> None:
    def documents(_text: str) -> list[object]:
        raise RuntimeError("document index damaged")

    with pytest.raises(RuntimeError, match="document index damaged"):
        search_everywhere(desk.timeline, documents, "vpn", 50)
