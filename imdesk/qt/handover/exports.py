"""Writing a handover document to a file: PDF through the shared report writer (A4 or Letter),
Markdown or HTML beside the target and renamed over it when complete. Runs on any thread."""

from __future__ import annotations

from pathlib import Path

from imdesk.domain.report_doc import ReportDoc, to_html, to_markdown


def write_export(doc: ReportDoc, path: Path, fmt: str, page: str = "A4") -> Path:
    if fmt == "pdf":
        from imdesk.qt.widgets.report_pdf import write_report_pdf

        write_report_pdf(doc, path, page="Letter" if page == "Letter" else "A4")
        return path
    tmp = path.with_name(f".{path.name}.part")
    try:
        tmp.write_text(to_markdown(doc) if fmt == "md" else to_html(doc), encoding="utf-8")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
