"""One section model, rendered: the HTML page, its PDF print, the nbconvert exporters, the words."""

from __future__ import annotations

import builtins
import io
import os
import re
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BUNDLED, section_texts

from nap_analysis.briefing.model import (
    BulletList,
    Cell,
    Column,
    Document,
    Figure,
    KeyPoint,
    Paragraph,
    Section,
    Span,
    Table,
    from_json,
    to_json,
)


def _document(language: str = "nl") -> Document:
    table = Table(
        "t",
        "Tabel: voorbeeld",
        [
            Column("a", "Activiteit", width=3),
            Column("n", "Aantal", "integer"),
            Column("s", "Aandeel", "share"),
            Column("e", "Bedrag", "euro"),
            Column("st", "Status", "status"),
        ],
        [
            ["Eerste", 1200, 0.125, 2_549_000, Cell("wordt invulling gegeven aan", icon="completed")],
            [Cell("Verzonnen", badge="fictief"), 3, 0.5, 800_000, Cell("vertraagd", icon="delayed")],
        ],
    )
    section = Section(
        "s",
        "Sectie",
        [
            Paragraph.of("Tekst met ", Span("Nederlands", lang="nl"), " erin."),
            BulletList([Paragraph.of("punt")]),
            table,
        ],
        language=language,
        key_points=[KeyPoint(1, Paragraph.of("kern"))],
    )
    return Document(
        "briefing",
        language,
        "Titel",
        "Ondertitel",
        [section],
        meta=[("Datum", "1 december 2026")],
        warning=Paragraph.of("Let op", style="warning"),
        kicker="Concept",
        footer="NAP",
        date="2026-12-01",
    )


def test_sections_survive_the_json_round_trip_that_carries_them_out_of_a_notebook():
    doc = _document()
    doc.sections[0].blocks.append(Figure("f", "Figuur", "Alt", b"\x89PNG fake", b"<svg/>"))
    back = from_json(to_json(doc))
    assert back == doc


def test_a_section_from_another_model_version_is_refused():
    data = to_json(_document().sections[0])
    data["model_version"] = 999
    with pytest.raises(ValueError, match="another version"):
        from_json(data)


def test_html_formats_cells_by_kind_in_the_document_language():
    from nap_analysis.briefing.render.html import document_html

    html = document_html(_document())
    assert '<html lang="nl">' in html and "1.200" in html and "13%" in html and "€\u00a02.549.000" in html
    assert '<caption id="s-t3-caption">Tabel: voorbeeld</caption>' in html
    assert '<th scope="col"' in html and '<th scope="row"' in html
    assert 'class="nap-badge"' in html and ">fictief<" in html and 'class="nap-icon"' in html
    english = document_html(_document("en"))
    assert '<html lang="en">' in english and "1,200" in english and "€2,549,000" in english
    assert '<span lang="nl">Nederlands</span>' in english  # a Dutch passage inside an English page is marked


def test_a_subsection_shown_in_a_notebook_is_in_the_html_and_the_word_file(tmp_path):
    """A notebook builds SectionViews; their subsections must render like plain Sections."""
    from docx import Document as Word

    from nap_analysis.briefing.display import SectionView
    from nap_analysis.briefing.render.docx import document_docx
    from nap_analysis.briefing.render.html import document_html, section_fragment

    outer = SectionView("outer", "Buiten", [Paragraph.of("voor")], language="nl")
    outer.add(SectionView("inner", "Binnen", [Paragraph.of("tekst van de subsectie")], level=3, language="nl"))
    doc = _document()
    doc.sections.append(outer)
    for html in (document_html(doc), section_fragment(outer)):
        assert ">Binnen</h3>" in html and "tekst van de subsectie" in html
    path = tmp_path / "d.docx"
    path.write_bytes(document_docx(doc))
    assert "tekst van de subsectie" in [p.text for p in Word(path).paragraphs]


def test_pdf_is_a4_with_page_numbers_embedded_fonts_and_the_same_bytes_twice():
    from pypdf import PdfReader

    from nap_analysis.briefing.render.html import document_html
    from nap_analysis.briefing.render.pdf import html_to_pdf

    doc = _document()
    doc.sections[0].blocks += [Paragraph.of("Bedrag € 2.050.000 – ‘wordt invulling gegeven aan’ – ë")] * 120
    html = document_html(doc)
    first, second = html_to_pdf(html), html_to_pdf(html)
    assert first == second
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


