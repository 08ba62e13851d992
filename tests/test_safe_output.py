"""Safe output (issue 5, the parts without notebooks).

(a) Text from the data never becomes markup: hostile titles, explanations and names are
    shown escaped in every section and document and never as a tag, in HTML or in figure SVGs.
(b) Cells a spreadsheet would run as a formula are neutralised in the CSV tables and the
    workbook (OWASP "CSV injection": cells starting with = + - @, tab or carriage return),
    while real (negative) numbers stay numbers.
(c) Parameters that could write outside the output folder, or make no sense, stop
    `nap-analysis run` with exit 2 and a message before anything is written; the notebook
    guard ``Context.open`` refuses them with the project's UsageError.

No notebook is executed here (a full run takes 30 s+ and is covered elsewhere).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import FIXTURES, ROOT

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
BREAKOUT = '"><svg onload=alert(3)>'
COMMENT_BREAKOUT = "--><script>alert(4)</script><!-- verzending"  # also a milestone the chart highlights
HYPERLINK = '=HYPERLINK("http://evil.example/","klik")'

SECTIONS = [
    "progress",
    "flags",
    "motions",
    "funds",
    "milestones",
    "indicators",
    "transitions",
    "projection",
    "bewindspersonen",
]


# ----------------------------------------------------------------------------- hostile data


def _rewrite(path: Path, change) -> None:
    """Edit a ';' separated fixture file row by row (csv module: quoting stays valid)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    fields = list(rows[0])
    for row in rows:
        change(row)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, delimiter=";")
        writer.writeheader()
        writer.writerows(rows)


def _write(path: Path, rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)


def make_hostile(target: Path) -> Path:
    """A copy of tests/fixtures/small with markup and formulas in every free-text field."""
    shutil.copytree(FIXTURES / "small", target)

    def activities(row):
        if row["activity_id"] == "A3":  # stopped in 2025: in kernpunten, flags and tables
            row["title"] = SCRIPT
            if row["report_year"] == "2025":
                row["explanation"] = IMG
        if row["activity_id"] == "A6":  # delayed in 2024, gone in 2025: 'dropped' flag
            row["title"] = BREAKOUT
            row["owner"] = BREAKOUT
        if row["activity_id"] == "A2":
            row["owner"] = BREAKOUT
        if row["activity_id"] == "A7":  # newly delayed in 2025
            row["title"] = HYPERLINK
            row["explanation"] = "-2+3"

    _rewrite(target / "activities.csv", activities)

    def lines(row):
        if row["actielijn"] == "2":
            row["title_nl"] = "<script>alert(5)</script>"
            row["owners"] = BREAKOUT

    _rewrite(target / "actielijnen.csv", lines)

    def milestones(row):
        if row["milestone"] == "MR en verzending":
            row["milestone"] = COMMENT_BREAKOUT

    _rewrite(target / "milestones.csv", milestones)

    def funds(row):
        if row["instrument"] == "Voorjaarsnota 2022":
            row["purpose"] = IMG
            row["instrument"] = "<script>alert(10)</script>"

    _rewrite(target / "funds.csv", funds)

    header = [
        "item_id",
        "report_year",
        "kind",
        "title",
        "member",
        "party",
        "status",
        "status_basis",
        "explanation",
        "source",
    ]
    _write(
        target / "motions.csv",
        [header]
        + [
            row
            for year, status in ((2024, "in_progress"), (2025, "completed"))
            for row in (
                [
                    "M1",
                    year,
                    "motie",
                    "<script>alert(6)</script>",
                    BREAKOUT,
                    IMG,
                    status,
                    "stated",
                    "@SUM(1+1)",
                    "memo",
                ],
                ["M2", year, "toezegging", "Gewone toezegging", "", "", "completed", "inferred", "afgedaan", "memo"],
            )
        ],
    )
    _write(
        target / "indicators.csv",
        [
            ["monitor", "indicator", "group", "year", "percent", "n", "source"],
            ["<script>alert(7)</script>", IMG, BREAKOUT, 2022, 10, 1000, "x"],
            ["<script>alert(7)</script>", IMG, BREAKOUT, 2024, 15, 1000, "x"],
        ],
    )
    return target


