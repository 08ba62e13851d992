"""The documents' layout, checked on the PDF itself: nothing crosses the margins, no table of up to
15 rows is split, no page but the last is less than half full; for the bundled data in both
languages and for data with very long titles and explanations. For every document of a run (2025
Dutch, 2024 English), in the PDF and in LibreOffice's rendering of the .docx: the briefing's
Kernpunten end on page 1, no heading or caption stands alone at a page foot, no page is more than
a third empty unless a section ends there, no chart text prints under 6 pt, and Word has as many
pages as the PDF, give or take one."""

from __future__ import annotations

import base64
import html
import re
import shutil

import pandas as pd
import pdf_layout
import pytest
from annex_helpers import convert_with_libreoffice, soffice
from conftest import BUNDLED, DATE

#: Every document a run writes, by file stem.
STEMS = ("briefing", "nota-bewindspersonen", "kamerbrief", "bijlage-1-activiteiten", "bijlage-2-moties-en-toezeggingen")
#: The smallest chart text a reader is given, in points as printed.
MIN_CHART_PT = 6.0


def _tables(doc, strict: bool):
    """(caption, last row's first cell, rows) of the tables that must not split. With ``strict``
    every table of up to 15 rows; otherwise those the renderer keeps whole (a short table whose
    every row holds a long text may break, its header repeated, rather than leave half a page)."""
    from nap_analysis.briefing.format import fmt
    from nap_analysis.briefing.render.cells import display
    from nap_analysis.briefing.render.html import keep_together

    f = fmt(doc.language)
    chosen = [t for t in doc.tables() if strict or keep_together(t)]
    if strict:
        assert all(keep_together(t) for t in chosen if len(t.rows) <= 15)  # the exception never applies here
    return [(t.caption, display(t.rows[-1][0], t.columns[0], f) if t.rows else "", len(t.rows)) for t in chosen]


def _check(pdf_path, doc, strict: bool = True):
    """No text outside the page box, no short table split, and no page half empty unless a section
    ends there (the next begins on the next page)."""
    from nap_analysis.briefing.model import Section

    pages = pdf_layout.pages(pdf_path)
    assert len(pages) >= 3
    headings = [b.heading for b in doc.walk() if isinstance(b, Section)]
    problems = (
        pdf_layout.outside_content_box(pages)
        + pdf_layout.split_tables(pages, _tables(doc, strict))
        + pdf_layout.empty_pages(pages, headings, minimum=0.5)
    )
    assert problems == []


def test_bundled_2025_dutch(built, briefing_nl):
    _check(built.out_dir / "briefing.pdf", briefing_nl)


def test_bundled_2024_english(built_en, briefing_en):
    _check(built_en.out_dir / "briefing.pdf", briefing_en)


@pytest.fixture(scope="module")
def long_texts(tmp_path_factory):
    """The bundled data with every title three times and every explanation four times as long."""
    data = tmp_path_factory.mktemp("long") / "data"
    shutil.copytree(BUNDLED, data)
    for name in ("activities", "motions"):
        frame = pd.read_csv(data / f"{name}.csv", dtype=str, keep_default_na=False)
        frame["title"] = frame["title"] + " – " + frame["title"] + " – " + frame["title"]
        frame["explanation"] = (frame["explanation"] + " ") * 4
        frame.to_csv(data / f"{name}.csv", index=False)
    return data


@pytest.mark.parametrize("language", ["nl", "en"])
def test_very_long_titles_and_explanations(long_texts, tmp_path, language):
    import notebook_runner

    from nap_analysis.briefing.render.pdf import document_pdf

    doc = notebook_runner.briefing(long_texts, 2025, language, DATE)
    path = tmp_path / "briefing.pdf"
    path.write_bytes(document_pdf(doc))
    _check(path, doc, strict=False)


# --------------------------------------------------------------------------- every document of a run


@pytest.fixture(scope="module")
def runs(built, built_en):
    return {"nl": built.out_dir, "en": built_en.out_dir}


def _headings(page_html: str) -> list[str]:
    """The texts of the document's headings (h1-h4) and run-in headings (p.nap-lead)."""
    found = re.findall(r"<(h[1-4])\b[^>]*>(.*?)</\1>", page_html, flags=re.S)
    found += [("p", t) for t in re.findall(r'<p class="[^"]*nap-lead[^"]*">(.*?)</p>', page_html, flags=re.S)]
    return [html.unescape(re.sub(r"<[^>]+>", "", text)).strip() for _, text in found]