def test_a_pdf_is_the_same_whatever_the_process_printed_before_and_leaves_no_fonts_behind(tmp_path):
    """The process shares one font configuration: a page printed first and after other documents
    (other texts, bold and italic faces, a table) has the same bytes, and the configuration's
    temporary copy of the fonts is gone when the process ends."""
    script = """
import sys
from nap_analysis.briefing.render.pdf import html_to_pdf
page = '<html lang="nl"><head><title>T</title></head><body><p>Voortgang € 1.250 – ‘ë’</p></body></html>'
other = ('<html lang="en"><head><title>O</title></head><body><h1>Other</h1><p><b>bold</b> <i>italic</i></p>'
         '<table><tr><th>a</th><td>1 234,5</td></tr></table></body></html>')
first = html_to_pdf(page)
html_to_pdf(other)
html_to_pdf(other, tagged=False)
sys.stdout.write('same' if html_to_pdf(page) == first else 'differs')
"""
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "same"
    assert not list(temp.glob("weasyprint-*")), "the process left its copy of the fonts behind"


def test_missing_pango_gives_a_message_saying_what_to_install_on_every_platform(monkeypatch):
    from nap_analysis.briefing.render.pdf import html_to_pdf
    from nap_analysis.errors import ExportError

    real_import = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_pango)
    with pytest.raises(ExportError) as caught:
        html_to_pdf("<p>x</p>")
    for line in (
        "apt-get install libpango-1.0-0 libpangoft2-1.0-0",
        "dnf install pango",
        "brew install pango",
        "pacman -S mingw-w64-ucrt-x86_64-pango",
        "WEASYPRINT_DLL_DIRECTORIES=C:\\msys64\\ucrt64\\bin",
    ):
        assert line in caught.value.text("nl") and line in caught.value.text("en")


def test_jupyter_nbconvert_to_nap_pdf_nap_html_and_nap_docx_on_an_executed_notebook(built, tmp_path):
    notebook = tmp_path / "01_voortgang_per_actielijn.ipynb"
    shutil.copy(built.out_dir / "notebooks" / notebook.name, notebook)
    jupyter = Path(sys.executable).parent / "jupyter"
    for to in ("nap_html", "nap_pdf", "nap_docx"):
        done = subprocess.run(
            [str(jupyter), "nbconvert", "--to", to, str(notebook)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
    html = (tmp_path / "01_voortgang_per_actielijn.html").read_text(encoding="utf-8")
    assert "Voortgang per actielijn" in html and "Context.open" not in html and "import" not in html
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "01_voortgang_per_actielijn.pdf").pages)
    assert "Van de 28 activiteiten" in text and "pagina 1 van" in text
    import docx

    word = docx.Document(str(tmp_path / "01_voortgang_per_actielijn.docx"))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert "Voortgang per actielijn" in headings  # a built-in heading style, as in the briefing
    assert any("Van de 28 activiteiten" in p.text for p in word.paragraphs)
    assert not any("import" in p.text for p in word.paragraphs)


# --------------------------------------------------------------------------- the words


def _placeholders(text) -> set[str]:
    if not isinstance(text, str):
        return set()
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_each_word_stands_in_one_file_of_its_language():
    """The documents' words and the commands' messages are two files of one catalogue: a key in
    both would be one of them silently lost."""
    from nap_analysis.words import en, en_commands, nl, nl_commands

    assert set(nl.WORDS) & set(nl_commands.WORDS) == set()
    assert set(en.WORDS) & set(en_commands.WORDS) == set()
    assert set(nl.WORDS) == set(en.WORDS) and set(nl_commands.WORDS) == set(en_commands.WORDS)


def test_both_catalogues_have_the_same_keys_and_placeholders():
    from nap_analysis.words import CATALOGUES

    nl, en = CATALOGUES["nl"], CATALOGUES["en"]

    assert set(nl) == set(en), set(nl) ^ set(en)
    different = {
        k: (_placeholders(nl[k]), _placeholders(en[k])) for k in nl if _placeholders(nl[k]) != _placeholders(en[k])
    }
    assert different == {}
    assert len(nl["months"]) == len(en["months"]) == 12


