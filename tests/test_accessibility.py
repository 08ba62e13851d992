"""Accessible and archivable documents (issue 16), checked on every HTML and PDF file of a real run
(2025 in Dutch, 2024 in English): axe-core in Debian's Chromium with zero WCAG 2.1 A/AA violations,
no sideways scrolling at 320 px, and per PDF the tagged structure (PDF/UA-1 in PDF/A-3a) read back
with pikepdf and pdfplumber. What these checks cannot see is listed in the README ('Toegankelijkheid').
"""

from __future__ import annotations

import io
import itertools
import os
import re
import shutil
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest
from conftest import ROOT

STEMS = ("briefing", "bijlage-1-activiteiten", "bijlage-2-moties-en-toezeggingen", "nota-bewindspersonen", "kamerbrief")
#: The documents that hold tables (the nota and the Kamerbrief are letters: text and lists).
WITH_TABLES = STEMS[:3]
CASES = [(lang, stem) for lang in ("nl", "en") for stem in STEMS]
AXE = ROOT / ".ci" / "node_modules" / "axe-core" / "axe.min.js"
RULE_SETS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: What an alt text must not be: a file name or a file stem ('voortgang_per_actielijn').
FILE_NAME = re.compile(r"^[\w.-]+(\.(png|svg|jpe?g|gif))?$", re.IGNORECASE)
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
SVG = "{http://www.w3.org/2000/svg}"


def _missing(what: str, how: str):
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not installed; .ci/run should have installed it")
    pytest.skip(f"{what} not installed ({how})")


def _out_dir(request, lang: str) -> Path:
    return request.getfixturevalue("built" if lang == "nl" else "built_en").out_dir


@pytest.fixture(scope="module")
def browser():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        _missing("Debian's chromium", "apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@cache
def _html(path: Path):
    import lxml.html

    return lxml.html.fromstring(path.read_bytes())


def _text(element) -> str:
    return " ".join(element.text_content().replace("\u00ad", "").split())


# --------------------------------------------------------------------------- HTML in a browser


@pytest.mark.parametrize("width", [1200, 320])
@pytest.mark.parametrize(("lang", "stem"), CASES)
def test_axe_core_finds_no_wcag_21_aa_violation(request, browser, lang, stem, width):
    if not AXE.exists():
        _missing("axe-core", "npm install --prefix .ci axe-core, as .ci/run does")
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto((_out_dir(request, lang) / f"{stem}.html").as_uri(), wait_until="load")
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        result = page.evaluate(
            """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return {violations: r.violations.map(v => ({id: v.id, help: v.help,
                        nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})),
                    passes: r.passes.length, version: axe.version}; }""",
            RULE_SETS,
        )
    finally:
        page.close()
    assert result["violations"] == [], result["violations"]
    assert result["passes"] >= 15  # the rules ran (landmarks, lang, alt, contrast, table headers, ...)


@pytest.mark.parametrize(("lang", "stem"), CASES)
def test_the_page_reflows_at_320_px_and_wide_tables_scroll_in_a_focusable_region(request, browser, lang, stem):
    page = browser.new_page(viewport={"width": 320, "height": 640})
    try:
        page.goto((_out_dir(request, lang) / f"{stem}.html").as_uri(), wait_until="load")
        seen = page.evaluate("""() => ({
            scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
            regions: Array.from(document.querySelectorAll('.nap-table-wrap')).map(r => ({
                role: r.getAttribute('role'), tab: r.tabIndex, label: r.getAttribute('aria-labelledby'),
                wide: r.scrollWidth > r.clientWidth + 1, overflow: getComputedStyle(r).overflowX,
                right: r.getBoundingClientRect().right})),
            tables: document.querySelectorAll('table.nap-table').length})""")
        page.keyboard.press("Tab")  # the first focusable thing gets a visible focus ring
        outline = page.evaluate(
            "() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " return [e.className, s.outlineStyle, parseFloat(s.outlineWidth)]; }"
        )
    finally:
        page.close()
    assert seen["scroll"] <= seen["inner"], seen
    assert len(seen["regions"]) == seen["tables"]
    if stem not in WITH_TABLES:  # a letter reflows; it has no table to scroll
        assert seen["tables"] == 0
        return
    assert seen["tables"] > 0
    for region in seen["regions"]:
        assert region["role"] == "region" and region["tab"] == 0 and region["label"], region
        assert region["overflow"] == "auto" and region["right"] <= seen["inner"], region
    assert any(region["wide"] for region in seen["regions"]), "at 320 px some table is wider and scrolls"
    assert "nap-table-wrap" in outline[0] and outline[1] != "none" and outline[2] >= 2, outline


