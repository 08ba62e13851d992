"""Briefing export: one nbconvert HTML template for screen and print, WeasyPrint for the PDF.

Why WeasyPrint: it prints the very HTML that nbconvert makes, with print CSS (A4, page
numbers, repeated table headers), so HTML and PDF can never drift apart; it installs from
PyPI and needs only the system Pango library, which Debian ships. nbconvert's own PDF needs
xelatex and its webpdf downloads a browser; both fail on a fresh machine.

Both exporters are registered with nbconvert (``jupyter nbconvert --to nap_html|nap_pdf``)
and work on any executed notebook; ``export_notebook`` renders the HTML once and prints
that same HTML to PDF.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from traitlets import default

from .errors import ExportError

TEMPLATE_DIR = Path(__file__).parent / "templates"
#: Cells that never reach a briefing: papermill's parameters and notes for the analyst.
REMOVE_TAGS = ("parameters", "injected-parameters", "remove")
PAGE_WORDS = {"nl": ("pagina", "van"), "en": ("page", "of")}
PANGO_HINT = (
    "WeasyPrint (de PDF-stap) vindt de systeembibliotheek Pango niet. Installeer die, "
    "bijvoorbeeld op Debian/Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0"
)


def _language(nb) -> str:
    nap = nb.metadata.get("nap", {})
    params = nb.metadata.get("papermill", {}).get("parameters", {})
    return "en" if (nap.get("language") or params.get("language")) == "en" else "nl"


TITLES = {
    "nl": ("Voortgang Nationaal Actieprogramma Aanpak seksueel grensoverschrijdend gedrag en seksueel geweld",
           "Concept-briefing bij de voortgangsrapportage {year}"),
    "en": ("Progress of the National Action Programme against sexual misconduct and sexual violence",
           "Draft briefing on the progress report {year}"),
}


def title_block(language: str, year, date: str | None = None, data_version: str | None = None,
                illustrative_note: str = "") -> dict:
    """What the memo-style title block shows (stored as the notebook's ``metadata.nap``)."""
    title, subtitle = TITLES["en" if language == "en" else "nl"]
    block = {"title": title, "subtitle": subtitle.format(year=year) if year else "", "report_year": year,
             "language": "en" if language == "en" else "nl", "illustrative_note": illustrative_note}
    if date:
        block["date"] = date
    if data_version:
        block["data_version"] = data_version
    return block


def _with_title_block(nb):
    """An executed notebook without ``metadata.nap`` (plain nbconvert use) gets one from its parameters."""
    if "nap" in nb.metadata:
        return nb
    import copy

    params = nb.metadata.get("papermill", {}).get("parameters", {})
    nb = copy.deepcopy(nb)
    nb.metadata["nap"] = title_block(params.get("language", "nl"), params.get("report_year"), params.get("briefing_date"))
    return nb


def briefing_css(language: str) -> str:
    """The house stylesheet with the page footer in the briefing's language."""
    page, of = PAGE_WORDS[language]
    footer = "Nationaal Actieprogramma – concept" if language == "nl" else "National Action Programme – draft"
    css = (TEMPLATE_DIR / "nap" / "nap.css").read_text(encoding="utf-8")
    return css.replace("{{PAGE_WORD}}", page).replace("{{OF_WORD}}", of).replace("{{FOOTER_LEFT}}", footer)


def font_css() -> str:
    """@font-face rules for the DejaVu fonts matplotlib ships: on every machine, all glyphs (€, ‘’, –)."""
    from importlib.util import find_spec

    # located, not imported: importing matplotlib costs the exporting process half a second
    ttf = Path(find_spec("matplotlib").origin).parent / "mpl-data" / "fonts" / "ttf"
    faces = [("DejaVuSans.ttf", "normal", "normal"), ("DejaVuSans-Bold.ttf", "bold", "normal"),
             ("DejaVuSans-Oblique.ttf", "normal", "italic"), ("DejaVuSans-BoldOblique.ttf", "bold", "italic")]
    return "\n".join(
        f'@font-face {{ font-family: "NAP Sans"; src: url("{(ttf / name).as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for name, weight, style in faces
    )


class NapHTMLExporter(HTMLExporter):
    """The briefing as one self-contained HTML page: no code, no prompts, no scripts."""

    export_from_notebook = "NAP briefing (HTML)"

    @default("extra_template_basedirs")
    def _default_extra_template_basedirs(self):
        return [str(TEMPLATE_DIR)]

    @default("template_name")
    def _template_name_default(self):
        return "nap"

    @default("exclude_input")
    def _default_exclude_input(self):
        return True

    @default("exclude_input_prompt")
    def _default_exclude_input_prompt(self):
        return True

    @default("exclude_output_prompt")
    def _default_exclude_output_prompt(self):
        return True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=set(REMOVE_TAGS), enabled=True), enabled=True)

    def from_notebook_node(self, nb, resources=None, **kw):
        resources = dict(resources or {})
        resources["nap_css"] = briefing_css(_language(nb))
        return super().from_notebook_node(_with_title_block(nb), resources, **kw)


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """Print briefing HTML to A4 PDF with embedded DejaVu fonts; same bytes for the same HTML."""
    try:
        import weasyprint
    except OSError as exc:  # cffi cannot dlopen Pango
        raise ExportError(f"{PANGO_HINT} ({exc})") from None
    fonts = weasyprint.text.fonts.FontConfiguration()
    stylesheet = weasyprint.CSS(string=font_css(), font_config=fonts)
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    document = weasyprint.HTML(string=html, base_url=base_url or str(Path.cwd()))
    with _png_data_as_stored():
        return document.write_pdf(stylesheets=[stylesheet], font_config=fonts, pdf_identifier=identifier)


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_idat(png: bytes) -> bytes | None:
    """The image data (IDAT chunks joined) of an 8-bit RGB, non-interlaced PNG, else None.

    That zlib stream of filtered rows is exactly what a PDF image with FlateDecode and PNG
    predictors holds, and what WeasyPrint takes out of a PNG it encodes itself.
    """
    import struct

    if png[:8] != _PNG_SIGNATURE or png[12:16] != b"IHDR":
        return None
    depth, colour, _, _, interlace = struct.unpack(">BBBBB", png[24:29])
    if (depth, colour, interlace) != (8, 2, 0):
        return None
    chunks, at = [], 8
    while at + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[at:at + 8])
        if kind == b"IDAT":
            chunks.append(png[at + 8:at + 8 + length])
        at += 12 + length
    return b"".join(chunks) or None