def _markup(obj) -> str:
    """What a notebook would put in the page for a displayed object (figures: checked as SVG)."""

    from nap_analysis.briefing.model import Section
    from nap_analysis.briefing.render.html import section_fragment

    if isinstance(obj, Section):
        return section_fragment(obj)
    if isinstance(obj, pd.DataFrame):
        return obj._repr_html_()
    return ""


def render(data_dir: Path, language: str) -> tuple[list, object]:
    """Everything the notebooks display for a data set, and the briefing assembled from it."""
    import notebook_runner

    shown = [
        obj
        for path in sorted(notebook_runner.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
        for obj in notebook_runner.execute(
            path, {"data_dir": str(data_dir), "report_year": 2025, "language": language, "briefing_date": "2026-11-22"}
        )
    ]
    return shown, notebook_runner.briefing(data_dir, 2025, language)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    return make_hostile(tmp_path_factory.mktemp("hostile") / "small")


@pytest.fixture(scope="module")
def rendered_nl(hostile):
    return render(hostile, "nl")


def _own_markup_removed(markup: str) -> str:
    """The project's own markup taken out: its status icons, its figures (a PNG data URI with an
    escaped alt text) and pandas' style block; whatever is left must come from text, escaped."""
    from nap_analysis.briefing import icons

    for code in icons.STATUSES:
        markup = markup.replace(icons.svg(code), "")
    markup = re.sub(r"<style scoped>[^<]*</style>", "", markup)  # pandas' own style for a DataFrame
    return re.sub(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="[^"<>]*" style="[^"<>]*">', "", markup)


# ----------------------------------------------------------------------------- the HTML checker


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.comments: list[str] = []
        self.declarations: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_comment(self, data):
        self.comments.append(data)

    def handle_decl(self, decl):
        self.declarations.append(decl)


DANGEROUS_TAGS = {
    "script",
    "img",
    "svg",
    "iframe",
    "object",
    "embed",
    "style",
    "link",
    "meta",
    "base",
    "form",
    "input",
    "math",
    "video",
    "audio",
    "source",
}


def markup_problems(markup: str) -> list[str]:
    """Everything in an HTML fragment that a hostile data value could have put there."""
    parser = _Collector()
    parser.feed(markup)
    parser.close()
    problems = []
    for tag, attrs in parser.tags:
        if tag in DANGEROUS_TAGS:
            problems.append(f"<{tag}> element {attrs}")
        for name, value in attrs:
            if name.lower().startswith("on"):
                problems.append(f"event handler {name}={value!r} on <{tag}>")
            if value and "javascript:" in value.lower():
                problems.append(f"javascript: URL in {name} on <{tag}>")
    problems += [f"comment <!--{c}-->" for c in parser.comments]
    problems += [f"declaration <!{d}>" for d in parser.declarations]
    if re.search(r"<\s*/?\s*(script|img|svg)\b", markup, re.IGNORECASE):
        problems.append("raw <script>/<img>/<svg> in the text")
    return problems


@pytest.mark.parametrize(
    "payload",
    [SCRIPT, IMG, BREAKOUT, COMMENT_BREAKOUT, '<a href="javascript:alert(1)">x</a>', "<p onclick=alert(1)>x</p>"],
)
def test_checker_catches_unescaped_payloads(payload):
    # The checker below must be able to fail: raw payloads in a table cell are reported ...
    assert markup_problems(f"<table><tr><td>{payload}</td></tr></table>")
    # ... and the escaped form (what the template engine makes of it) is not.
    from markupsafe import escape

    assert markup_problems(f"<table><tr><td>{escape(payload)}</td></tr></table>") == []


# ----------------------------------------------------------------------------- (a) HTML


def test_every_section_rendered(rendered_nl):
    shown, doc = rendered_nl
    from nap_analysis.briefing.model import Section

    keys = [obj.key for obj in shown if isinstance(obj, Section)]
    assert keys == SECTIONS  # motions and indicators are in the hostile copy: no section skipped
    assert [s.key for s in doc.sections] == [
        "kernpunten",
        *SECTIONS[:2],
        "motions",
        "indicators",
        "transitions",
        "projection",
        "funds",
        "milestones",
        "bewindspersonen",
        "verantwoording",
    ]


def _document_html(doc) -> str:
    from nap_analysis.briefing.render.html import document_html

    return document_html(doc)


def test_hostile_text_is_shown_escaped(rendered_nl):
    shown, doc = rendered_nl
    html = "\n".join(_markup(obj) for obj in shown) + _document_html(doc)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # activity title (kernpunten, flags table)
    assert "&lt;img src=x onerror=alert(2)&gt;" in html  # explanation
    assert "&#34;&gt;&lt;svg onload=alert(3)&gt;" in html  # owner of a delayed activity, a motion's member
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in html  # milestone
    assert "&lt;script&gt;alert(7)&lt;/script&gt;" in html  # monitor name (DataFrame in the notebook)
    assert "&lt;script&gt;alert(10)&lt;/script&gt;" in html  # fund instrument
    for raw in (
        SCRIPT,
        IMG,
        BREAKOUT,
        "<script>alert(4)",
        "<script>alert(5)",
        "<script>alert(6)",
        "<script>alert(7)",
        "<script>alert(10)",
    ):
        assert raw not in html


def test_no_markup_from_the_data_in_any_displayed_html(rendered_nl):
    shown, doc = rendered_nl
    checked = 0
    for obj in shown:
        markup = _markup(obj)
        if not markup:
            continue
        assert markup_problems(_own_markup_removed(markup)) == [], markup[:500]
        checked += 1
    assert checked > 15
    body = _document_html(doc).split("<body", 1)[1]  # the head holds the page's own style and meta
    assert markup_problems(_own_markup_removed(body)) == []


def test_displayed_figures_carry_no_script(rendered_nl):
    from nap_analysis.briefing.model import Figure

    shown, _ = rendered_nl
    figures = [obj for obj in shown if isinstance(obj, Figure)]
    assert len(figures) == 7
    for figure in figures:
        data, metadata = figure._repr_mimebundle_()
        assert set(data) == {"image/png", "text/plain"}
        assert "<" not in figure.alt or "&lt;" not in figure.alt  # plain text; the template escapes it


def _svg_problems(raw: str) -> list[str]:
    problems = []
    if re.search(r"<\s*script", raw, re.IGNORECASE):
        problems.append("raw <script")
    root = ET.fromstring(raw)  # well-formed: a '-->' in a label did not break out of a comment
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1].lower()
        if local in {"script", "foreignobject", "iframe"}:
            problems.append(f"<{local}> element")
        for name, value in element.attrib.items():
            if name.rsplit("}", 1)[-1].lower().startswith("on"):
                problems.append(f"event handler {name}")
            if "javascript:" in value.lower():
                problems.append(f"javascript: in {name}")
    return problems


def test_svg_figures_contain_labels_but_no_script(rendered_nl):
    _, doc = rendered_nl
    svgs = {f.name: f.svg.decode("utf-8") for f in doc.figures()}
    assert len(svgs) == 7
    for name, svg in svgs.items():
        assert _svg_problems(svg) == [], name
    # Non-vacuous: the hostile labels were drawn, as escaped text: the milestone and the monitor
    assert "alert(4)" in svgs["planning_en_mijlpalen"] and "&lt;script&gt;alert(4)" in svgs["planning_en_mijlpalen"]
    assert "alert(7)" in svgs["monitorindicatoren"]


def test_svg_checker_can_fail():
    bad = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><g onload="alert(2)"/></svg>'
    assert len(_svg_problems(bad)) == 3


def test_english(hostile):
    shown, doc = render(hostile, "en")
    html = _document_html(doc)
    assert "Key points" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert markup_problems(_own_markup_removed(html.split("<body", 1)[1])) == []
    for obj in shown:
        markup = _markup(obj)
        if markup:
            assert markup_problems(_own_markup_removed(markup)) == [], markup[:500]


# ----------------------------------------------------------------------------- (b) formulas

# OWASP "CSV Injection": a cell starting with =, +, -, @, tab (0x09) or carriage return (0x0D)
# may be interpreted as a formula by a spreadsheet.
RISKY = [
    "=1+1",
    HYPERLINK,
    "=cmd|' /C calc'!A0",
    "+31 6 12345678",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
HARMLESS = ["gewoon", "a=b", "'al geciteerd", "3 - 2", "", "e-mail"]


def _read_csv_cells(raw: bytes) -> list[list[str]]:
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def _formula_table():
    from nap_analysis.briefing.model import Cell, Column, Table

    n = len(RISKY)
    harmless = (HARMLESS * n)[:n]
    columns = [
        Column("text", "Tekst"),
        Column("cell", "Cel"),
        Column("harmless", "Onschuldig"),
        Column("diff_pp", "Verschil", "pp", 1),
        Column("count", "Aantal", "integer"),
        Column("share", "Aandeel", "share"),
    ]
    diffs = [-3.5, -0.25, 1.0, -12.0, 0.0, -100.0, 2.5, -1e-3]
    counts = [-2, None, 3, -7, 0, 1, -1, 5]
    shares = [0.125, 0.5, 1.0, 0.0, None, 0.25, 0.75, 0.333]
    rows = [[RISKY[i], Cell(RISKY[i], badge="fictief"), harmless[i], diffs[i], counts[i], shares[i]] for i in range(n)]
    return Table("formules", "Formules", columns, rows)


def test_csv_neutralises_formula_cells_and_keeps_numbers_as_shown():
    from nap_analysis.briefing.render.spreadsheet import table_csv

    table = _formula_table()
    cells = _read_csv_cells(table_csv(table, "nl"))
    header, body = cells[0], cells[1:]
    assert header == ["Tekst", "Cel", "Onschuldig", "Verschil", "Aantal", "Aandeel"]
    assert len(body) == len(RISKY)
    for i, risky in enumerate(RISKY):
        assert body[i][0] == "'" + risky
        assert body[i][1] == "'" + risky + " (fictief)"  # the badge travels with the text
        assert body[i][2] == table.rows[i][2]  # nothing else is touched
    # Numbers stay numbers: Dutch decimal comma, rounded as the document shows them, sign kept.
    assert [row[3] for row in body] == ["-3,5", "-0,2", "+1,0", "-12,0", "0,0", "-100,0", "+2,5", "-0,0"]
    assert [row[4] for row in body] == ["-2", "", "3", "-7", "0", "1", "-1", "5"]
    assert [row[5] for row in body] == ["13%", "50%", "100%", "0%", "", "25%", "75%", "33%"]  # one convention
    number = re.compile(r"[-+]?\d+(,\d+)?%?")
    for row in body:
        for value in row:
            if value.startswith(("=", "+", "-", "@", "\t", "\r")):
                assert number.fullmatch(value), repr(value)


def test_english_csv_uses_commas_and_points():
    from nap_analysis.briefing.render.spreadsheet import table_csv

    raw = table_csv(_formula_table(), "en")
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert rows[1][3] == "-3.5" and rows[1][5] == "13%"


def test_workbook_has_no_formulas_and_numbers_stay_numbers_with_formats():
    from nap_analysis.briefing.render.spreadsheet import workbook

    book = openpyxl.load_workbook(io.BytesIO(workbook([_formula_table()], "nl", [("Wat", "=1+1")], "Titel")))
    assert book.sheetnames == ["Toelichting", "formules"]
    about = book["Toelichting"]["B3"]
    assert (about.value, about.data_type, about.quotePrefix) == ("=1+1", "s", True)  # text, marked as text
    sheet = book["formules"]
    assert [c.value for c in sheet[1]] == ["Tekst", "Cel", "Onschuldig", "Verschil", "Aantal", "Aandeel"]
    assert all(c.font.bold for c in sheet[1]) and sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    rows = list(sheet.iter_rows(min_row=2))
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                assert cell.quotePrefix, (cell.coordinate, cell.value)
    for i, risky in enumerate(RISKY):
        assert rows[i][0].value == risky and rows[i][0].quotePrefix  # no visible apostrophe
    assert not any(r[2].quotePrefix for r in rows)  # harmless text is not marked
    diffs = [r[3] for r in rows]
    assert [c.value for c in diffs] == [-3.5, -0.25, 1.0, -12.0, 0.0, -100.0, 2.5, -0.001]
    assert all(c.data_type == "n" and c.number_format == "+0.0;-0.0;0.0" for c in diffs)
    assert [r[4].value for r in rows][:4] == [-2, None, 3, -7]
    assert rows[0][5].value == 0.125 and rows[0][5].number_format == "0%"


def test_libreoffice_shows_formula_like_text_as_it_is_and_runs_nothing(tmp_path):
    """What a writer sees: LibreOffice Calc opens the workbook and shows each risky text exactly,
    without an apostrophe and without computing it ('+31 6 12345678' is no sum)."""
    from annex_helpers import soffice

    from nap_analysis.briefing.render.spreadsheet import workbook

    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs libreoffice-calc")
    book = tmp_path / "tabellen.xlsx"
    book.write_bytes(workbook([_formula_table()], "nl", [], "Titel"))
    profile = (tmp_path / "profile").as_uri()
    # every sheet as CSV (tabellen-<sheet>.csv), UTF-8, texts quoted, cells as shown
    options = "44,34,76,1,,0,true,true,false,false,false,-1"
    subprocess.run(
        [soffice(), f"-env:UserInstallation={profile}", "--headless", "--norestore"]
        + ["--convert-to", f"csv:Text - txt - csv (StarCalc):{options}", "--outdir", str(tmp_path), str(book)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with (tmp_path / "tabellen-formules.csv").open(encoding="utf-8", newline="") as handle:
        shown = list(csv.reader(handle))
    assert [row[0] for row in shown[1:]] == RISKY  # not "'=1+1", not 2
    assert [row[2] for row in shown[1:]][:3] == ["gewoon", "a=b", "'al geciteerd"]


def test_workbook_keeps_ids_as_text_and_long_text_whole_or_marked():
    from nap_analysis.briefing.model import Column, Table
    from nap_analysis.briefing.render.spreadsheet import EXCEL_CELL_LIMIT, workbook

    long_text = "x" * (EXCEL_CELL_LIMIT + 10)
    table = Table("ids", "Ids", [Column("id", "Nr."), Column("text", "Tekst")], [["0010", long_text], ["A03", "kort"]])
    sheet = openpyxl.load_workbook(io.BytesIO(workbook([table], "nl", [], "T")))["ids"]
    assert sheet["A2"].value == "0010" and sheet["A2"].data_type == "s"  # an id stays an id, not the number 10
    assert len(sheet["B2"].value) == EXCEL_CELL_LIMIT and sheet["B2"].value.endswith("volledige tekst staat in de CSV)")


def test_briefing_tables_from_hostile_data_are_neutralised(rendered_nl):
    from nap_analysis.briefing.render.spreadsheet import table_csv, workbook

    _, doc = rendered_nl
    tables = {t.name: t for t in doc.tables() if t.name}
    assert {"vertraagd_en_stopgezet", "moties_en_toezeggingen", "mijlpalen", "middelen"} <= set(tables)
    flagged = _read_csv_cells(table_csv(tables["vertraagd_en_stopgezet"], "nl"))
    a7 = [row for row in flagged if row[0] == "A7"]
    assert a7 and "'" + HYPERLINK in a7[0] and "'-2+3" in a7[0]
    book = openpyxl.load_workbook(io.BytesIO(workbook(list(tables.values()), "nl", [], "T")))
    formulas = [
        (ws.title, c.coordinate, c.value)
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]
    assert formulas == []


# ----------------------------------------------------------------------------- (c) parameters


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(root.rglob("*"))}


@pytest.fixture
def no_kernel(monkeypatch):
    """Fail at once should validation ever let a run reach its kernels."""
    import nap_analysis.pipeline.run as run_module

    class Refuse:
        def __init__(self, *args, **kwargs):
            raise AssertionError("kernels started although the parameters are invalid")

    monkeypatch.setattr(run_module, "KernelPool", Refuse)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "../../etc"], "verslagjaar '../../etc' is geen jaartal van vier cijfers"),
        (["--year", "20255"], "verslagjaar '20255' is geen jaartal van vier cijfers"),
        (["--year", "２０２５"], "verslagjaar '２０２５' is geen jaartal van vier cijfers"),  # full-width digits
        (["--lang", "xx"], "'xx'"),
        (["--lang", "../../x"], "'../../x'"),
        (["--year", "2025", "--date", "../x"], "'../x' is geen bestaande datum"),
        (["--year", "2025", "--date", "2025-02-30"], "'2025-02-30' is geen bestaande datum"),
        (["--year", "2025", "--date", "2025-13-01"], "'2025-13-01' is geen bestaande datum"),
        (["--year", "2025", "--date", "0000-01-01"], "'0000-01-01' is geen bestaande datum"),
        (["--year", "2025", "--date", "1999-12-31"], "ligt buiten 2000-01-01"),
    ],
)
def test_run_refuses_bad_parameters_and_writes_nothing(cli, small_copy, tmp_path, no_kernel, args, message):
    out = tmp_path / "uitvoer"
    before = _snapshot(tmp_path)
    result = cli("run", "--data", small_copy, "--out", out, *args)
    assert result.code == 2, (result.out, result.err)
    assert message in result.err
    assert "Traceback" not in result.err + result.out
    assert not out.exists()
    assert _snapshot(tmp_path) == before