def test_every_key_the_code_asks_for_exists():
    """Keys written out in the code (w("key"), w["key"]) are all in the catalogue."""
    from nap_analysis.words import CATALOGUES

    nl = CATALOGUES["nl"]
    root = Path(__file__).resolve().parent.parent / "nap_analysis"
    pattern = re.compile(r"""(?:\bw|\.w|words\([a-z_.]+\))(?:\(|\[)\s*["']([a-z_]+\.[a-z_.]+)["']""")
    asked = {key for path in root.rglob("*.py") for key in pattern.findall(path.read_text(encoding="utf-8"))}
    assert len(asked) > 100
    assert sorted(k for k in asked if k not in nl) == []


def test_one_formatter_rounds_half_up_everywhere():
    from nap_analysis.briefing.format import Format

    nl, en = Format("nl"), Format("en")
    assert nl.percent(0.125) == "13%" and en.percent(0.125) == "13%" and nl.percent(0.125, 1) == "12,5%"
    assert nl.number(1234567.5, 1) == "1.234.567,5" and en.number(1234567.5, 1) == "1,234,567.5"
    assert nl.number(-2.25, 1) == "\u22122,3" and nl.points(1.8) == "+1,8 procentpunt"
    assert nl.date("2026-12-01") == "1 december 2026" and en.date("2026-12-01") == "1 December 2026"
    assert nl.month("2022-12-01") == "december 2022" and nl.period(2023, 2025) == "2023 t/m 2025"
    assert nl.euro(10_958_500) == "€\u00a010.958.500" and en.euro(10_958_500) == "€10,958,500"
    assert nl.p_value(0.0004) == "< 0,001"


# --------------------------------------------------------------------------- the briefing's words


def _kernpunten(doc) -> list[str]:
    return [p.text for p in doc.sections[0].blocks[1].items]


METHOD_NAMES = (
    "chi-kwadraat",
    "chi-square",
    "monte",
    "permutatie",
    "permutation",
    "benjamini",
    "hochberg",
    "jeffreys",
    "beta(",
    "posterior",
    "seed",
    "startgetal",
    "q <",
    "p =",
    "p-waarde",
    "p-value",
)


@pytest.mark.parametrize("fixture", ["briefing_nl", "briefing_en"])
def test_kernpunten_have_no_method_names_iso_dates_or_paths(fixture, request):
    doc = request.getfixturevalue(fixture)
    for point in _kernpunten(doc):
        lowered = point.lower()
        assert not [m for m in METHOD_NAMES if m in lowered], point
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", point), point
        assert "/work/" not in point and "/tmp/" not in point, point
        if doc.language == "nl":
            assert not re.search(r"\d\.\d", point.replace("13-03-2025", "")) or re.search(r"\d\.\d{3}", point), point


def test_dutch_kernpunten_say_what_the_memos_say(briefing_nl):
    points = _kernpunten(briefing_nl)
    assert points[0] == (
        "Van de 28 activiteiten in de voortgangsrapportage 2025 zijn er 6 afgerond, 19 in uitvoering, "
        "2 vertraagd en 1 stopgezet."
    )
    stopped = next(p for p in points if p.startswith("Eén activiteit is stopgezet"))
    assert "Rijksbrede norm" in stopped and "subsidievoorwaarden" in stopped
    # both delayed activities (A21, A27) are made up: no key point says they are delayed
    assert not [p for p in points if "vertraagd:" in p or "zijn vertraagd" in p or "A27" in p or "A21" in p]
    on_course = next(p for p in points if "op koers" in p.lower())
    # what the memo says: lines 1-4 on course; line 5 is off course only through the made-up A27
    assert on_course.startswith("Op koers liggen actielijnen 1 tot en met 4. Maatstaf:") and "25%" in on_course
    since = next(p for p in points if p.startswith("Sinds de rapportage van 2024"))
    assert "4 afgerond" in since and "2 gestart" in since  # good news too
    assert "nieuw vertraagd" not in since and "geen tegenvallers bij activiteiten van het NAP zelf" in since
    projection = next(p for p in points if "tempo" in p)
    assert "van de 27 niet-stopgezette activiteiten" in projection  # the share names its base
    assert "31 december 2026" in projection