@pytest.mark.parametrize(("lang", "stem"), CASES)
def test_passages_in_the_other_language_are_marked(request, lang, stem):
    page = _html(_out_dir(request, lang) / f"{stem}.html")
    assert page.get("lang") == lang
    marked = page.xpath("//body//*[@lang]")
    assert {e.get("lang") for e in marked} <= {"nl", lang}
    if lang == "en":  # every title from the data (Dutch) carries lang="nl": one per row with an id
        rows = [
            tr
            for tr in page.xpath("//table[@class='nap-table']/tbody/tr")
            if re.fullmatch(r"[AM]\d\d", _text(tr.xpath("./th")[0]))
        ]
        assert rows or stem not in WITH_TABLES[1:]
        if stem not in WITH_TABLES:  # a letter names activities in its lists: Dutch titles marked there
            assert any(e.get("lang") == "nl" for e in marked)
        for tr in rows:
            assert tr.xpath("./td[@lang='nl']"), _text(tr)
        assert sum(e.get("lang") == "nl" for e in marked) >= len(rows)


@pytest.mark.parametrize(("lang", "stem"), CASES)
def test_every_chart_has_a_figcaption_and_every_table_a_caption(request, lang, stem):
    page = _html(_out_dir(request, lang) / f"{stem}.html")
    for image in page.xpath("//main//img"):
        figure = image.getparent()
        assert figure.tag == "figure" and _text(figure.xpath("./figcaption")[0])
    for table in page.xpath("//main//table"):
        assert _text(table.xpath("./caption")[0])
        assert table.xpath("./thead/tr/th[@scope='col']")


# --------------------------------------------------------------------------- alt texts


def _alt_prefixes(lang: str) -> list[str]:
    """The fixed start of every alt text template of a language ('Gestapelde staven per actielijn')."""
    from nap_analysis.words import en, nl

    table = nl.WORDS if lang == "nl" else en.WORDS
    keys = (
        "alt.progress",
        "alt.changes",
        "alt.motions",
        "alt.funds",
        "alt.milestones",
        "alt.milestones_on_time",
        "alt.indicators",
        "alt.indicators_none",
        "alt.projection",
        "alt.bewindspersonen",
    )
    return [table[k].split("{")[0] for k in keys]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_alt_texts_are_written_from_the_data_in_the_documents_language_and_the_svg_says_the_same(request, lang):
    out = _out_dir(request, lang)
    images = _html(out / "briefing.html").xpath("//main//img")
    alts = [image.get("alt") for image in images]
    captions = [_text(image.getparent().xpath("./figcaption")[0]) for image in images]
    assert len(alts) == len(list((out / "figures").glob("*.png"))) >= 6
    other = "en" if lang == "nl" else "nl"
    for alt in alts:
        assert alt and not FILE_NAME.match(alt) and len(alt) > 60, alt
        assert re.search(r"\d", alt), alt  # it carries the chart's numbers
        assert any(alt.startswith(p) for p in _alt_prefixes(lang)), alt
        assert not any(alt.startswith(p) for p in _alt_prefixes(other)), alt
    svgs = sorted((out / "figures").glob("*.svg"))
    assert len(svgs) == len(alts)
    described = []
    for path in svgs:
        root = ET.fromstring(path.read_bytes())
        title, desc = list(root)[:2]  # the first children name and describe the image
        assert (title.tag, desc.tag) == (f"{SVG}title", f"{SVG}desc"), path.name
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
        described.append((title.text, desc.text))
    assert sorted(described) == sorted(zip(captions, alts))