@contextmanager
def _png_data_as_stored():
    """Let WeasyPrint take a chart's image data from its PNG instead of decoding the PNG and
    encoding the pixels again (0.33 s of a 2 s briefing PDF, on the last step of a run).

    WeasyPrint (pinned) re-encodes every RGB PNG with Pillow only to cut the IDAT chunks out;
    the charts are Pillow PNGs with Pillow's default settings, so the stored chunks are the very
    bytes it would make (the tests compare the PDFs). Anything else takes WeasyPrint's own way.
    """
    from weasyprint.images import RasterImage

    own = RasterImage.__dict__.get("_get_png_data")
    if not isinstance(own, staticmethod):  # another WeasyPrint: leave it alone
        yield
        return

    def png_data(pillow_image):
        source = getattr(pillow_image, "fp", None)
        if pillow_image.format == "PNG" and pillow_image.mode == "RGB" and hasattr(source, "getvalue"):
            stored = png_idat(source.getvalue())
            if stored is not None:
                return stored
        return own.__func__(pillow_image)

    RasterImage._get_png_data = staticmethod(png_data)
    try:
        yield
    finally:
        RasterImage._get_png_data = own


class NapPDFExporter(NapHTMLExporter):
    """The same briefing HTML, printed to A4 PDF by WeasyPrint."""

    export_from_notebook = "NAP briefing (PDF)"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self):
        return ".pdf"

    @default("template_file")
    def _template_file_default(self):
        return "index.html.j2"  # the same page as the HTML briefing, printed

    def from_notebook_node(self, nb, resources=None, **kw):
        html, resources = super().from_notebook_node(nb, resources, **kw)
        resources["output_extension"] = ".pdf"
        return html_to_pdf(html), resources


def _write_atomic(path: Path, data: bytes) -> None:
    """Write next to the target and rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_EXPORTER: NapHTMLExporter | None = None


def _html_exporter() -> NapHTMLExporter:
    """One exporter per process: each new one compiles the jinja templates again (0.1-0.2 s)."""
    global _EXPORTER
    if _EXPORTER is None:
        _EXPORTER = NapHTMLExporter()
    return _EXPORTER


def warm_up() -> None:
    """Export a one-cell notebook to HTML and PDF: loads nbconvert's templates, WeasyPrint and
    the fonts once, so the briefing's export later pays only for the briefing."""
    import nbformat

    html, _ = _html_exporter().from_notebook_node(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("NAP")]))
    html_to_pdf(html)


def export_notebook(nb_or_path, out_html: Path | None = None, out_pdf: Path | None = None) -> str:
    """Render an executed notebook to HTML once; write it and/or its PDF print. Returns the HTML."""
    import nbformat

    nb = nb_or_path if isinstance(nb_or_path, nbformat.NotebookNode) else nbformat.read(str(nb_or_path), as_version=4)
    html, _ = _html_exporter().from_notebook_node(nb)
    if out_html is not None:
        _write_atomic(Path(out_html), html.encode("utf-8"))
    if out_pdf is not None:
        try:
            pdf = html_to_pdf(html, base_url=str(Path(out_pdf).parent))
        except ExportError:
            raise
        except Exception as exc:  # WeasyPrint's own errors: name the step, keep the message
            raise ExportError(f"PDF maken mislukt voor {out_pdf}: {type(exc).__name__}: {exc}") from exc
        _write_atomic(Path(out_pdf), pdf)
    return html
