"""Which documents a run writes and in which formats: one section model, three renderings.

Every document goes out as HTML and PDF (the same page, printed) and as Word (``--to`` picks); its figures go to
``figures/`` (PNG and SVG) and its named tables to ``tables/`` (CSV and one workbook).
"""

from __future__ import annotations

from pathlib import Path

from ..briefing import annexes as annex
from ..briefing import kamerbrief, nota
from ..briefing.model import Document
from ..briefing.render import html as html_render
from ..briefing.render import pdf as pdf_render
from ..briefing.render import spreadsheet
from ..data.arguments import FORMATS
from .outputs import write_atomic


def warm_up() -> None:
    """Import and initialise the writers while the kernels work (imports, templates, fonts): the
    real documents then pay only for themselves. Failures are left to the real writers to report."""
    try:
        import openpyxl  # noqa: F401 - the workbook at the end of the run

        html_render._environment()
        pdf_render.warm_up()
        docx = _docx()
        if docx is not None:
            docx.warm_up()
    except Exception:  # noqa: BLE001
        pass


def _docx():
    """The Word renderer, where it is installed (python-docx)."""
    try:
        from ..briefing.render import docx
    except ImportError:
        return None
    return docx


def from_data(ctx) -> list[tuple[str, Document]]:
    """Every document built from the data rather than from a notebook, as (file stem, document):
    Bijlage 1 and 2, the nota to the bewindspersonen (internal) and the Kamerbrief (public)."""
    return [*annex.documents(ctx), (nota.STEM, nota.nota(ctx)), (kamerbrief.STEM, kamerbrief.kamerbrief(ctx))]


def from_data_stems(ctx) -> list[str]:
    """The file stems :func:`from_data` gives for this report year, without building the documents."""
    return [*annex.stems(ctx), nota.STEM, kamerbrief.STEM]


def render(doc: Document, stem: str, formats: tuple[str, ...] = FORMATS) -> dict[str, bytes]:
    """The document in each of ``formats`` (Word where python-docx is installed): file name ->
    bytes, all made before anything is written."""
    made = {}
    if "html" in formats or "pdf" in formats:
        page = html_render.document_html(doc)  # the PDF is this page, printed
        made["html"] = page.encode("utf-8")
        if "pdf" in formats:
            made["pdf"] = pdf_render.document_pdf(doc, page)
    docx = _docx() if "docx" in formats else None
    if docx is not None:
        made["docx"] = docx.document_docx(doc)
    return {f"{stem}.{kind}": made[kind] for kind in formats if kind in made}


def write(doc: Document, work: Path, stem: str, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """The document as ``<stem>.html``, ``<stem>.pdf`` and ``<stem>.docx`` in ``work`` (those of ``formats``)."""
    written = []
    for filename, data in render(doc, stem, formats).items():
        write_atomic(work / filename, data)
        written.append(work / filename)
    return written


def write_files(doc: Document, work: Path, about: list[tuple[str, str]]) -> None:
    """The briefing's figures (PNG, SVG) and named tables (CSV per table, one workbook)."""
    for figure in doc.figures():
        write_atomic(work / "figures" / f"{figure.name}.png", figure.png)
        if figure.svg is not None:
            write_atomic(work / "figures" / f"{figure.name}.svg", figure.svg)
    tables = [t for t in doc.tables() if t.name]
    for table in tables:
        write_atomic(work / "tables" / f"{table.name}.csv", spreadsheet.table_csv(table, doc.language))
    if tables:
        book = spreadsheet.workbook(tables, doc.language, about, doc.subtitle)
        write_atomic(work / "tables" / "tabellen.xlsx", book)
