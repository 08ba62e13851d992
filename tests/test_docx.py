"""Word output: what a briefing writer opens. Heading styles, tables with a repeating header row
and the columns' widths, pictures with alt text, A4 with page numbers, the document's language;
LibreOffice converts every .docx; one real run writes all documents in all three formats."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from annex_helpers import (
    DATE,
    GENERATED_LINE_1,
    build,
    check_pdf_rows,
    convert_with_libreoffice,
    expected_rows,
    generated_data,
    header_repeated,
    pdf_pages,
    soffice,
)
from conftest import BUNDLED

from nap_analysis.briefing.annexes import ACTIVITIES_STEM, MOTIONS_STEM

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
FILE_NAME = re.compile(r"\.(png|jpe?g|gif|svg|emf|wmf)$|^(image|picture)\s*\d*$", re.IGNORECASE)


@pytest.fixture(scope="module")
def bundled_annexes():
    return {"nl": build(BUNDLED, 2025, "nl"), "en": build(BUNDLED, 2024, "en")}


@pytest.fixture(scope="module")
def generated_annexes(tmp_path_factory):
    return build(generated_data(tmp_path_factory.mktemp("generated") / "data"), 2025, "nl")


def open_docx(data: bytes):
    import docx

    return docx.Document(io.BytesIO(data))


def pictures(document) -> list:
    """Every wp:docPr (a picture's name and alt text) in the body."""
    return list(document.element.body.iter(f"{WP}docPr"))


# --------------------------------------------------------------------------- structure


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("stem", [ACTIVITIES_STEM, MOTIONS_STEM])
def test_annex_docx_has_heading_styles_real_tables_alt_texts_a4_and_its_language(bundled_annexes, language, stem):
    from docx.shared import Mm

    built = bundled_annexes[language][stem]
    doc, document = built["doc"], open_docx(built["docx"])
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Title", doc.title) in styles
    assert [t for s, t in styles if s == "Heading 1"] == [s.heading for s in doc.sections]
    assert ("NAP Warning", doc.warning.text) in styles

    assert len(document.tables) == len(doc.tables())
    body_tables = document.element.body.findall(f"{W}tbl")  # the XML of document.tables, in order
    for table, tbl, model in zip(document.tables, body_tables, doc.tables()):
        rows = tbl.findall(f"{W}tr")
        headers = [r.find(f"{W}trPr/{W}tblHeader") is not None for r in rows]
        assert headers == [True] + [False] * len(model.rows)
        assert [c.text for c in table.rows[0].cells] == [c.label for c in model.columns]
        widths = [c.width for c in table.columns]
        from nap_analysis.briefing.render.html import column_widths

        for width, share in zip(widths, column_widths(model)):  # the widths the PDF uses too
            assert width / sum(widths) == pytest.approx(share / 100, abs=0.002)
        assert sum(widths) == pytest.approx(Mm(170), rel=0.002)

    alts = [(p.get("name"), p.get("descr")) for p in pictures(document)]
    assert len(alts) == sum(1 for t in doc.tables() for row in t.rows for c in row if getattr(c, "icon", None))
    for name, alt in alts:
        assert alt and not FILE_NAME.search(alt) and alt != name, (name, alt)
        assert alt.startswith("icoon:" if language == "nl" else "icon:")

    section = document.sections[0]
    assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)  # A4 as Word writes it
    assert [round(m / 36000) for m in (section.left_margin, section.right_margin, section.top_margin)] == [20, 20, 20]
    footer = section.footer.part.element
    instructions = [t.text.strip() for t in footer.iter(f"{W}instrText")]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert ("pagina" if language == "nl" else "page") in section.footer.paragraphs[0].text

    tag = {"nl": "nl-NL", "en": "en-GB"}[language]
    default = document.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert default.get(f"{W}val") == tag
    assert document.core_properties.language == tag
    dutch_runs = [r for r in document.element.body.iter(f"{W}r") if r.find(f"{W}rPr/{W}lang") is not None]
    if language == "en":  # Dutch titles and explanations quoted in English carry their language
        titles = {r["title"] for r in expected_rows(built["ctx"], stem)}
        marked = {"".join(t.text for t in r.iter(f"{W}t")) for r in dutch_runs}
        assert titles <= marked
        assert {r.find(f"{W}rPr/{W}lang").get(f"{W}val") for r in dutch_runs} == {"nl-NL"}
    else:
        assert not dutch_runs

    props = document.core_properties
    assert props.title == doc.title and props.created.date().isoformat() == DATE == props.modified.date().isoformat()
    assert props.author == "nap-analysis" and props.revision == 1