def test_run_refuses_out_that_is_a_file(cli, small_copy, tmp_path, no_kernel):
    target = tmp_path / "uitvoer.txt"
    target.write_text("niet overschrijven\n", encoding="utf-8")
    before = _snapshot(tmp_path)
    result = cli("run", "--data", small_copy, "--out", target)
    assert result.code == 2
    assert f"uitvoermap {target} bestaat maar is geen map" in result.err
    assert target.read_text(encoding="utf-8") == "niet overschrijven\n"
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("where", ["inside", "same"])
def test_run_refuses_out_inside_the_data(cli, small_copy, no_kernel, where):
    out = small_copy / "uitvoer" if where == "inside" else small_copy
    before = _snapshot(small_copy)
    result = cli("run", "--data", small_copy, "--out", out)
    assert result.code == 2 and "ligt in de datamap" in result.err
    assert _snapshot(small_copy) == before


def test_run_refuses_out_that_is_a_file_as_a_real_process(small_copy, tmp_path):
    target = tmp_path / "uitvoer.txt"
    target.write_text("x", encoding="utf-8")
    before = _snapshot(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "nap_analysis.cli", "run", "--data", str(small_copy), "--out", str(target)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "bestaat maar is geen map" in proc.stderr and "Traceback" not in proc.stderr
    assert _snapshot(tmp_path) == before


def test_run_refuses_a_year_that_is_not_in_the_data_and_writes_nothing(cli, small_copy, tmp_path):
    out = tmp_path / "uitvoer"
    result = cli("run", "--data", small_copy, "--out", out, "--year", "2019")
    assert result.code == 2 and "verslagjaar 2019 staat niet in activities.csv (wel: 2024, 2025)" in result.err
    assert "Traceback" not in result.err and not out.exists()


@pytest.mark.parametrize("value", ["garbage", "1e9", "99999999999999", "-5"])
def test_a_bad_source_date_epoch_is_refused_before_anything_starts(
    cli, small_copy, tmp_path, no_kernel, monkeypatch, value
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    result = cli("run", "--data", small_copy, "--out", tmp_path / "o")
    assert result.code == 2 and "SOURCE_DATE_EPOCH" in result.err and "Traceback" not in result.err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(("name", "value"), [("NAP_KERNELS", "twee"), ("NAP_KERNELS", "0"), ("NAP_TRANSPORT", "udp")])
def test_a_bad_nap_variable_is_refused(cli, small_copy, tmp_path, no_kernel, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    result = cli("run", "--data", small_copy, "--out", tmp_path / "o")
    assert result.code == 2 and name in result.err and "Traceback" not in result.err


def test_context_open_refuses_bad_language():
    from nap_analysis.briefing import Context
    from nap_analysis.errors import UsageError

    for language in ("../../x", "xx", "nl/../en"):
        with pytest.raises(UsageError, match="wordt niet ondersteund"):
            Context.open(FIXTURES / "small", 2025, language)


def test_context_open_refuses_year_not_in_data():
    from nap_analysis.briefing import Context
    from nap_analysis.errors import UsageError

    for year in (20255, "20255", 2019):
        with pytest.raises(UsageError, match="verslagjaar"):
            Context.open(FIXTURES / "small", year)


@pytest.mark.parametrize("year", ["../x", "2025/../..", "latest/../../etc", " 2025", "２０２５"])
def test_context_open_refuses_path_like_year(year):
    from nap_analysis.briefing import Context
    from nap_analysis.errors import UsageError

    with pytest.raises(UsageError):
        Context.open(FIXTURES / "small", year)
