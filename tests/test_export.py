"""The briefing exporters: registered with nbconvert, no code, one template for HTML and PDF."""
from __future__ import annotations

import builtins
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from conftest import ROOT


def _notebook(language: str = "nl") -> nbformat.NotebookNode:
    """An executed-looking notebook with everything a briefing must not show."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("report_year = None", metadata={"tags": ["parameters"]})
    injected = nbformat.v4.new_code_cell("report_year = 2025  # injected", metadata={"tags": ["injected-parameters"]})
    note = nbformat.v4.new_markdown_cell("Notitie voor de analist: niet tonen", metadata={"tags": ["remove"]})
    shown = nbformat.v4.new_code_cell("geheime_code_regel = 1", outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": "<p>Zichtbare uitkomst</p>"}),
        nbformat.v4.new_output("stream", name="stderr", text="FutureWarning: iets intern"),
        nbformat.v4.new_output("error", ename="ValueError", evalue="fout", traceback=["Traceback ... fout"]),
    ])
    heading = nbformat.v4.new_markdown_cell("## Zichtbare kop")
    nb.cells = [params, injected, note, shown, heading]
    nb.metadata["papermill"] = {"parameters": {"report_year": 2025, "language": language, "briefing_date": "2026-11-22",
                                               "data_dir": "/data", "output_dir": "/tmp/x"}}
    return nb


def test_both_exporters_are_registered_with_nbconvert():
    from nbconvert.exporters import get_exporter

    from nap_analysis.export import NapHTMLExporter, NapPDFExporter

    assert get_exporter("nap_html") is NapHTMLExporter
    assert get_exporter("nap_pdf") is NapPDFExporter


def test_html_shows_outputs_and_markdown_but_no_code_tags_or_errors():
    from nap_analysis.export import NapHTMLExporter

    html, _ = NapHTMLExporter().from_notebook_node(_notebook())
    assert "Zichtbare uitkomst" in html and "Zichtbare kop" in html
    for hidden in ("geheime_code_regel", "injected", "Notitie voor de analist", "FutureWarning", "Traceback", "In&nbsp;["):
        assert hidden not in html, hidden
    assert "<script" not in html.lower()
    # the title block from papermill's parameters, and the parameters as a small table (not output_dir)
    assert "Voortgang Nationaal Actieprogramma" in html and "Verslagjaar" in html and "2026-11-22" in html
    assert "Parameters van deze run" in html and "briefing_date" in html and "/tmp/x" not in html
    assert 'lang="nl"' in html and '"pagina " counter(page) " van " counter(pages)' in html


def test_english_notebook_gets_english_title_and_page_words():
    from nap_analysis.export import NapHTMLExporter

    html, _ = NapHTMLExporter().from_notebook_node(_notebook("en"))
    assert 'lang="en"' in html and "Progress of the National Action Programme" in html and "Report year" in html
    assert '"page " counter(page) " of " counter(pages)' in html
    assert "Verslagjaar" not in html


def test_the_process_wide_exporter_gives_what_a_new_exporter_gives_for_each_notebook(tmp_path):
    """export_notebook keeps one exporter (its templates compiled once); nothing of one briefing
    (language, title block) may stay behind in the next."""
    from nap_analysis.export import NapHTMLExporter, _html_exporter, export_notebook

    notebooks = [_notebook("nl"), _notebook("en"), _notebook("nl")]
    notebooks[2].metadata["nap"] = {"title": "Tweede <run>", "language": "nl"}
    shared = [export_notebook(nb) for nb in notebooks]
    fresh = [NapHTMLExporter().from_notebook_node(nb)[0] for nb in notebooks]
    assert shared == fresh
    assert _html_exporter() is _html_exporter()
    assert 'lang="en"' in shared[1] and 'lang="nl"' in shared[2] and "Tweede &lt;run&gt;" in shared[2]


def test_title_block_from_the_run_wins_and_is_escaped():
    from nap_analysis.export import NapHTMLExporter, title_block

    nb = _notebook()
    nb.metadata["nap"] = title_block("nl", 2025, date="2026-11-22", data_version="abc123",
                                     illustrative_note="Let op: <b>3</b> illustratief")
    html, _ = NapHTMLExporter().from_notebook_node(nb)
    assert "abc123" in html and "Let op: &lt;b&gt;3&lt;/b&gt; illustratief" in html


def test_pdf_is_a4_with_page_numbers_embedded_fonts_and_the_same_bytes_twice():
    from pypdf import PdfReader

    from nap_analysis.export import NapHTMLExporter, html_to_pdf

    nb = _notebook()
    nb.cells[3].outputs[0]["data"]["text/html"] = "<p>Bedrag € 2.050.000 – ‘wordt invulling gegeven aan’ – ë</p>" * 200
    html, _ = NapHTMLExporter().from_notebook_node(nb)
    first, second = html_to_pdf(html), html_to_pdf(html)
    assert first == second
    import io

    reader = PdfReader(io.BytesIO(first))
    assert len(reader.pages) >= 2
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 595 and round(float(box.height)) == 842
    text = " ".join(page.extract_text() for page in reader.pages)
    assert re.search(r"pagina 1 van \d", text) and "€ 2.050.000" in text and "‘wordt invulling gegeven aan’" in text
    fonts = [f.get_object() for page in reader.pages for f in page["/Resources"]["/Font"].values()]
    for font in fonts:  # every font embedded (Type0 fonts carry theirs in the descendant)
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        assert "/FontFile2" in descendant["/FontDescriptor"] or "/FontFile" in descendant["/FontDescriptor"]


def test_missing_pango_gives_a_message_saying_what_to_install(monkeypatch):
    from nap_analysis.errors import ExportError
    from nap_analysis.export import html_to_pdf

    real_import = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_pango)
    with pytest.raises(ExportError, match="apt-get install libpango-1.0-0 libpangoft2-1.0-0"):
        html_to_pdf("<p>x</p>")


def test_jupyter_nbconvert_to_nap_pdf_and_nap_html_on_an_executed_notebook(built, tmp_path):
    notebook = tmp_path / "10_briefing.ipynb"
    shutil.copy(built.out_dir / "notebooks" / "10_briefing.ipynb", notebook)
    jupyter = Path(sys.executable).parent / "jupyter"
    for to in ("nap_html", "nap_pdf"):
        done = subprocess.run([str(jupyter), "nbconvert", "--to", to, str(notebook)], cwd=tmp_path,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    html = (tmp_path / "10_briefing.html").read_text(encoding="utf-8")
    assert "Kernpunten (concept)" in html and "Report.open" not in html
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "10_briefing.pdf").pages)
    assert "Kernpunten (concept)" in text and "Rijksbrede norm" in text


def test_pdf_takes_chart_pixels_from_the_stored_png_with_the_same_bytes_as_weasyprints_own_encoding(monkeypatch):
    """WeasyPrint decodes every PNG and encodes it again; for the charts (Pillow PNGs, RGB) the
    PDF takes the stored image data instead, and the PDF may not change by a byte."""
    import base64
    import io
    from contextlib import nullcontext

    from PIL import Image
    from weasyprint.images import RasterImage

    from nap_analysis import export as E
    from nap_analysis.briefing import charts as F

    fig = F.projection_chart(pd.DataFrame({"report_year": [2024, 2025], "share_completed": [0.2, 0.4]}),
                             {"possible": False, "reason": "te weinig jaren"})
    chart = F.figure_bytes(fig, "png")
    assert Image.open(io.BytesIO(chart)).mode == "RGB"
    see_through = io.BytesIO()
    Image.new("RGBA", (40, 30), (0, 90, 200, 128)).save(see_through, format="png")
    html = "".join(f'<p>{name}</p><img alt="{name}" src="data:image/png;base64,{base64.b64encode(data).decode()}">'
                   for name, data in (("grafiek", chart), ("doorzichtig", see_through.getvalue())))

    encoded = []
    own = RasterImage.__dict__["_get_png_data"].__func__
    monkeypatch.setattr(RasterImage, "_get_png_data", staticmethod(lambda image: encoded.append(image.mode) or own(image)))
    stored = E.html_to_pdf(html)
    assert encoded == ["RGB", "L"]  # only the transparent image's colour and alpha were encoded again
    encoded.clear()
    monkeypatch.setattr(E, "_png_data_as_stored", nullcontext)
    assert E.html_to_pdf(html) == stored
    assert encoded == ["RGB", "RGB", "L"]


def test_png_idat_only_for_plain_8_bit_rgb():
    import io

    from PIL import Image

    from nap_analysis.export import png_idat

    def png(mode, **kwargs) -> bytes:
        out = io.BytesIO()
        Image.new(mode, (8, 4), "white" if mode != "P" else 0).save(out, format="png", **kwargs)
        return out.getvalue()

    assert png_idat(png("RGB"))
    assert png_idat(png("RGBA")) is None and png_idat(png("L")) is None and png_idat(png("P")) is None
    assert png_idat(b"not a png") is None