def _section_text(doc, key: str) -> str:
    """The running text of a section and its subsections (paragraphs and bullets)."""
    return " ".join(section_texts(next(s for s in doc.sections if s.key == key)))


def test_a_verdict_on_made_up_rows_only_stands_in_its_section_with_its_footing(briefing_nl, briefing_en):
    """The kernpunt leaves it out; the section says it, and what the line is without the made-up rows."""
    progress = _section_text(briefing_nl, "progress")
    assert (
        "actielijn 5 ligt alleen door de fictieve activiteit A27 niet op koers: daar is 1 van de 3 lopende "
        "activiteiten vertraagd (33%); zonder fictieve activiteiten is daar 0 van de 1 lopende activiteit "
        "vertraagd (0%) en ligt actielijn 5 op koers"
    ) in progress
    flags = _section_text(briefing_nl, "flags")
    assert "2 activiteiten zijn vertraagd: A21 en A27." in flags
    assert "Alleen op fictieve activiteiten rust: 1 nieuw vertraagd (A21)" in flags
    # 2024: the one delayed activity (A27) is made up, so is line 5's verdict
    points = _kernpunten(briefing_en)
    assert not [p for p in points if "delayed (action line" in p or "A27" in p]
    assert next(p for p in points if "on course" in p.lower()).startswith("On course: action lines 1 to 4. Yardstick")
    assert "not on course only because of the made-up activity A27" in _section_text(briefing_en, "progress")


def test_the_change_table_says_how_each_change_is_known_in_the_years_words(briefing_nl):
    table = next(t for t in briefing_nl.tables() if t.name == "veranderingen_sinds_vorig_jaar")
    names = [c.label for c in table.columns]
    assert names[-2:] == ["Verandering", "Herkomst status"]  # the delays table's column and words
    rows = {row[0]: row for row in table.values()}
    # the change word is the status column's word of 2025, never 'afgerond' beside 'wordt invulling gegeven aan'
    assert rows["A09"][4] == rows["A09"][5] == "wordt invulling gegeven aan"
    assert rows["A21"][5] == "nieuw vertraagd" and rows["A01"][5] == "gestart"
    assert rows["A07"][6] == "2024 illustratief, 2025 afgeleid" and rows["A10"][6] == "vastgesteld"
    assert rows["A24"][6] == "illustratief"


def test_a_change_table_of_stated_rows_has_no_provenance_column(tmp_path):
    """Every row stated and none made up (a real year's data): no column, as the annexes."""
    from nap_analysis.analysis.progress import status_changes
    from nap_analysis.briefing.sections.context import Context
    from nap_analysis.briefing.sections.delays import changes_subsection
    from nap_analysis.data import load

    data = tmp_path / "data"
    shutil.copytree(BUNDLED, data)
    acts = (data / "activities.csv").read_text(encoding="utf-8")
    acts = re.sub(r",(inferred|illustrative),", ",stated,", acts).replace(",made_up,", ",nap,")
    (data / "activities.csv").write_text(acts, encoding="utf-8")
    ctx = Context(load(data), 2025, "nl")
    table = changes_subsection(ctx, status_changes(ctx.programme.activities, 2025, 2024)).tables()[0]
    assert [c.label for c in table.columns][-1] == "Verandering"


def test_the_outlook_says_what_its_pace_is_fitted_on(briefing_nl, briefing_en):
    projection = next(p for p in _kernpunten(briefing_nl) if "tempo" in p)
    assert projection.endswith(
        "Het tempo rust op 4 afrondingen onder 25 lopende activiteiten; "
        "van die 4: 1 fictief, 2 illustratief en 1 afgeleid."
    )
    assert (
        "Het tempo is geschat op 25 activiteiten die in een rapportage liepen en in de volgende terugkwamen "
        "(5 fictief, 16 illustratief en 4 afgeleid); 4 daarvan waren toen afgerond "
        "(1 fictief, 2 illustratief en 1 afgeleid: A24, A07, A25 en A09)."
    ) in _section_text(briefing_nl, "projection")
    # 2024 has one report: no outlook, and no date that promises one in its heading or caption
    outlook = next(s for s in briefing_en.sections if s.key == "projection")
    caption = next(f for f in briefing_en.figures() if f.name == "projectie_afgerond").caption
    assert "December" not in outlook.heading and "December" not in caption, (outlook.heading, caption)


