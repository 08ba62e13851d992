"""nbconvert exporters ``nap_html``, ``nap_pdf`` and ``nap_docx``: an executed section notebook as a document.

``jupyter nbconvert --to nap_docx outputs/2025/notebooks/01_voortgang_per_actielijn.ipynb``
collects the sections the notebook displayed and renders them like the briefing (same template,
same PDF, same Word writer), with a title block from the notebook's first heading and its parameters. Code,
prompts and error output never appear: only what the notebook's sections hold.
"""

from __future__ import annotations

from nbconvert.exporters import Exporter
from traitlets import default

from ...words import words
from ..model import Document, Paragraph, Section, sections_in_notebook
from .html import document_html
from .pdf import html_to_pdf


def notebook_document(nb) -> Document:
    """The sections of an executed notebook as a document titled after the notebook."""
    sections = sections_in_notebook(nb)
    params = nb.metadata.get("papermill", {}).get("parameters", {})
    language = params.get("language") or (sections[0].language if sections else "nl")
    language = "en" if language == "en" else "nl"
    w = words(language)
    title = next(
        (
            line.lstrip("# ").strip()
            for cell in nb.cells
            if cell.cell_type == "markdown"
            for line in cell.source.splitlines()
            if line.startswith("# ")
        ),
        w["doc.briefing.title"],
    )
    if not sections:
        sections = [
            Section("empty", title, [Paragraph.of(w["nbconvert.no_sections"], style="note")], language=language)
        ]
    meta = [(w["meta.report_year"], str(params["report_year"]))] if params.get("report_year") else []
    date = str(params.get("briefing_date") or "")
    return Document(
        kind="notebook",
        language=language,
        title=title,
        subtitle=w["doc.briefing.subtitle"].format(year=params.get("report_year") or ""),
        sections=sections,
        meta=meta,
        kicker=w["doc.kicker"],
        footer=w["doc.footer"],
        date=date,
    )


class _NapExporter(Exporter):
    """An executed section notebook as one document in the house style: the sections, no code."""

    extension = ".html"

    @default("file_extension")
    def _file_extension_default(self):
        return self.extension

    def from_notebook_node(self, nb, resources=None, **kw):
        nb, resources = super().from_notebook_node(nb, resources, **kw)
        resources["output_extension"] = self.extension
        return self.render(notebook_document(nb)), resources

    def render(self, doc: Document):
        return document_html(doc)


class NapHTMLExporter(_NapExporter):
    """An executed section notebook as one self-contained HTML page."""

    export_from_notebook = "NAP document (HTML)"
    output_mimetype = "text/html"


class NapPDFExporter(_NapExporter):
    """The same page printed to A4 PDF by WeasyPrint."""

    export_from_notebook = "NAP document (PDF)"
    output_mimetype = "application/pdf"
    extension = ".pdf"

    def render(self, doc: Document):
        return html_to_pdf(document_html(doc))


class NapDocxExporter(_NapExporter):
    """The same sections as a Word document (built-in heading styles, the briefing's Word writer)."""

    export_from_notebook = "NAP document (Word)"
    output_mimetype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    extension = ".docx"

    def render(self, doc: Document):
        from .docx import document_docx  # python-docx only where Word is asked for

        return document_docx(doc)
