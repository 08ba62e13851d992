"""A document's HTML page printed to A4 PDF by WeasyPrint.

Why WeasyPrint: it prints the very HTML that :mod:`.html` makes, with print CSS (A4, page
numbers, repeated table headers), so HTML and PDF cannot drift apart; it installs from PyPI
and needs only the system library Pango. nbconvert's own PDF needs LaTeX and its webpdf
downloads a browser; neither works on a fresh machine.

Fonts are the DejaVu fonts that come with matplotlib, embedded, so no glyph (€, ‘ ’, –, ë) is
missing on any machine. The PDF identifier is derived from the HTML, so the same document
gives the same bytes.

Every PDF is tagged and archivable: PDF/A-3a (WeasyPrint's variant: tagged, fonts embedded,
sRGB output intent, XMP metadata) that also declares PDF/UA-1. WeasyPrint takes one
``pdf_variant``; its PDF/A-3a already has everything WeasyPrint's PDF/UA-1 variant writes (the
structure tree, /MarkInfo, /Lang, DisplayDocTitle, dc:title), all but the identifier
``pdfuaid:part``. Its ``xmp_metadata`` option would add that in a second rdf:RDF element, which the
XMP specification does not provide for (readers take the first); so a finisher (write_pdf's public
hook) adds it to the one rdf:RDF, with the extension schema PDF/A-3 requires for a namespace it
does not predefine. The XMP dates are the document's (``<meta name=dcterms.created>``), never
the clock.
"""

from __future__ import annotations

import atexit
import hashlib
import threading
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from ...errors import ExportError, MissingLibraryError
from ..model import Document
from .html import document_html

_FACES = (
    ("DejaVuSans.ttf", "normal", "normal"),
    ("DejaVuSans-Bold.ttf", "bold", "normal"),
    ("DejaVuSans-Oblique.ttf", "normal", "italic"),
    ("DejaVuSans-BoldOblique.ttf", "bold", "italic"),
)


@cache
def font_css() -> str:
    """@font-face rules for matplotlib's DejaVu fonts: every glyph on every machine."""
    # located, not imported: importing matplotlib costs a process that only exports half a second
    spec = find_spec("matplotlib")
    assert spec is not None and spec.origin is not None, "matplotlib is a dependency: installed as a package"
    ttf = Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"
    return "\n".join(
        f'@font-face {{ font-family: "NAP Sans"; src: url("{(ttf / name).as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for name, weight, style in _FACES
    )


def _weasyprint():
    try:
        import weasyprint
    except (OSError, AttributeError) as exc:  # cffi cannot dlopen Pango, or it lacks a function WeasyPrint needs
        raise MissingLibraryError(
            "error.pango", detail=str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        ) from None
    return weasyprint


#: The PDF variant WeasyPrint writes: PDF/A-3 level A (tagged), see the module docstring.
PDF_VARIANT = "pdf/a-3a"
#: The PDF/UA part declared next to it in the XMP metadata.
PDF_UA_PART = 1

#: An rdf:Description with pdfuaid:part and the PDF/A extension schema that defines it (PDF/A-3
#: accepts only predefined XMP properties or ones its extension schemas describe).
_PDF_UA_XMP = f"""<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">\
<pdfuaid:part>{PDF_UA_PART}</pdfuaid:part></rdf:Description>\
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" \
xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">\
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">\
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>\
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">\
<pdfaProperty:name>part</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType>\
<pdfaProperty:category>internal</pdfaProperty:category>\
<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>\
</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>\
""".encode()


def _declare_pdf_ua(document, pdf) -> None:
    """write_pdf's finisher: put the PDF/UA identifier into the one rdf:RDF of the XMP metadata."""
    metadata = pdf.objects[int(pdf.catalog["Metadata"].split()[0])]
    packet = b"".join(part if isinstance(part, bytes) else str(part).encode("utf-8") for part in metadata.stream)
    if b"</rdf:RDF>" not in packet:
        raise ValueError("WeasyPrint wrote XMP metadata without rdf:RDF")
    metadata.stream = [packet.replace(b"</rdf:RDF>", _PDF_UA_XMP + b"</rdf:RDF>", 1)]


#: One printer at a time per process: the font configuration below is shared, and WeasyPrint's
#: calls into Pango and Fontconfig release the GIL.
_PRINTING = threading.Lock()


@cache
def _fonts(weasyprint):
    """The process's one font configuration with the DejaVu faces loaded, and its stylesheet.

    A configuration of its own per document made Fontconfig load the system's fonts and copy the
    four faces into a new temporary folder each time, and dropped Pango's caches (0.05-0.1 s a
    PDF). The bytes do not depend on what was printed before (a test prints a page before and
    after others). WeasyPrint removes the folder when the configuration is deleted: at exit.
    """
    fonts = weasyprint.text.fonts.FontConfiguration()
    atexit.register(_fonts.cache_clear)  # the last reference: the configuration's folder goes with it
    return fonts, weasyprint.CSS(string=font_css(), font_config=fonts)


def html_to_pdf(html: str, tagged: bool = True) -> bytes:
    """Print an HTML page (of :func:`.html.document_html`) to PDF; the same HTML gives the same bytes.

    ``tagged``: PDF/A-3a with PDF/UA-1 (the default, what every document gets); False prints an
    untagged plain PDF, only to measure what tagging costs.
    """
    weasyprint = _weasyprint()
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    options = {"pdf_variant": PDF_VARIANT, "finisher": _declare_pdf_ua} if tagged else {}
    try:
        with _PRINTING:
            fonts, stylesheet = _fonts(weasyprint)
            document = weasyprint.HTML(string=html, base_url=str(Path.cwd()))
            return document.write_pdf(stylesheets=[stylesheet], font_config=fonts, pdf_identifier=identifier, **options)
    except Exception as exc:  # WeasyPrint's own errors: name the step, keep the message
        raise ExportError("error.pdf_failed", detail=f"{type(exc).__name__}: {exc}") from exc


def document_pdf(doc: Document, html: str | None = None) -> bytes:
    """A document as PDF: its HTML page (made here unless given), printed."""
    return html_to_pdf(html if html is not None else document_html(doc))


def warm_up() -> None:
    """Lay out and print a tiny page once: loads WeasyPrint, Pango and the fonts, so a run's first
    real document pays only for itself (done in a thread while the kernels work)."""
    html_to_pdf('<html lang="nl"><head><title>NAP</title></head><body><p>NAP € ‘’ – ë</p></body></html>')
