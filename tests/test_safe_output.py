"""Safe output (issue 5, the parts without notebooks).

(a) Text from the data never becomes markup: hostile titles, explanations and names are
    shown escaped in every Report section and never as a tag, in HTML or in figure SVGs.
(b) Cells a spreadsheet would run as a formula are neutralised in the CSV tables and the
    workbook (OWASP "CSV injection": cells starting with = + - @, tab or carriage return),
    while real (negative) numbers stay numbers.
(c) Parameters that could write outside the output folder, or make no sense, stop
    `nap-analysis run` with exit 2 and a message before anything is written; the notebook
    guard ``Report.open`` refuses them with the project's UsageError.

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

import numpy as np
import openpyxl
import pandas as pd
import pytest

from conftest import FIXTURES, ROOT

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
BREAKOUT = '"><svg onload=alert(3)>'
COMMENT_BREAKOUT = "--><script>alert(4)</script><!-- verzending"  # also a milestone the chart highlights
HYPERLINK = '=HYPERLINK("http://evil.example/","klik")'

SECTIONS = ["kernpunten", "provenance", "progress_section", "flags_section", "motions_section",
            "funds_section", "milestones_section", "indicators_section", "transitions_section",
            "projection_section"]


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

    header = ["item_id", "report_year", "kind", "title", "member", "party", "status", "status_basis",
              "explanation", "source"]
    _write(target / "motions.csv", [header] + [
        row for year, status in ((2024, "in_progress"), (2025, "completed")) for row in (
            ["M1", year, "motie", "<script>alert(6)</script>", BREAKOUT, IMG, status, "stated", "@SUM(1+1)", "memo"],
            ["M2", year, "toezegging", "Gewone toezegging", "", "", "completed", "inferred", "afgedaan", "memo"],
        )
    ])
    _write(target / "indicators.csv", [
        ["monitor", "indicator", "group", "year", "percent", "n", "source"],
        ["<script>alert(7)</script>", IMG, BREAKOUT, 2022, 10, 1000, "x"],
        ["<script>alert(7)</script>", IMG, BREAKOUT, 2024, 15, 1000, "x"],
    ])
    return target


def _markup(obj) -> str:
    """What a notebook would put in the page for a displayed object."""
    for method in ("_repr_html_", "_repr_svg_"):
        if hasattr(obj, method):
            text = getattr(obj, method)()
            if text:
                return text if isinstance(text, str) else text[0]
    if isinstance(obj, str):
        return obj
    return ""  # a PNG image carries no markup; its metadata is checked separately


def render(data_dir: Path, language: str, output_dir: Path | None, sections=SECTIONS) -> list:
    """Call Report sections in-process and collect everything they display."""
    import IPython.display

    import nap_analysis.report as report_module

    shown: list = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report_module, "_display", shown.append)
        mp.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
        report = report_module.Report.open(data_dir, 2025, language, output_dir)
        for name in sections:
            getattr(report, name)()
    return shown


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    return make_hostile(tmp_path_factory.mktemp("hostile") / "small")


@pytest.fixture(scope="module")
def rendered_nl(hostile, tmp_path_factory):
    out = tmp_path_factory.mktemp("briefing")
    shown = render(hostile, "nl", out)
    return shown, out


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


DANGEROUS_TAGS = {"script", "img", "svg", "iframe", "object", "embed", "style", "link", "meta", "base", "form",
                  "input", "math", "video", "audio", "source"}


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


@pytest.mark.parametrize("payload", [SCRIPT, IMG, BREAKOUT, COMMENT_BREAKOUT,
                                     '<a href="javascript:alert(1)">x</a>', "<p onclick=alert(1)>x</p>"])
def test_checker_catches_unescaped_payloads(payload):
    # The checker below must be able to fail: raw payloads in a table cell are reported ...
    assert markup_problems(f"<table><tr><td>{payload}</td></tr></table>")
    # ... and the escaped form (what report.esc makes of it) is not.
    from nap_analysis.report import esc

    assert markup_problems(f"<table><tr><td>{esc(payload)}</td></tr></table>") == []


# ----------------------------------------------------------------------------- (a) HTML


def test_every_section_rendered(rendered_nl):
    shown, out = rendered_nl
    html = "\n".join(_markup(obj) for obj in shown)
    # motions and indicators are in the hostile copy, so their sections were not skipped
    assert "Moties en toezeggingen" in html and "Monitorindicatoren" in html
    assert "ontbreekt in de data" not in html
    assert len(shown) > 20


def test_hostile_text_is_shown_escaped(rendered_nl):
    shown, _ = rendered_nl
    html = "\n".join(_markup(obj) for obj in shown)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # activity title (kernpunten, flags table)
    assert "&lt;img src=x onerror=alert(2)&gt;" in html  # explanation
    assert "&gt;&lt;svg onload=alert(3)&gt;" in html  # dropped activity's title, motion member
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in html  # milestone
    assert "&lt;script&gt;alert(6)&lt;/script&gt;" in html  # motion title
    for raw in (SCRIPT, IMG, BREAKOUT, "<script>alert(4)", "<script>alert(5)", "<script>alert(6)",
                "<script>alert(7)", "<script>alert(10)"):
        assert raw not in html


def test_no_markup_from_the_data_in_any_displayed_html(rendered_nl):
    shown, _ = rendered_nl
    checked = 0
    for obj in shown:
        markup = _markup(obj)
        if not markup or markup.lstrip().startswith(("<?xml", "<svg")):
            continue  # figures: checked as SVG below
        assert markup_problems(markup) == [], markup[:500]
        checked += 1
    assert checked > 15


def test_displayed_figures_carry_no_script(rendered_nl):
    shown, _ = rendered_nl
    for obj in shown:
        metadata = getattr(obj, "metadata", None) or {}
        assert "<" not in str(metadata) and "alert" not in str(metadata), metadata
        markup = _markup(obj)
        if markup.lstrip().startswith(("<?xml", "<svg")):
            assert not re.search(r"<\s*script", markup, re.IGNORECASE)
            assert not re.search(r"\son\w+\s*=", markup)


def _svg_problems(path: Path) -> list[str]:
    raw = path.read_text(encoding="utf-8")
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


def test_saved_svg_figures_contain_labels_but_no_script(rendered_nl):
    _, out = rendered_nl
    svgs = sorted((out / "figures").glob("*.svg"))
    assert len(svgs) >= 5
    for svg in svgs:
        assert _svg_problems(svg) == [], svg.name
    # Non-vacuous: the hostile labels were drawn (matplotlib keeps the text, escaped, next to
    # the glyph paths): the highlighted milestone and the indicator monitor title.
    assert "alert(4)" in (out / "figures" / "planning_en_mijlpalen.svg").read_text(encoding="utf-8")
    assert "alert(7)" in (out / "figures" / "monitorindicatoren.svg").read_text(encoding="utf-8")


def test_svg_checker_can_fail(tmp_path):
    bad = tmp_path / "bad.svg"
    bad.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
                   '<g onload="alert(2)"/></svg>', encoding="utf-8")
    assert len(_svg_problems(bad)) == 3


def test_english_and_without_output_folder(hostile):
    # The briefing notebook opens the report without an output folder and may be in English.
    shown = render(hostile, "en", None, ["kernpunten", "flags_section", "motions_section"])
    html = "\n".join(_markup(obj) for obj in shown)
    assert "Key points" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(6)&lt;/script&gt;" in html
    for obj in shown:
        markup = _markup(obj)
        if markup and not markup.lstrip().startswith(("<?xml", "<svg")):
            assert markup_problems(markup) == [], markup[:500]


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


def _read_csv_cells(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def _formula_frame() -> pd.DataFrame:
    n = len(RISKY)
    harmless = (HARMLESS * n)[:n]
    return pd.DataFrame({
        "text": pd.Series(RISKY, dtype="object"),
        "string": pd.array(RISKY, dtype="string"),
        "category": pd.Categorical(RISKY),
        "harmless": pd.Series(harmless, dtype="object"),
        "diff_pp": pd.Series([-3.5, -0.25, 1.0, -12.0, 0.0, -100.0, 2.5, -1e-3], dtype="float64"),
        "count": pd.array([-2, None, 3, -7, 0, 1, -1, 5], dtype="Int64"),
        "int": pd.Series([-1, -2, -3, 4, 5, 6, 7, -8], dtype="int64"),
    })


def test_save_table_neutralises_formula_cells_in_csv(tmp_path):
    from nap_analysis.tables import save_table

    frame = _formula_frame()
    path = save_table(frame, "formules", tmp_path)
    cells = _read_csv_cells(path)
    header, body = cells[0], cells[1:]
    assert header == list(frame.columns)
    assert len(body) == len(RISKY)
    col = {name: i for i, name in enumerate(header)}
    for i, risky in enumerate(RISKY):
        for name in ("text", "string", "category"):
            assert body[i][col[name]] == "'" + risky, (name, body[i][col[name]])
        assert body[i][col["harmless"]] == frame.loc[i, "harmless"]  # nothing else is touched
    # Numbers stay numbers: Dutch decimal comma, no apostrophe, sign kept.
    assert [row[col["diff_pp"]] for row in body] == ["-3,5", "-0,25", "1,0", "-12,0", "0,0", "-100,0", "2,5", "-0,001"]
    assert [row[col["count"]] for row in body] == ["-2", "", "3", "-7", "0", "1", "-1", "5"]
    assert [row[col["int"]] for row in body] == ["-1", "-2", "-3", "4", "5", "6", "7", "-8"]
    # No field at all starts like a formula unless it is a plain number.
    number = re.compile(r"-?\d+(,\d+)?")
    for row in body:
        for value in row:
            if value.startswith(("=", "+", "-", "@", "\t", "\r")):
                assert number.fullmatch(value), repr(value)


def test_workbook_has_no_formulas_and_numbers_stay_numbers(tmp_path):
    from nap_analysis.tables import save_table, write_workbook

    csv_path = save_table(_formula_frame(), "formules", tmp_path)
    book_path = write_workbook([csv_path], tmp_path / "tabellen.xlsx")
    sheet = openpyxl.load_workbook(book_path)["formules"]
    header = [c.value for c in sheet[1]]
    col = {name: i for i, name in enumerate(header)}
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(RISKY)
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), (cell.coordinate, cell.value)
    for i, risky in enumerate(RISKY):
        for name in ("text", "string", "category"):
            # XML normalises a carriage return in cell text to a line feed; still text, still neutral
            assert rows[i][col[name]].value == "'" + risky.replace("\r", "\n")
    diffs = [rows[i][col["diff_pp"]] for i in range(len(RISKY))]
    assert [c.value for c in diffs] == [-3.5, -0.25, 1.0, -12.0, 0.0, -100.0, 2.5, -0.001]
    assert all(c.data_type == "n" for c in diffs)
    assert [rows[i][col["int"]].value for i in range(len(RISKY))] == [-1, -2, -3, 4, 5, 6, 7, -8]
    count = [rows[i][col["count"]].value for i in range(len(RISKY))]
    assert count[0] == -2 and count[1] is None and count[3] == -7


def test_numbers_in_a_text_column_are_not_turned_into_text(tmp_path):
    # An object column can hold real numbers (e.g. after a merge with missing values); a
    # number is never a formula and must not get an apostrophe, while text in the same
    # column is still neutralised.
    from nap_analysis.tables import save_table, write_workbook

    frame = pd.DataFrame({
        "numbers": pd.Series([-3.5, None, 2.0], dtype="object"),
        "mixed": pd.Series([-4, "=1+1", np.int64(-5)], dtype="object"),
    })
    cells = _read_csv_cells(save_table(frame, "gemengd", tmp_path))
    assert [row[0] for row in cells[1:]] == ["-3,5", "", "2,0"]
    assert [row[1] for row in cells[1:]] == ["-4", "'=1+1", "-5"]
    sheet = openpyxl.load_workbook(write_workbook([tmp_path / "gemengd.csv"], tmp_path / "t.xlsx"))["gemengd"]
    assert [c.value for c in sheet["A"][1:]] == [-3.5, None, 2.0]
    assert [c.value for c in sheet["B"][1:]] == ["-4", "'=1+1", "-5"]  # a text column, as in the CSV
    assert all(c.data_type != "f" for c in sheet["B"])


def test_briefing_tables_from_hostile_data_are_neutralised(rendered_nl, tmp_path):
    from nap_analysis.tables import write_workbook

    _, out = rendered_nl
    tables = sorted((out / "tables").glob("*.csv"))
    assert {"signalen.csv", "moties_en_toezeggingen.csv", "mijlpalen.csv"} <= {p.name for p in tables}
    signals = _read_csv_cells(out / "tables" / "signalen.csv")
    a7 = [row for row in signals if row[0] == "A7"]
    assert a7 and all("'" + HYPERLINK in row and "'-2+3" in row for row in a7)
    motions = _read_csv_cells(out / "tables" / "moties_en_toezeggingen.csv")
    assert any("'@SUM(1+1)" in row for row in motions)
    book = openpyxl.load_workbook(write_workbook(tables, tmp_path / "tabellen.xlsx"))
    formulas = [(ws.title, c.coordinate, c.value) for ws in book.worksheets for row in ws.iter_rows()
                for c in row if c.data_type == "f"]
    assert formulas == []
    # the milestone slip (a real negative number of days) is still a number
    slips = book["mijlpalen"]
    col = [c.value for c in slips[1]].index("slip_days")
    assert -1 in [row[col].value for row in slips.iter_rows(min_row=2)]


# ----------------------------------------------------------------------------- (c) parameters


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(root.rglob("*"))}


@pytest.fixture
def no_kernel(monkeypatch):
    """Fail at once (instead of after 30 s) should validation ever let a run through."""
    import nap_analysis.run as run_module

    def refuse(*args, **kwargs):
        raise AssertionError("a notebook run started although the parameters are invalid")

    monkeypatch.setattr(run_module, "_execute", refuse)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "../../etc"], "invalid int value: '../../etc'"),
        (["--year", "20255"], "verslagjaar '20255' is geen jaartal van vier cijfers"),
        (["--year", "2019"], "verslagjaar 2019 staat niet in de data"),
        (["--lang", "xx"], "invalid choice: 'xx'"),
        (["--lang", "../../x"], "invalid choice: '../../x'"),
        (["--year", "2025", "--date", "../x"], "datum '../x' is geen JJJJ-MM-DD"),
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


def test_run_refuses_out_that_is_a_file_as_a_real_process(small_copy, tmp_path):
    target = tmp_path / "uitvoer.txt"
    target.write_text("x", encoding="utf-8")
    before = _snapshot(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "nap_analysis.cli", "run", "--data", str(small_copy), "--out", str(target)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "bestaat maar is geen map" in proc.stderr and "Traceback" not in proc.stderr
    assert _snapshot(tmp_path) == before


def test_report_open_refuses_bad_language():
    from nap_analysis.errors import UsageError
    from nap_analysis.report import Report

    for language in ("../../x", "xx", "nl/../en"):
        with pytest.raises(UsageError, match="wordt niet ondersteund"):
            Report.open(FIXTURES / "small", 2025, language)


def test_report_open_refuses_year_not_in_data():
    from nap_analysis.errors import UsageError
    from nap_analysis.report import Report

    for year in (20255, "20255", 2019):
        with pytest.raises(UsageError, match="staat niet in de data"):
            Report.open(FIXTURES / "small", year)


@pytest.mark.parametrize("year", ["../x", "2025/../..", "latest/../../etc"])
def test_report_open_refuses_path_like_year(year):
    from nap_analysis.errors import UsageError
    from nap_analysis.report import Report

    with pytest.raises(UsageError):
        Report.open(FIXTURES / "small", year)
