"""A document's HTML page printed to A4 PDF by WeasyPrint.

Why WeasyPrint: it prints the very HTML that :mod:`.html` makes, with print CSS (A4, page
numbers, repeated table headers), so HTML and PDF cannot drift apart; it installs from PyPI
and needs only the system library Pango. nbconvert's own PDF needs LaTeX and its webpdf
downloads a browser; neither works on a fresh machine.

Fonts are the DejaVu fonts that come with matplotlib, embedded, so no glyph (€, ‘ ’, –, ë) is
missing on any machine. The PDF identifier is derived from the HTML, so the same document
gives the same bytes.
"""
from __future__ import annotations

import hashlib
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from ...errors import ExportError
from ..model import Document
from .html import document_html

_FACES = (("DejaVuSans.ttf", "normal", "normal"), ("DejaVuSans-Bold.ttf", "bold", "normal"),
          ("DejaVuSans-Oblique.ttf", "normal", "italic"), ("DejaVuSans-BoldOblique.ttf", "bold", "italic"))


@cache
def font_css() -> str:
    """@font-face rules for matplotlib's DejaVu fonts: every glyph on every machine."""
    # located, not imported: importing matplotlib costs a process that only exports half a second
    ttf = Path(find_spec("matplotlib").origin).parent / "mpl-data" / "fonts" / "ttf"
    return "\n".join(
        f'@font-face {{ font-family: "NAP Sans"; src: url("{(ttf / name).as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for name, weight, style in _FACES
    )


def _weasyprint():
    try:
        import weasyprint
    except OSError as exc:  # cffi cannot dlopen Pango
        raise ExportError("error.pango", detail=str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    return weasyprint


def html_to_pdf(html: str) -> bytes:
    """Print an HTML page (of :func:`.html.document_html`) to PDF; the same HTML gives the same bytes."""
    weasyprint = _weasyprint()
    fonts = weasyprint.text.fonts.FontConfiguration()
    stylesheet = weasyprint.CSS(string=font_css(), font_config=fonts)
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    try:
        document = weasyprint.HTML(string=html, base_url=str(Path.cwd()))
        return document.write_pdf(stylesheets=[stylesheet], font_config=fonts, pdf_identifier=identifier)
    except Exception as exc:  # WeasyPrint's own errors: name the step, keep the message
        raise ExportError("error.pdf_failed", detail=f"{type(exc).__name__}: {exc}") from exc


def document_pdf(doc: Document, html: str | None = None) -> bytes:
    """A document as PDF: its HTML page (made here unless given), printed."""
    return html_to_pdf(html if html is not None else document_html(doc))


def warm_up() -> None:
    """Lay out and print a tiny page once: loads WeasyPrint, Pango and the fonts, so a run's first
    real document pays only for itself (done in a thread while the kernels work)."""
    html_to_pdf('<html lang="nl"><head><title>NAP</title></head><body><p>NAP € ‘’ – ë</p></body></html>')