# --------------------------------------------------------------------------- PDF structure


@cache
def _structure(path: Path) -> dict:
    """What the PDF's tags say, read once: every element in tree order with its type, text, page and
    position, the figures' alt texts, the catalogue, the info and the XMP metadata."""
    import pdfplumber
    import pikepdf

    data = path.read_bytes()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        catalog = {
            "tree": "/StructTreeRoot" in pdf.Root,
            "marked": bool(pdf.Root.MarkInfo.get("/Marked", False)),
            "lang": str(pdf.Root.get("/Lang", "")),
            "display_title": bool(pdf.Root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)),
            "title": str(pdf.docinfo.get("/Title", "")),
            "xmp": pdf.Root.Metadata.read_bytes(),
        }
        figures = []

        def walk(element):
            if not isinstance(element, pikepdf.Dictionary):
                return  # a marked-content id
            if element.get("/S") == "/Figure":
                figures.append(str(element.get("/Alt", "")))
            kids = element.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid)

        walk(pdf.Root.StructTreeRoot)
    elements = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        chars = {}
        for number, page in enumerate(pdf.pages, start=1):
            for char in page.chars:
                if char.get("mcid") is not None:
                    chars.setdefault((number, char["mcid"]), []).append(char)

        def visit(node, depth=0):
            own = [c for mcid in node.get("mcids") or [] for c in chars.get((node.get("page_number"), mcid), [])]
            elements.append({"type": node["type"], "depth": depth, "page": node.get("page_number"), "chars": own})
            for child in node.get("children", []):
                visit(child, depth + 1)

        for root in pdf.structure_tree:
            visit(root)
    return {"catalog": catalog, "figures": figures, "elements": elements}


def _subtree(elements: list[dict], index: int) -> list[dict]:
    """The characters of an element and of everything under it, in tree order."""
    depth, found = elements[index]["depth"], list(elements[index]["chars"])
    for element in elements[index + 1 :]:
        if element["depth"] <= depth:
            break
        found += element["chars"]
    return found


def _subtree_text(elements: list[dict], index: int) -> str:
    return " ".join("".join(c["text"] for c in _subtree(elements, index)).split())


def _same(text: str) -> str:
    """Text compared across HTML and PDF: without spaces and hyphens (a cell's words are hyphenated
    at line ends in print)."""
    return re.sub(r"[\s\-\u00ad\u200b\u2010\u2011]", "", text)


PDFUA, PDFA = "{http://www.aiim.org/pdfua/ns/id/}", "{http://www.aiim.org/pdfa/ns/id/}"
XMP, DC = "{http://ns.adobe.com/xap/1.0/}", "{http://purl.org/dc/elements/1.1/}"


@pytest.mark.parametrize(("lang", "stem"), CASES)
def test_pdf_is_tagged_pdf_ua_1_in_pdf_a_3a_with_title_language_and_document_dates(request, lang, stem):
    out = _out_dir(request, lang)
    found = _structure(out / f"{stem}.pdf")["catalog"]
    page = _html(out / f"{stem}.html")
    assert found["tree"] and found["marked"] and found["display_title"]
    assert found["lang"] == lang
    assert found["title"] == _text(page.xpath("//head/title")[0])
    xmp = ET.fromstring(found["xmp"])
    assert len(xmp.findall(f"{RDF}RDF")) == 1  # one rdf:RDF: readers take the first and only that
    properties = {}
    for description in xmp.find(f"{RDF}RDF").findall(f"{RDF}Description"):
        properties.update((k, v) for k, v in description.attrib.items() if k != f"{RDF}about")
        properties.update((child.tag, " ".join("".join(child.itertext()).split())) for child in description)
    assert properties[f"{PDFUA}part"] == "1"
    assert (properties[f"{PDFA}part"], properties[f"{PDFA}conformance"]) == ("3", "A")
    schemas = [e.text for e in xmp.iter("{http://www.aiim.org/pdfa/ns/schema#}namespaceURI")]
    assert schemas == [PDFUA.strip("{}")]  # PDF/A-3 accepts pdfuaid only as a described extension
    created = page.xpath("//meta[@name='dcterms.created']/@content")[0]
    assert properties[f"{XMP}CreateDate"] == properties[f"{XMP}ModifyDate"] == created  # not the clock
    assert properties[f"{DC}title"] == found["title"]