def test_the_relabel_is_quoted_as_the_memo_says_and_the_advice_is_in_the_briefing(briefing_nl):
    progress = _section_text(briefing_nl, "progress")
    assert "‘wordt invulling gegeven aan’ in plaats van ‘afgedaan’" in progress  # memo of 13 March 2025
    assert "heet de status ‘afgerond’" not in progress
    advice = next(p for p in _kernpunten(briefing_nl) if "heroverwegen" in p)
    assert advice.startswith("Het icoon voor afgerond heet dit jaar ‘wordt invulling gegeven aan’ in plaats van")
    assert "Dat leest als in uitvoering" in advice


def test_english_briefing_has_no_dutch_sentence_outside_marked_passages(briefing_en):
    """Dutch text from the data (titles, explanations) is marked lang='nl'; everything else is English."""
    dutch_words = re.compile(r"\b(de|het|een|van|zijn|wordt|niet|activiteiten|verslagjaar|en)\b")
    for block in briefing_en.walk():
        paragraphs = [block] if isinstance(block, Paragraph) else block.items if isinstance(block, BulletList) else []
        for paragraph in paragraphs:
            english = " ".join(s.text for s in paragraph.spans if s.lang != "nl")
            assert not dutch_words.search(english), english
    assert _kernpunten(briefing_en)[0].startswith("The 2024 progress report lists 28 activities: ")


def test_every_figure_has_a_data_alt_text_in_the_documents_language(briefing_nl, briefing_en):
    for doc in (briefing_nl, briefing_en):
        for figure in doc.figures():
            assert figure.alt and figure.alt != figure.name.replace("_", " ")
            assert re.search(r"\d", figure.alt), figure.alt  # it carries the chart's main numbers
    progress = next(f for f in briefing_nl.figures() if f.name == "voortgang_per_actielijn")
    assert "actielijn 1" in progress.alt and "wordt invulling gegeven aan" in progress.alt
    assert next(f for f in briefing_en.figures() if f.name == "voortgang_per_actielijn").alt.startswith("Stacked bars")


def test_the_planning_lead_names_the_phases_it_shows(briefing_nl, briefing_en):
    """The 2024 lead said 'and of the second progress report', a report it did not yet know of."""
    leads = {doc.language: _section_text(doc, "milestones") for doc in (briefing_nl, briefing_en)}
    assert "(Tweede voortgangsrapportage (2024–2025))" in leads["nl"] and "Opstellen NAP" not in leads["nl"]
    assert "(Drawing up the NAP (2022–2023))" in leads["en"] and "second progress report" not in leads["en"]


def test_milestone_slips_are_worded_as_a_reader_says_them(briefing_nl, briefing_en):
    """'−1 dag' (not '−1 dagen'), 'zelfde maand' for a month-precise date in its planned month
    (not 'ca. +0 mnd'). The 2025 planning (its own cycle) has the second case, the 2024 planning (the
    drafting of the NAP) the first; the wording itself is checked for both languages."""
    from nap_analysis.briefing.sections.planning import slip_text
    from nap_analysis.words import words

    for language, one, same in (("nl", "−1 dag", "zelfde maand"), ("en", "−1 day", "same month")):
        assert slip_text(words(language), -1, None, False) == one
        assert slip_text(words(language), None, 0, True) == same
    shown = {}
    for doc in (briefing_nl, briefing_en):
        table = next(s for s in doc.sections if s.key == "milestones").tables()[0]
        slips = [row[-1] for row in table.values()]
        shown[doc.language] = slips
        assert not [s for s in slips if re.fullmatch(r"[−+]1 (dagen|days)|(ca\.|c\.) [−+]0 .*", s)], slips
    assert "zelfde maand" in shown["nl"] and "−1 day" in shown["en"], shown