def test_note_and_warning_paragraphs_look_different_from_body_text(bundled_annexes):
    document = open_docx(bundled_annexes["nl"][ACTIVITIES_STEM]["docx"])

    def fill(name):
        shading = document.styles[name].element.find(f"{W}pPr/{W}shd")
        return None if shading is None else shading.get(f"{W}fill")

    assert fill("NAP Warning") and fill("NAP Note") and fill("NAP Warning") != fill("NAP Note")
    assert fill("Normal") is None
    used = {p.style.name for p in document.paragraphs}
    assert {"NAP Warning", "NAP Note", "NAP Kicker", "NAP Meta", "List Bullet", "Caption"} <= used
    badges = [
        r.text
        for t in document.tables
        for row in t.rows
        for c in row.cells
        for par in c.paragraphs
        for r in par.runs
        if r.style.name == "NAP Badge"
    ]
    assert badges == ["fictief"] * 5  # A20, A21, A24, A27 and A28 are made up


def test_the_same_document_gives_the_same_docx_bytes(bundled_annexes):
    from nap_analysis.briefing.render.docx import document_docx

    built = bundled_annexes["nl"][MOTIONS_STEM]
    again = document_docx(built["doc"])
    assert again == built["docx"]
    with zipfile.ZipFile(io.BytesIO(again)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode("utf-8")
    assert f"{DATE}T00:00:00Z" in core and "python-docx" not in core


# --------------------------------------------------------------------------- the real run


def test_run_writes_every_document_in_three_formats_lists_them_and_counts_its_steps(built_run, bundled_annexes):
    result, steps = built_run
    stems = ("briefing", ACTIVITIES_STEM, MOTIONS_STEM)
    for stem in stems:
        for kind in ("html", "pdf", "docx"):
            assert f"{stem}.{kind}" in result.files
    import json

    manifest = json.loads((result.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert {f"{s}.{k}" for s in stems for k in ("html", "pdf", "docx")} <= set(manifest["outputs"])
    totals = {total for _, total, _ in steps}
    assert len(totals) == 1 and len(steps) == max(done for done, _, _ in steps) == totals.pop()
    assert sum(1 for _, _, what in steps if "bijlage-" in what) == 2
    # the run's annexes are the very bytes of an in-process build with the same data and date
    for stem in (ACTIVITIES_STEM, MOTIONS_STEM):
        for kind in ("pdf", "docx"):
            assert (result.out_dir / f"{stem}.{kind}").read_bytes() == bundled_annexes["nl"][stem][kind], (stem, kind)


def test_briefing_docx_has_its_figures_at_200_dpi_with_alt_text_and_the_caption_below(built, briefing_nl):
    from nap_analysis.briefing.render.docx import document_docx

    out = built.out_dir
    data = (out / "briefing.docx").read_bytes()
    document = open_docx(data)
    brief = briefing_nl  # assembled again from the run's executed notebooks (conftest.run_briefing)
    assert document_docx(brief) == data, "a second build of briefing.docx differs"

    figures = {f.name: f for f in brief.figures()}
    assert figures
    body = list(document.element.body)
    seen = set()
    for i, element in enumerate(body):
        for properties in element.iter(f"{WP}docPr"):
            figure = figures.get(properties.get("name"))
            if figure is None:
                continue
            seen.add(figure.name)
            assert properties.get("descr") == figure.alt and not FILE_NAME.search(figure.alt)
            caption = "".join(t.text for t in body[i + 1].iter(f"{W}t"))
            assert caption == figure.caption
    assert seen == set(figures)
    blobs = {part.blob for part in document.part.package.parts if part.content_type == "image/png"}
    for figure in figures.values():
        assert figure.png in blobs and (out / "figures" / f"{figure.name}.png").read_bytes() == figure.png
    levels = {p.style.name for p in document.paragraphs if p.style.name.startswith("Heading")}
    assert {"Heading 1", "Heading 2"} <= levels


def test_svg_figures_keep_their_text_as_text_with_fallback_fonts(built):
    svgs = sorted((built.out_dir / "figures").glob("*.svg"))
    assert svgs
    for path in svgs:
        text = path.read_text(encoding="utf-8")
        assert text.count("<text") >= 5, path.name
        families = set(re.findall(r"font-family: ?([^;\"]*)", text))
        assert families == {"'DejaVu Sans', Verdana, Arial, sans-serif"}, (path.name, families)


# --------------------------------------------------------------------------- LibreOffice


@pytest.fixture(scope="module")
def libreoffice_pdfs(tmp_path_factory, built, bundled_annexes, generated_annexes):
    """Every .docx of this suite converted by LibreOffice: {name: pdf bytes}."""
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs libreoffice-writer")
    folder = tmp_path_factory.mktemp("docx")
    files = [built.out_dir / f"{stem}.docx" for stem in ("briefing", ACTIVITIES_STEM, MOTIONS_STEM)]
    for stem in (ACTIVITIES_STEM, MOTIONS_STEM):
        for name, data in (
            (f"en-{stem}", bundled_annexes["en"][stem]["docx"]),
            (f"generated-{stem}", generated_annexes[stem]["docx"]),
        ):
            (folder / f"{name}.docx").write_bytes(data)
            files.append(folder / f"{name}.docx")
    converted = convert_with_libreoffice(
        files, tmp_path_factory.mktemp("converted"), tmp_path_factory.mktemp("lo-profile")
    )
    return {source.stem: pdf.read_bytes() for source, pdf in converted.items()}


def test_libreoffice_converts_every_docx_to_a4_pages(libreoffice_pdfs):
    assert len(libreoffice_pdfs) == 7
    for name, data in libreoffice_pdfs.items():
        pages = pdf_pages(data)
        assert pages, name
        for page in pages:
            assert (round(page["width"]), round(page["height"])) == (595, 842), name
        words = " ".join(w["text"] for p in pages for w in p["words"])
        assert re.search(r"(pagina|page) 1 (van|of) \d+", words), name


def test_libreoffice_shows_every_row_with_icon_and_status_word(libreoffice_pdfs, bundled_annexes, generated_annexes):
    cases = [
        (ACTIVITIES_STEM, bundled_annexes["nl"]),
        (MOTIONS_STEM, bundled_annexes["nl"]),
        (f"en-{ACTIVITIES_STEM}", bundled_annexes["en"]),
        (f"en-{MOTIONS_STEM}", bundled_annexes["en"]),
        (f"generated-{ACTIVITIES_STEM}", generated_annexes),
        (f"generated-{MOTIONS_STEM}", generated_annexes),
    ]
    for name, built in cases:
        stem = ACTIVITIES_STEM if ACTIVITIES_STEM in name else MOTIONS_STEM
        ctx = built[stem]["ctx"]
        check_pdf_rows(pdf_pages(libreoffice_pdfs[name]), expected_rows(ctx, stem), ctx.labels)


def test_libreoffice_repeats_the_header_row_on_every_page_a_long_table_spans(libreoffice_pdfs, generated_annexes):
    ctx = generated_annexes[ACTIVITIES_STEM]["ctx"]
    line_1 = {r["id"] for r in expected_rows(ctx, ACTIVITIES_STEM) if r["line"] == 1}
    assert len(line_1) == GENERATED_LINE_1
    pages = pdf_pages(libreoffice_pdfs[f"generated-{ACTIVITIES_STEM}"])
    assert len(header_repeated(pages, line_1, ["Nr.", "Activiteit", "Toelichting"])) >= 3
    kinds = dict(zip(ctx.motions["item_id"], ctx.motions["kind"].astype(str)))
    moties = {i for i, kind in kinds.items() if kind == "motie"}
    spans = header_repeated(pdf_pages(libreoffice_pdfs[f"generated-{MOTIONS_STEM}"]), moties, ["Nr.", "Soort"])
    assert len(spans) >= 2


def test_libreoffice_never_wraps_a_number_inside_a_table_cell(libreoffice_pdfs, built):
    """Every number in a right-aligned (numeric) column of the briefing's Word tables is one word
    on the page as LibreOffice sets it: at 8 pt in a compact table '€ 4.670.000' broke into
    '€ 4.670.00' and '0'. The amounts are read from the .docx itself, so any table counts."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = open_docx((built.out_dir / "briefing.docx").read_bytes())
    numbers = set()
    for table in document.tables:
        for row in table.rows[1:]:
            for cell in row.cells:
                paragraph = cell.paragraphs[0]
                if paragraph.alignment == WD_ALIGN_PARAGRAPH.RIGHT:
                    numbers |= {t for t in cell.text.split() if len(t) >= 4 and any(ch.isdigit() for ch in t)}
    assert len(numbers) >= 20, sorted(numbers)  # the funds amounts, percentages, counts
    words = {w["text"] for page in pdf_pages(libreoffice_pdfs["briefing"]) for w in page["words"]}
    assert sorted(n for n in numbers if n not in words) == []


def test_a_reviewer_can_edit_a_table_cell_and_a_heading(bundled_annexes, tmp_path):
    """The annex's headings are Heading-style paragraphs and its tables real Word tables, so an
    edit lands where a reviewer makes it: a cell and a heading changed in the .docx (through
    python-docx, as a reviewer's Word would store them) show in LibreOffice's rendering, and the
    rest of the row stays."""
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs libreoffice-writer")
    document = open_docx(bundled_annexes["nl"][ACTIVITIES_STEM]["docx"])
    heading = next(p for p in document.paragraphs if p.style.name == "Heading 1" and p.text.startswith("Actielijn 1"))
    heading.text = "Actielijn 1, herzien door de redactie"
    table = document.tables[1]  # the first action line's table (the legend comes first)
    row = table.rows[1]
    first_id = row.cells[0].text
    row.cells[-2].paragraphs[0].text = "Toelichting aangepast"
    source = tmp_path / "edited.docx"
    document.save(str(source))
    converted = convert_with_libreoffice([source], tmp_path / "pdf", tmp_path / "profile")
    text = " ".join(w["text"] for page in pdf_pages(converted[source].read_bytes()) for w in page["words"])
    assert "herzien door de redactie" in text and "Toelichting aangepast" in text
    assert first_id in text.split()