@pytest.fixture(scope="module")
def word_pdfs(runs, tmp_path_factory):
    """Every .docx of both runs converted by LibreOffice: {(language, stem): pages}."""
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs libreoffice-writer")
    folder = tmp_path_factory.mktemp("layout-docx")
    files = []
    for language, out_dir in runs.items():
        for stem in STEMS:
            target = folder / f"{language}-{stem}.docx"
            shutil.copyfile(out_dir / f"{stem}.docx", target)
            files.append(target)
    converted = convert_with_libreoffice(files, folder / "pdf", tmp_path_factory.mktemp("layout-lo-profile"))
    return {tuple(source.stem.split("-", 1)): pdf_layout.pages(pdf) for source, pdf in converted.items()}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_kernpunten_end_on_page_one(runs, language):
    out_dir = runs[language]
    page_html = (out_dir / "briefing.html").read_text(encoding="utf-8")
    kernpunten = page_html[page_html.index('id="kernpunten"') :]
    items = re.findall(r"<li>(.*?)</li>", kernpunten[: kernpunten.index("</ul>")], flags=re.S)
    assert len(items) >= 5
    last_words = html.unescape(re.sub(r"<[^>]+>", "", items[-1])).split()[-4:]
    first_page = [w["text"] for w in pdf_layout.pages(out_dir / "briefing.pdf")[0].body_words()]
    assert any(first_page[i : i + 4] == last_words for i in range(len(first_page))), (last_words, first_page[-12:])


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("stem", STEMS)
def test_no_heading_alone_at_a_page_foot_and_no_page_a_third_empty_unless_a_section_ends(runs, language, stem):
    out_dir = runs[language]
    pages = pdf_layout.pages(out_dir / f"{stem}.pdf")
    headings = _headings((out_dir / f"{stem}.html").read_text(encoding="utf-8"))
    assert pdf_layout.headings_at_foot(pages) == []
    assert pdf_layout.empty_pages(pages, headings) == []


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("stem", STEMS)
def test_word_as_libreoffice_sets_it_has_no_heading_alone_at_a_page_foot_and_the_pdfs_pages_give_or_take_one(
    runs, word_pdfs, language, stem
):
    word = word_pdfs[(language, stem)]
    assert pdf_layout.headings_at_foot(word) == []
    headings = _headings((runs[language] / f"{stem}.html").read_text(encoding="utf-8"))
    assert pdf_layout.empty_pages(word, headings) == []  # the 2025 briefing's page 3 was 63% empty
    pdf = pdf_layout.pages(runs[language] / f"{stem}.pdf")
    assert abs(len(word) - len(pdf)) <= 1, (len(word), len(pdf))


def _smallest_font_and_width(svg: str) -> tuple[float, float]:
    """The smallest font size and the width of an SVG chart, both in points (text stays text)."""
    sizes = [float(s) for s in re.findall(r"font-size: ?([\d.]+)px", svg)]
    width = float(re.search(r'<svg\b[^>]*?\bwidth="([\d.]+)pt"', svg).group(1))
    return min(sizes), width


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_chart_text_prints_under_6_pt(runs, language):
    """The smallest text of every chart times the width it is placed at in the PDF over the
    width it was drawn at: the progress chart, narrowed to stay under 112 mm tall, printed its
    percentages at 4.6 pt, the 2024 planning chart its labels at 4.8 pt."""
    out_dir = runs[language]
    by_bytes = {p.read_bytes(): p.stem for p in (out_dir / "figures").glob("*.png")}
    page_html = (out_dir / "briefing.html").read_text(encoding="utf-8")
    stems = [by_bytes[base64.b64decode(b)] for b in re.findall(r'<img src="data:image/png;base64,([^"]+)"', page_html)]
    placed = pdf_layout.placed_figures(pdf_layout.pages(out_dir / "briefing.pdf"))
    assert len(placed) == len(stems) >= 6
    printed = {}
    for stem, (_, width_pt) in zip(stems, placed):
        smallest, drawn = _smallest_font_and_width((out_dir / "figures" / f"{stem}.svg").read_text(encoding="utf-8"))
        printed[stem] = round(smallest * width_pt / drawn, 2)
    assert {s: pt for s, pt in printed.items() if pt < MIN_CHART_PT - 0.01} == {}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_word_keeps_no_table_cell_with_the_next_paragraph(runs, language):
    """No keep-with-next in a table cell: LibreOffice makes it the whole table's 'keep with next
    paragraph', which chained every action line of Bijlage 1 (118 cells) so each began a new page."""
    import docx
    from docx.oxml.ns import qn

    for stem in STEMS:
        body = docx.Document(str(runs[language] / f"{stem}.docx")).element.body
        in_cells = [p for p in body.iter(qn("w:p")) if p.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None]
        in_cells = [p for p in in_cells if any(a.tag == qn("w:tc") for a in p.iterancestors())]
        assert in_cells == [], (stem, len(in_cells))