def test_funds_section_shows_the_seeds_figures(briefing_nl):
    funds = next(s for s in briefing_nl.sections if s.key == "funds")
    text = " ".join(b.text for b in funds.blocks if isinstance(b, Paragraph))
    assert "€\u00a010.958.500" in text and "3 delen" in text
    table = funds.tables()[0]
    rows = {(r[0], r[1], round(r[4] or 0)) for r in table.values()}
    assert {
        ("OCW", "Voorjaarsnota 2022", 4_670_000),
        ("OCW", "Voorjaarsnota 2022", 2_050_000),
        ("OCW", "Voorjaarsnota 2022", 4_238_500),
        ("OCW", "Ontwerpbegroting 2023", 2_549_000),
    } <= rows
    ob = next(r for r in table.values() if r[1] == "Ontwerpbegroting 2023")
    assert ob[3] == "2023 t/m 2025" and ob[5] == "per jaar" and ob[6] == "vrijgemaakt"
    szw = next(r for r in table.values() if r[0] == "SZW")
    assert szw[6] == "gereserveerd (besluit volgt)"
    assert {r[0] for r in table.values() if r[6] == "geen extra middelen"} == {"JenV", "VWS"}


def test_a_made_up_activity_is_marked_beside_its_title_in_every_table(briefing_nl):
    from nap_analysis.briefing.render.spreadsheet import table_csv

    marked = 0
    for table in briefing_nl.tables():
        for row in table.rows:
            for cell in row:
                if isinstance(cell, Cell) and cell.value in (
                    "Modelklachtenregeling seksueel grensoverschrijdend gedrag voor kleine werkgevers",
                ):
                    assert cell.badge == "fictief"
                    marked += 1
        if table.name:
            assert "(fictief)" in table_csv(table, "nl").decode("utf-8-sig") or not any(
                isinstance(c, Cell) and c.badge for r in table.rows for c in r
            )
    assert marked >= 2  # the delayed list and the changes table


def test_english_briefing_gives_our_english_for_milestones_funds_and_beside_dutch_titles(briefing_en):
    """What is ours is in English and said to be ours; a Dutch title stays Dutch, with our gloss."""
    milestones = next(s for s in briefing_en.sections if s.key == "milestones").tables()[0]
    names = [row[0] for row in milestones.values()]
    assert "Exploratory session with the field" in names and "Verkenningssessie veld" not in names
    funds = next(s for s in briefing_en.sections if s.key == "funds").tables()[0]
    purposes = [row[2] for row in funds.values()]
    assert "Extra programme costs 2022" in purposes and not [p for p in purposes if "middelen" in p]
    for table in (milestones, funds):
        assert "our translation" in " ".join(n.text for n in table.notes)
    footnotes = " ".join(n.text for n in funds.notes)
    assert "the source writes '600.00' for the research" in footnotes and "bronnen verschillen" not in footnotes
    flags = _section_text(briefing_en, "flags")
    assert (
        "‘Eén landelijk informatie- en verwijspunt voor hulp na seksueel grensoverschrijdend gedrag en seksueel "
        "geweld’ (our translation: One national information and referral point for help after sexual misconduct"
    ) in flags
    delayed = next(t for t in briefing_en.tables() if t.name == "vertraagd_en_stopgezet")
    assert "A27: One national information and referral point" in " ".join(n.text for n in delayed.notes)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_counts_of_one_read_right_in_both_languages(language):
    from nap_analysis.words import words

    w = words(language)
    said = [
        w("kp.indicators", pairs=5, tested=4, sig=1),
        w("kp.made_up_some", n=1, ids="A24"),
        w("kp.changes_made_up", n=1, ids="A24"),
        w("cli.basis_note", n=28, year=2025, illustrative=1, inferred=1, stated=1),
        w("nota.kp.relabel", word="x", meaning="afgerond", reads="in uitvoering", n=1, before=""),
    ]
    wrong = re.compile(r"\b1 (\w+ ){0,3}(are|zijn|were|toelichtingen|explanations|differences|verschillen)\b|er 1\b")
    assert [s for s in said if wrong.search(s)] == []