@pytest.mark.parametrize(("lang", "stem"), CASES)
def test_pdf_figures_carry_the_alt_texts_and_icons_are_artifacts(request, lang, stem):
    out = _out_dir(request, lang)
    figures = _structure(out / f"{stem}.pdf")["figures"]
    alts = [image.get("alt") for image in _html(out / f"{stem}.html").xpath("//main//img")]
    assert figures == alts  # one Figure per chart, in order; the status icons are no Figures
    for alt in figures:
        assert alt.strip() and not FILE_NAME.match(alt), alt


@pytest.mark.parametrize(("lang", "stem"), CASES)
def test_pdf_tables_have_header_cells_tagged_th(request, lang, stem):
    out = _out_dir(request, lang)
    elements = _structure(out / f"{stem}.pdf")["elements"]
    tagged = {
        kind: {_same(_subtree_text(elements, i)) for i, e in enumerate(elements) if e["type"] == kind}
        for kind in ("TH", "TD")
    }
    page = _html(out / f"{stem}.html")
    for kind in ("th", "td"):
        cells = {_same(_text(c)) for c in page.xpath(f"//table//{kind}")} - {""}
        missing = cells - tagged[kind.upper()]
        assert not missing, f"{len(missing)} <{kind}> not tagged {kind.upper()}: {sorted(missing)[:5]}"
    assert sum(e["type"] == "Table" for e in elements) >= len(page.xpath("//table"))


#: Elements that are read one after the other; their first character is where a reader's eye is.
_BLOCKS = re.compile(r"H[1-6]|P|LI|TH|TD|Caption")


@pytest.mark.parametrize(("lang", "stem"), CASES)
def test_pdf_reading_order_of_the_tags_follows_the_page(request, lang, stem):
    """The headings of the tag tree, in tree order, are the page's headings in the order they are
    printed, and each block (heading, paragraph, list item, table cell, caption) in tree order starts
    on the line of the one before it or below it, page after page."""
    out = _out_dir(request, lang)
    elements = _structure(out / f"{stem}.pdf")["elements"]
    tagged = [
        (e["type"], _same(_subtree_text(elements, i)))
        for i, e in enumerate(elements)
        if re.fullmatch(r"H[1-6]", e["type"])
    ]
    page = _html(out / f"{stem}.html")
    printed = [(h.tag.upper(), _same(_text(h))) for h in page.xpath("//h1|//h2|//h3|//h4|//h5|//h6")]
    assert tagged == printed
    starts = []
    for i, element in enumerate(elements):
        chars = _subtree(elements, i)
        if _BLOCKS.fullmatch(element["type"]) and chars:
            first = min(chars, key=lambda c: (c["page_number"], round(c["top"], 1), c["x0"]))
            starts.append((first["page_number"], first["top"], element["type"], _subtree_text(elements, i)[:40]))
    assert len(starts) > 20
    for before, after in itertools.pairwise(starts):
        assert (after[0], after[1]) >= (before[0], before[1] - 1.5), f"{after} is read after {before}"


def test_weasyprint_prints_every_page_without_a_warning(request, caplog):
    """No CSS it does not understand (a media feature, overflow-x) and no tagging error (an image
    without alt, a missing lang) for the briefing and an annex: the one thing it logs is what to fix."""
    import logging

    from nap_analysis.briefing.render.pdf import html_to_pdf

    for lang, stem in (("nl", "briefing"), ("en", "bijlage-1-activiteiten")):
        path = _out_dir(request, lang) / f"{stem}.html"
        with caplog.at_level(logging.WARNING, logger="weasyprint"):
            again = html_to_pdf(path.read_text(encoding="utf-8"))
        assert again == path.with_suffix(".pdf").read_bytes()  # the same HTML prints the same bytes
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
