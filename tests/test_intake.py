"""The yearly intake: template -> filled in by a ministry -> collect -> load and run.

The workbooks are filled in with openpyxl as a ministry's spreadsheet program would save them:
Dutch status words, rows left empty, a new activity, and (on purpose) values the drop-down
lists would have refused, which a pasted cell gets past.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from conftest import BUNDLED, ROOT
from openpyxl import load_workbook

YEAR = 2026
PREVIOUS = 2025
ACTIVITY_WORDS = ["afgerond", "in uitvoering", "vertraagd", "stopgezet", "niet gestart"]
WORD_CODE = {
    "afgerond": "completed",
    "in uitvoering": "in_progress",
    "vertraagd": "delayed",
    "stopgezet": "stopped",
    "niet gestart": "not_started",
    "alternatieve invulling": "alternative",
}


def bundled_rows(table: str, year: int = PREVIOUS) -> pd.DataFrame:
    """The bundled CSV read as plain text, independent of the loader."""
    frame = pd.read_csv(BUNDLED / f"{table}.csv", dtype=str, keep_default_na=False)
    return frame[frame["report_year"] == str(year)]


def owned_by(owner: str) -> list[str]:
    rows = bundled_rows("activities")
    return [i for i, o in zip(rows["activity_id"], rows["owner"]) if owner in [p.strip() for p in o.split(";")]]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def header(sheet) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[1] if cell.value}


def prefilled(sheet, id_column: str) -> dict[str, int]:
    """id -> row of the rows the template filled in from last year."""
    at = header(sheet)[id_column]
    return {sheet.cell(r, at).value: r for r in range(2, sheet.max_row + 1) if sheet.cell(r, at).value}


def fill(
    source: Path,
    target: Path,
    activities: dict[str, tuple],
    motions: dict[str, tuple] | None = None,
    new: list[dict] | None = None,
    edit=None,
) -> None:
    """Fill a template as a ministry would: id -> (status word, basis, explanation); ids not named
    stay empty. ``new`` rows go below the prefilled ones; ``edit(book)`` may change anything."""
    book = load_workbook(source)
    for name, id_column, values in (("activities", "activity_id", activities), ("motions", "item_id", motions or {})):
        sheet = book[name]
        at = header(sheet)
        rows = prefilled(sheet, id_column)
        for item_id, (status, basis, explanation) in values.items():
            sheet.cell(rows[item_id], at["status"]).value = status
            sheet.cell(rows[item_id], at["status_basis"]).value = basis
            sheet.cell(rows[item_id], at["explanation"]).value = explanation
        if name == "activities":
            for i, row in enumerate(new or [], start=max(rows.values()) + 1):
                for column, value in row.items():
                    sheet.cell(i, at[column]).value = value
    if edit:
        edit(book)
    book.save(target)


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    """The OCW and SZW workbooks for 2026 from the bundled data, written through the command line."""
    from nap_analysis.cli import main

    folder = tmp_path_factory.mktemp("templates")
    for owner in ("OCW", "SZW"):
        code = main(
            [
                "template",
                "--year",
                str(YEAR),
                "--owner",
                owner,
                "--out",
                str(folder / f"{owner}.xlsx"),
                "--due",
                "2025-11-28",
            ]
        )
        assert code == 0
    return folder


def new_activity(**changes) -> dict:
    row = {
        "activity_id": "OCW-2026-01",
        "report_year": YEAR,
        "actielijn": 2,
        "title": "Voorlichting over de nieuwe zedenwet",
        "owner": "OCW",
        "origin": "nap",
        "status": "niet gestart",
        "status_basis": "stated",
        "explanation": "Start in 2026.",
    }
    row.update(changes)
    return row


# --------------------------------------------------------------------------- the template


def test_template_holds_the_owners_rows_of_last_year_with_the_contract_columns(templates):
    from nap_analysis.data import contract

    book = load_workbook(templates / "OCW.xlsx")
    assert book.sheetnames == ["toelichting", "activities", "motions", "keuzelijsten"]
    sheet = book["activities"]
    rows = prefilled(sheet, "activity_id")
    assert list(rows) == owned_by("OCW") and len(rows) == 16  # 'OCW; SZW' and 'OCW; JenV' included
    columns = set(header(sheet))
    assert {c.name for c in contract.ACTIVITIES.columns} <= columns
    assert columns - {c.name for c in contract.ACTIVITIES.columns} == {"note", "status_2025", "explanation_2025"}
    at = header(sheet)
    last_year = bundled_rows("activities").set_index("activity_id")
    for item_id, row in rows.items():
        assert sheet.cell(row, at["report_year"]).value == YEAR
        assert sheet.cell(row, at["title"]).value == last_year.loc[item_id, "title"]
        assert sheet.cell(row, at["status"]).value is None and sheet.cell(row, at["explanation"]).value is None
        assert WORD_CODE[sheet.cell(row, at["status_2025"]).value] == last_year.loc[item_id, "status"]
        assert sheet.cell(row, at["explanation_2025"]).value == (last_year.loc[item_id, "explanation"] or None)
    motions = prefilled(book["motions"], "item_id")
    assert list(motions) == list(bundled_rows("motions")["item_id"])  # motions have no owner: all of them
    about = [c.value for row in book["toelichting"].iter_rows() for c in row if isinstance(c.value, str)]
    assert "28 november 2025" in about and "OCW" in about
    assert any("status, status_basis en explanation" in text for text in about)


def _listed(book, rule) -> list:
    """The values a list validation offers: its range on the lists sheet, read back."""
    match = re.fullmatch(r"'?([^'!]+)'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", rule.formula1)
    assert match, rule.formula1
    sheet, column, first, _, last = match.groups()
    return [book[sheet][f"{column}{r}"].value for r in range(int(first), int(last) + 1)]


def _rules(book, sheet_name: str) -> dict[str, object]:
    """column name -> the data validation covering that column's cells from row 2."""
    sheet = book[sheet_name]
    names = {cell.column_letter: cell.value for cell in sheet[1]}
    found = {}
    for rule in sheet.data_validations.dataValidation:
        for cells in rule.sqref.ranges:
            assert cells.min_row == 2 and cells.min_col == cells.max_col
            found[names[cells.coord.split(":")[0].rstrip("0123456789")]] = (rule, cells.max_row)
    return found


def test_drop_down_lists_hold_the_years_status_words(templates):
    book = load_workbook(templates / "OCW.xlsx")
    activities = _rules(book, "activities")
    rule, last_row = activities["status"]
    assert rule.type == "list" and rule.showErrorMessage
    assert _listed(book, rule) == ACTIVITY_WORDS
    assert last_row >= book["activities"].max_row > len(owned_by("OCW")) + 1  # empty rows for new activities too
    assert _listed(book, activities["actielijn"][0]) == [1, 2, 3, 4, 5]
    assert _listed(book, activities["status_basis"][0]) == ["stated", "inferred", "illustrative"]
    assert activities["report_year"][0].type == "whole" and activities["report_year"][0].formula1 == str(YEAR)
    motions = _rules(book, "motions")
    assert _listed(book, motions["status"][0]) == ACTIVITY_WORDS + ["alternatieve invulling"]
    assert _listed(book, motions["kind"][0]) == ["motie", "toezegging"]


def test_status_words_are_the_years_labels_when_the_loader_reads_them(tmp_path, bundled):
    """2025 relabelled completed 'wordt invulling gegeven aan', which the loader does not read as
    a status: the drop-down offers 'afgerond' instead. A label it does read is offered as is."""
    from nap_analysis.data import load
    from nap_analysis.intake import template_bytes

    content, _ = template_bytes(bundled, 2025)
    book = load_workbook(io.BytesIO(content))
    assert _listed(book, _rules(book, "activities")["status"][0]) == ACTIVITY_WORDS
    data = tmp_path / "data"
    shutil.copytree(BUNDLED, data)
    with open(data / "status_labels.csv", "a", encoding="utf-8") as labels:
        labels.write(f"{YEAR},nl,in_progress,lopend\n{YEAR},nl,completed,wordt invulling gegeven aan\n")
    content, _ = template_bytes(load(data), YEAR)
    book = load_workbook(io.BytesIO(content))
    assert _listed(book, _rules(book, "activities")["status"][0]) == [
        "afgerond",
        "lopend",
        "vertraagd",
        "stopgezet",
        "niet gestart",
    ]


def test_only_the_columns_to_fill_in_are_unlocked(templates):
    book = load_workbook(templates / "OCW.xlsx")
    sheet = book["activities"]
    assert sheet.protection.sheet and not sheet.protection.password
    at = header(sheet)
    row = prefilled(sheet, "activity_id")["A01"]
    unlocked = {name for name, column in at.items() if not sheet.cell(row, column).protection.locked}
    assert unlocked == {
        "status",
        "status_basis",
        "explanation",
        "source",
        "note",
        "internal_note",
        "changed_by",
        "change_reason",
    }
    assert all(sheet.cell(1, column).protection.locked for column in at.values())
    new_row = max(prefilled(sheet, "activity_id").values()) + 1
    unlocked_new = {name for name, column in at.items() if not sheet.cell(new_row, column).protection.locked}
    assert unlocked_new == set(at) - {"status_2025", "explanation_2025"}
    assert all(book[name].protection.sheet for name in book.sheetnames)


def test_template_bytes_are_reproducible(templates, bundled, tmp_path):
    from nap_analysis.briefing.render.spreadsheet import FIXED_TIME
    from nap_analysis.intake import write_template

    again = write_template(bundled, YEAR, tmp_path / "again.xlsx", ["OCW"], "2025-11-28").path
    assert again.read_bytes() == (templates / "OCW.xlsx").read_bytes()
    with zipfile.ZipFile(again) as archive:
        assert {info.date_time for info in archive.infolist()} == {FIXED_TIME}
        assert b"1980-01-01T00:00:00Z" in archive.read("docProps/core.xml")


def test_a_filled_template_is_read_by_the_loader_as_it_is(templates, tmp_path):
    """No conversion: the workbook in a folder beside actielijnen.csv (and bewindspersonen.csv, whose
    codes the carried column bewindspersoon uses) is a data directory."""
    from nap_analysis.data import load

    ids = owned_by("SZW")
    folder = tmp_path / "as_is"
    folder.mkdir()
    shutil.copy(BUNDLED / "actielijnen.csv", folder)
    shutil.copy(BUNDLED / "bewindspersonen.csv", folder)
    motions = dict.fromkeys(bundled_rows("motions")["item_id"], ("alternatieve invulling", "stated", ""))
    fill(templates / "SZW.xlsx", folder / "SZW.xlsx", dict.fromkeys(ids, ("Vertraagd", "stated", "Later.")), motions)
    programme = load(folder)
    assert programme.activities["status"].astype(str).tolist() == ["delayed"] * len(ids)
    assert set(programme.motions["status"].astype(str)) == {"alternative"}
    assert programme.report_years == [YEAR]


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice not installed (apt-get install libreoffice-calc)"
)
def test_libreoffice_converts_the_template_without_error(templates, tmp_path):
    profile = tmp_path / "profile"  # a private profile: other LibreOffice instances on the machine are left alone
    proc = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(templates / "OCW.xlsx"),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=180,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    # soffice exits 0 also when it cannot load a file (no Calc installed): the PDF must be there
    assert "Error" not in output, f"{output} (is libreoffice-calc installed?)"
    pdf = tmp_path / "OCW.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Voortgangsrapportage NAP 2026" in text and "A01" in text and "in uitvoering" in text


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice not installed (apt-get install libreoffice-calc)"
)
def test_a_workbook_saved_again_by_libreoffice_collects_the_same(templates, tmp_path, cli):
    """A ministry that works in LibreOffice returns a workbook LibreOffice wrote, not openpyxl."""
    motions = {bundled_rows("motions")["item_id"].iloc[0]: ("afgerond", "stated", "")}
    values = {i: ("vertraagd", "stated", f"Toelichting {i}") for i in owned_by("SZW")}
    fill(templates / "SZW.xlsx", tmp_path / "SZW.xlsx", values, motions, [new_activity(owner="SZW")])
    saved = tmp_path / "libreoffice"
    proc = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(saved),
            str(tmp_path / "SZW.xlsx"),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0 and (saved / "SZW.xlsx").is_file(), proc.stdout + proc.stderr
    assert (saved / "SZW.xlsx").read_bytes() != (tmp_path / "SZW.xlsx").read_bytes()
    # both versions together: the same values, so no conflict
    result = cli("collect", saved / "SZW.xlsx", tmp_path / "SZW.xlsx", "--year", YEAR, "--out", tmp_path / "out")
    assert result.code == 0, result.err
    assert f"Activiteiten: {len(values) + 1} ingevuld (vertraagd {len(values)}, niet gestart 1)" in result.out


# --------------------------------------------------------------------------- collect


def test_round_trip_template_fill_collect_load_and_run(templates, tmp_path, cli):
    """The issue's Done-when: fill the OCW and SZW workbooks, collect, load, run 2026; the
    counts everywhere are the counts filled in."""
    from nap_analysis.data import load

    ocw, szw = owned_by("OCW"), owned_by("SZW")
    shared = sorted(set(ocw) & set(szw))  # 'OCW; SZW' activities are in both workbooks
    assert shared == ["A02", "A06"]
    ocw_only, szw_only = [i for i in ocw if i not in shared], [i for i in szw if i not in shared]
    left_empty = {ocw_only[2], ocw_only[6]}  # two OCW rows nobody fills in
    filled_ocw = {}
    for n, item_id in enumerate(i for i in ocw if i not in left_empty):
        filled_ocw[item_id] = (ACTIVITY_WORDS[n % 4], "stated", f"Stand {YEAR} van {item_id}.")
    # SZW fills the shared rows with the very same values (no conflict) and leaves one of its own empty
    filled_szw = {i: filled_ocw[i] for i in shared}
    filled_szw.update(dict.fromkeys(szw_only[1:], ("in uitvoering", "inferred", "Loopt door.")))
    szw_empty = {szw_only[0]}
    motions = bundled_rows("motions")["item_id"].tolist()
    filled_motions = {
        motions[0]: ("afgerond", "stated", "Afgedaan."),
        motions[1]: ("alternatieve invulling", "stated", ""),
    }
    fill(templates / "OCW.xlsx", tmp_path / "OCW.xlsx", filled_ocw, filled_motions, [new_activity()])
    fill(templates / "SZW.xlsx", tmp_path / "SZW.xlsx", filled_szw, {motions[2]: ("in uitvoering", "stated", "Loopt.")})
    inputs = {p: digest(p) for p in (tmp_path / "OCW.xlsx", tmp_path / "SZW.xlsx")}

    out = tmp_path / "data2026"
    result = cli("collect", tmp_path / "OCW.xlsx", tmp_path / "SZW.xlsx", "--year", YEAR, "--out", out)
    assert result.code == 0, result.err
    assert {p: digest(p) for p in inputs} == inputs

    expected = Counter(WORD_CODE[s] for s, _, _ in {**filled_ocw, **filled_szw}.values())
    expected["not_started"] += 1  # the new activity
    programme = load(out)
    year_rows = programme.activities[programme.activities["report_year"] == YEAR]
    assert year_rows["status"].astype(str).value_counts().to_dict() == dict(expected)
    assert len(year_rows) == len(set(filled_ocw) | set(filled_szw)) + 1
    motion_rows = programme.motions[programme.motions["report_year"] == YEAR]
    assert motion_rows["status"].astype(str).value_counts().to_dict() == {
        "completed": 1,
        "alternative": 1,
        "in_progress": 1,
    }
    for table in ("activities", "motions"):  # the earlier years are the bundled rows, value for value
        frame = pd.read_csv(out / f"{table}.csv", dtype=str, keep_default_na=False)
        original = pd.read_csv(BUNDLED / f"{table}.csv", dtype=str, keep_default_na=False)
        assert frame[frame["report_year"] != str(YEAR)][original.columns].equals(original)
    for table in ("actielijnen", "funds", "milestones", "indicators", "settings", "status_labels"):
        assert (out / f"{table}.csv").read_bytes() == (BUNDLED / f"{table}.csv").read_bytes()

    report = result.out
    n_filled = len(ocw) - len(left_empty) + 1 + len(szw_only) - len(szw_empty)
    assert n_filled == 19 and sum(expected.values()) == n_filled
    assert f"Activiteiten: {n_filled} ingevuld" in report
    assert "1 nieuw, 3 leeg gelaten" in report
    assert re.search(rf"- OCW-2026-01 \(\S*OCW.xlsx:activities, rij {len(ocw) + 2}\): Voorlichting", report)
    for item_id in left_empty | szw_empty:
        assert re.search(rf"- {item_id} \(\S*:activities, rij \d+\)", report.split("Leeg gelaten")[1])
    nowhere = sorted(set(bundled_rows("activities")["activity_id"]) - set(ocw) - set(szw))
    assert (
        re.findall(r"^- (A\d+): .*\(eigenaar", report.split("in geen enkele werkmap, dus niet in")[1], re.MULTILINE)
        == nowhere
    )
    assert f"status in uitvoering → {ACTIVITY_WORDS[0]}" in report

    run_out = tmp_path / "outputs"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "nap_analysis.cli",
            "run",
            "--year",
            str(YEAR),
            "--data",
            str(out),
            "--out",
            str(run_out),
            "--date",
            "2026-03-01",
        ],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    built = run_out / str(YEAR)
    # the only run of a year filled in from workbooks (a new activity, rows left empty, a motion
    # without explanation): every document in every format
    for stem in ("briefing", "bijlage-1-activiteiten", "bijlage-2-moties-en-toezeggingen", "kamerbrief"):
        assert all((built / f"{stem}.{kind}").is_file() for kind in ("html", "pdf", "docx")), stem
    progress = pd.read_csv(built / "tables" / "voortgang_per_actielijn.csv", sep=";", encoding="utf-8-sig", dtype=str)
    total = progress[progress["Actielijn"] == "Totaal"].iloc[0]
    for word in ACTIVITY_WORDS:
        assert int(total[word]) == expected[WORD_CODE[word]], word
    assert int(total["Totaal"]) == sum(expected.values())
    motions_table = pd.read_csv(
        built / "tables" / "moties_en_toezeggingen.csv", sep=";", encoding="utf-8-sig", dtype=str
    )
    assert int(motions_table[motions_table["Soort"] == "Totaal"]["Totaal"].iloc[0]) == 3


def test_conflicting_workbooks_exit_2_name_both_files_and_rows_and_write_nothing(templates, tmp_path, cli):
    ocw = owned_by("OCW")
    everything = dict.fromkeys(ocw, ("in uitvoering", "stated", "Loopt."))
    motions = {bundled_rows("motions")["item_id"].iloc[0]: ("afgerond", "stated", "")}
    fill(templates / "OCW.xlsx", tmp_path / "OCW.xlsx", everything, motions)
    # SZW says something else about A02 ('OCW; SZW')
    fill(templates / "SZW.xlsx", tmp_path / "SZW.xlsx", {"A02": ("vertraagd", "stated", "Later dan gepland.")})
    inputs = {p: digest(p) for p in (tmp_path / "OCW.xlsx", tmp_path / "SZW.xlsx")}
    out = tmp_path / "merged"
    result = cli("collect", tmp_path / "OCW.xlsx", tmp_path / "SZW.xlsx", "--year", YEAR, "--out", out)
    assert result.code == 2
    row_ocw = ocw.index("A02") + 2
    row_szw = owned_by("SZW").index("A02") + 2
    assert (
        f"OCW.xlsx:activities, rij {row_ocw}: A02 staat ook in {tmp_path / 'SZW.xlsx'}:activities, rij {row_szw}, "
        f"met andere waarden (status, explanation)"
    ) in result.err
    assert "Tegenstrijdig: 1 rij(en)" in result.err and "Traceback" not in result.err
    assert not out.exists() and not list(tmp_path.glob(".merged*"))
    assert {p: digest(p) for p in inputs} == inputs


def test_bad_values_are_located_by_workbook_sheet_row_and_column(templates, tmp_path, cli):
    """Values the drop-downs would refuse, as a pasted cell or another program gets them in."""
    ocw = owned_by("OCW")
    values = dict.fromkeys(ocw, ("in uitvoering", "stated", ""))
    values[ocw[2]] = ("vertraagt", "stated", "")
    values[ocw[4]] = ("afgerond", "vastgesteld", "")

    def edit(book):
        sheet = book["activities"]
        at = header(sheet)
        sheet.cell(ocw.index(ocw[5]) + 2, at["report_year"]).value = PREVIOUS

    fill(
        templates / "OCW.xlsx",
        tmp_path / "OCW.xlsx",
        values,
        {},
        [new_activity(activity_id="OCW-2026-02", status=None)],
        edit,
    )
    # a second workbook whose only fault is an action line that does not exist
    szw = owned_by("SZW")
    fill(
        templates / "SZW.xlsx",
        tmp_path / "SZW.xlsx",
        dict.fromkeys(szw, ("vertraagd", "stated", "")),
        {},
        [new_activity(activity_id="SZW-2026-01", owner="SZW", actielijn=7)],
    )
    result = cli("collect", tmp_path / "OCW.xlsx", tmp_path / "SZW.xlsx", "--year", YEAR, "--out", tmp_path / "out")
    assert result.code == 2, result.out
    where = f"{tmp_path / 'OCW.xlsx'}:activities, rij"
    assert f"{where} 4, kolom 'status': onbekende status 'vertraagt'; bedoelt u 'vertraagd'?" in result.err
    assert f"{where} 6, kolom 'status_basis': 'vastgesteld' is geen toegestane waarde" in result.err
    assert (
        f"{where} 7, kolom 'report_year': verslagjaar {PREVIOUS} in een werkmap die voor {YEAR} wordt ingelezen"
        in result.err
    )
    assert f"{where} {len(ocw) + 2}, kolom 'status': lege cel; dit veld is verplicht" in result.err
    assert (
        f"{tmp_path / 'SZW.xlsx'}:activities, rij {len(szw) + 2}, kolom 'actielijn': actielijn 7 bestaat niet"
        in result.err
    )
    assert not (tmp_path / "out").exists()


def test_collect_json_lists_what_came_back_and_where_each_problem_stands(templates, tmp_path, cli):
    """CI reads collect as JSON: the filled rows per table on success; on refusal each problem with
    its workbook, sheet, row and column apart (the text says 'OCW.xlsx:activities, rij 4')."""
    import json

    from jsonschema import Draft202012Validator

    from nap_analysis.pipeline.machine import SCHEMAS

    ocw = owned_by("OCW")
    fill(
        templates / "OCW.xlsx",
        tmp_path / "OCW.xlsx",
        dict.fromkeys(ocw, ("in uitvoering", "stated", "")),
        _first_motion(),
    )
    result = cli("collect", tmp_path / "OCW.xlsx", "--year", YEAR, "--out", tmp_path / "out", "--json")
    obj = json.loads(result.out)
    assert list(Draft202012Validator(SCHEMAS["collect"]).iter_errors(obj)) == [], result.err
    assert result.code == 0 and obj["year"] == YEAR and obj["previous"] == PREVIOUS
    assert obj["counts"]["activities"]["filled"] == len(ocw)
    statuses = obj["counts"]["activities"]["statuses"]
    assert statuses["in_progress"] == len(ocw) and sum(statuses.values()) == len(ocw)

    bad = dict.fromkeys(ocw, ("in uitvoering", "stated", ""))
    bad[ocw[2]] = ("vertraagt", "stated", "")
    fill(templates / "OCW.xlsx", tmp_path / "bad.xlsx", bad, _first_motion())
    result = cli("collect", tmp_path / "bad.xlsx", "--year", YEAR, "--out", tmp_path / "out2", "--json")
    obj = json.loads(result.out)
    assert list(Draft202012Validator(SCHEMAS["error"]).iter_errors(obj)) == []
    [problem] = obj["error"]["problems"]
    assert result.code == 2 and not (tmp_path / "out2").exists()
    assert (problem["file"], problem["sheet"], problem["row"], problem["column"]) == (
        str(tmp_path / "bad.xlsx"),
        "activities",
        4,
        "status",
    )


def test_a_workbook_with_only_motions_filled_in_merges(templates, tmp_path, cli):
    from nap_analysis.data import load

    motions = bundled_rows("motions")["item_id"].tolist()
    fill(templates / "OCW.xlsx", tmp_path / "OCW.xlsx", dict.fromkeys(owned_by("OCW"), ("afgerond", "stated", "")))
    fill(templates / "SZW.xlsx", tmp_path / "SZW.xlsx", {}, dict.fromkeys(motions, ("in uitvoering", "stated", "")))
    result = cli(
        "collect",
        tmp_path / "OCW.xlsx",
        tmp_path / "SZW.xlsx",
        "--year",
        YEAR,
        "--out",
        tmp_path / "out",
        "--lang",
        "en",
    )
    assert result.code == 0, result.err
    assert "Motions and commitments: 9 filled in (in progress 9)" in result.out
    programme = load(tmp_path / "out")
    assert (programme.activities["report_year"] == YEAR).sum() == len(owned_by("OCW"))
    assert (programme.motions["report_year"] == YEAR).sum() == len(motions)


def test_no_motion_filled_in_is_a_problem_not_a_broken_data_folder(templates, tmp_path, cli):
    fill(templates / "OCW.xlsx", tmp_path / "OCW.xlsx", dict.fromkeys(owned_by("OCW"), ("afgerond", "stated", "")))
    result = cli("collect", tmp_path / "OCW.xlsx", "--year", YEAR, "--out", tmp_path / "out")
    assert result.code == 2
    assert "in geen van de werkmappen is een motie of toezegging ingevuld" in result.err
    assert not (tmp_path / "out").exists()


def test_collect_refuses_what_it_cannot_use(templates, tmp_path, cli):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("x")
    (tmp_path / "notes.xlsx").write_text("not a workbook")
    cases = [
        (("collect", templates / "OCW.xlsx", "--year", YEAR, "--out", tmp_path / "full"), "bestaat al en is niet leeg"),
        (("collect", templates / "OCW.xlsx", "--year", YEAR, "--out", BUNDLED / "new"), "ligt in de datamap"),
        (("collect", templates / "OCW.xlsx", "--year", "26", "--out", tmp_path / "o"), "geen jaartal van vier cijfers"),
        (
            ("collect", tmp_path / "missing.xlsx", tmp_path / "notes.xlsx", "--year", YEAR, "--out", tmp_path / "o"),
            "missing.xlsx: werkmap bestaat niet",
        ),
        (
            ("template", "--year", YEAR, "--owner", "OCW; BZK", "--out", tmp_path / "t.xlsx"),
            "eigenaar 'BZK' komt niet voor bij de activiteiten (wel: JenV, OCW, RC, SZW, VWS)",
        ),
        (("template", "--year", YEAR, "--out", tmp_path / "t.csv"), "moet eindigen op .xlsx"),
        (("template", "--year", YEAR, "--out", BUNDLED / "t.xlsx"), "ligt in de datamap"),
        (("template", "--year", YEAR, "--due", "2025-02-30", "--out", tmp_path / "t.xlsx"), "geen bestaande datum"),
    ]
    for args, message in cases:
        result = cli(*args)
        assert result.code == 2 and message in result.err and "Traceback" not in result.err, (args, result.err)
    assert "notes.xlsx: werkmap niet te openen" in cli(*cases[3][0]).err
    assert (tmp_path / "full" / "keep.txt").read_text() == "x"
    assert not (BUNDLED / "new").exists() and not (BUNDLED / "t.xlsx").exists()


def test_intake_words_exist_in_both_languages_with_the_same_placeholders():
    from nap_analysis.words import CATALOGUES

    nl, en = CATALOGUES["nl"], CATALOGUES["en"]

    prefixes = (
        "intake.",
        "cli.help.intake",
        "cli.help.owner",
        "cli.help.template",
        "cli.help.due",
        "cli.help.workbooks",
        "cli.help.collect",
    )
    commands = ("cli.cmd.template", "cli.cmd.collect", "cli.template_done", "cli.collect_done")
    ours = [k for k in nl if k.startswith(prefixes) or k in commands]
    assert len(ours) > 90
    fields = re.compile(r"\{(\w*)\}")
    for key in ours:
        assert key in en, key
        assert sorted(fields.findall(nl[key])) == sorted(fields.findall(en[key])), key


# --------------------------------------------------------------------------- collect reads as validate does


def _all_filled(ids, word="in uitvoering"):
    return dict.fromkeys(ids, (word, "stated", "Loopt."))


def _first_motion():
    return {bundled_rows("motions")["item_id"].iloc[0]: ("afgerond", "stated", "")}


def _status_letter(path) -> str:
    """The column letter of 'status' in a template's activities sheet (it moves when columns are added)."""
    import openpyxl

    sheet = openpyxl.load_workbook(path)["activities"]
    return sheet.cell(1, header(sheet)["status"]).column_letter


def test_a_formula_without_a_stored_value_is_refused_not_read_as_left_empty(templates, tmp_path, cli):
    """openpyxl (any program, not Excel) writes a formula without its result: validate refuses
    the cell, and so does collect; before, the row counted as left empty and was dropped."""
    ocw = owned_by("OCW")
    values = _all_filled(ocw)
    del values[ocw[3]]

    def edit(book):
        sheet = book["activities"]
        sheet.cell(
            prefilled(sheet, "activity_id")[ocw[3]], header(sheet)["status"]
        ).value = '=IF(1=1,"afgerond","vertraagd")'

    fill(templates / "OCW.xlsx", tmp_path / "OCW.xlsx", values, _first_motion(), edit=edit)
    result = cli("collect", tmp_path / "OCW.xlsx", "--year", YEAR, "--out", tmp_path / "out")
    assert result.code == 2, result.out
    letter = _status_letter(templates / "OCW.xlsx")
    assert f"OCW.xlsx:activities, rij 5, kolom 'status': cel {letter}5 heeft een formule" in result.err, result.err
    assert f"- {ocw[3]} (" not in result.err.split("Leeg gelaten")[1] and not (tmp_path / "out").exists()


def test_a_renamed_table_sheet_is_refused_naming_it(templates, tmp_path, cli):
    def edit(book):
        book["activities"].title = "Activiteiten"

    fill(templates / "OCW.xlsx", tmp_path / "OCW.xlsx", _all_filled(owned_by("OCW")), _first_motion(), edit=edit)
    result = cli("collect", tmp_path / "OCW.xlsx", "--year", YEAR, "--out", tmp_path / "out")
    assert result.code == 2
    assert (
        "OCW.xlsx: blad 'activities' ontbreekt (bladen: toelichting, Activiteiten, motions, keuzelijsten); "
        "staat de tabel op 'Activiteiten'?"
    ) in result.err
    assert "1 probleem" in result.err and "in geen van de werkmappen" not in result.err  # the cause, not its echo
    assert "Traceback" not in result.err and not (tmp_path / "out").exists()


def test_a_hidden_table_sheet_is_refused_and_an_extra_sheet_is_named(templates, tmp_path, cli):
    def hide(book):
        book["motions"].sheet_state = "hidden"

    def extra(book):
        book.create_sheet("Blad1")["A1"] = "aantekeningen van de afdeling"
        book.create_sheet("oud").sheet_state = "hidden"

    fill(templates / "OCW.xlsx", tmp_path / "OCW.xlsx", _all_filled(owned_by("OCW")), _first_motion(), edit=hide)
    result = cli("collect", tmp_path / "OCW.xlsx", "--year", YEAR, "--out", tmp_path / "out")
    assert result.code == 2
    assert "OCW.xlsx: blad 'motions' met de tabel motions is verborgen" in result.err
    fill(templates / "OCW.xlsx", tmp_path / "OCW2.xlsx", _all_filled(owned_by("OCW")), _first_motion(), edit=extra)
    result = cli("collect", tmp_path / "OCW2.xlsx", "--year", YEAR, "--out", tmp_path / "out")
    assert result.code == 0, result.err
    assert "Niet gelezen bladen (2):" in result.out
    assert f"- {tmp_path / 'OCW2.xlsx'}:oud (verborgen)" in result.out
    assert f"- {tmp_path / 'OCW2.xlsx'}:Blad1 (geen blad van de aanlevering" in result.out


def test_every_problem_of_every_workbook_in_one_pass(templates, tmp_path, cli):
    """A typo in one row, a conflict between the good rows of two workbooks, a hidden row with
    an extra activity: one round lists all three (before: one kind of problem per round)."""
    ocw = owned_by("OCW")
    values = _all_filled(ocw)
    values[ocw[4]] = ("vertraagt", "stated", "")

    def hidden_row(book):
        sheet = book["activities"]
        row = max(prefilled(sheet, "activity_id").values()) + 1
        for column, value in new_activity().items():
            sheet.cell(row, header(sheet)[column]).value = value
        sheet.row_dimensions[row].hidden = True

    fill(templates / "OCW.xlsx", tmp_path / "OCW.xlsx", values, _first_motion(), edit=hidden_row)
    fill(templates / "SZW.xlsx", tmp_path / "SZW.xlsx", {"A02": ("vertraagd", "stated", "Later.")})
    result = cli("collect", tmp_path / "OCW.xlsx", tmp_path / "SZW.xlsx", "--year", YEAR, "--out", tmp_path / "out")
    assert result.code == 2
    where = f"{tmp_path / 'OCW.xlsx'}:activities, rij"
    assert f"{where} 6, kolom 'status': onbekende status 'vertraagt'" in result.err
    hidden = len(ocw) + 2
    assert f"{where} {hidden}, kolom 'activity_id': rij {hidden} is verborgen en bevat gegevens" in result.err
    assert f"{where} {ocw.index('A02') + 2}: A02 staat ook in {tmp_path / 'SZW.xlsx'}:activities" in result.err
    assert "3 problemen" in result.err


def test_a_hidden_column_is_refused_with_its_letter(templates, tmp_path, cli):
    def edit(book):
        sheet = book["activities"]
        letter = sheet.cell(1, header(sheet)["status"]).column_letter
        sheet.column_dimensions[letter].hidden = True

    fill(templates / "OCW.xlsx", tmp_path / "OCW.xlsx", _all_filled(owned_by("OCW")), _first_motion(), edit=edit)
    result = cli("collect", tmp_path / "OCW.xlsx", "--year", YEAR, "--out", tmp_path / "out")
    assert result.code == 2
    letter = _status_letter(templates / "OCW.xlsx")
    assert f"OCW.xlsx:activities, rij 1, kolom 'status': kolom {letter} is verborgen en bevat gegevens" in result.err


def test_collect_refuses_a_workbook_over_the_size_limit_before_opening_it(templates, tmp_path, cli, monkeypatch):
    fill(templates / "OCW.xlsx", tmp_path / "OCW.xlsx", _all_filled(owned_by("OCW")), _first_motion())
    with open(tmp_path / "OCW.xlsx", "ab") as handle:  # a zip may carry anything after its end
        handle.truncate(65 * 1024 * 1024)
    result = cli("collect", tmp_path / "OCW.xlsx", "--year", YEAR, "--out", tmp_path / "out")
    assert result.code == 2
    assert "OCW.xlsx: werkmap is" in result.err and "de grens is 67 MB" in result.err, result.err


def test_one_id_written_two_ways_is_refused_in_collect(templates, tmp_path, cli):
    """'a02' beside 'A02' would become a second activity; a Cyrillic 'А05' would make the
    flags call the real A05 dropped. Both are named with the cells and the characters."""
    ocw = owned_by("OCW")

    def cyrillic(book):
        sheet = book["activities"]
        sheet.cell(prefilled(sheet, "activity_id")["A05"], header(sheet)["activity_id"]).value = "\u041005"

    def lower(book):
        sheet = book["activities"]
        sheet.cell(prefilled(sheet, "activity_id")["A02"], header(sheet)["activity_id"]).value = "a02"

    fill(templates / "OCW.xlsx", tmp_path / "OCW.xlsx", _all_filled(ocw), _first_motion(), edit=cyrillic)
    fill(templates / "SZW.xlsx", tmp_path / "SZW.xlsx", {"A02": ("in uitvoering", "stated", "Loopt.")}, edit=lower)
    result = cli("collect", tmp_path / "OCW.xlsx", tmp_path / "SZW.xlsx", "--year", YEAR, "--out", tmp_path / "out")
    assert result.code == 2
    ocw_at, szw_at = f"{tmp_path / 'OCW.xlsx'}:activities, rij", f"{tmp_path / 'SZW.xlsx'}:activities, rij"
    assert (
        f"{ocw_at} {ocw.index('A05') + 2}, kolom 'activity_id': '\u041005' is in eerdere jaren geschreven als 'A05' "
        "('\u0410' U+0410 CYRILLIC CAPITAL LETTER A / 'A' U+0041 LATIN CAPITAL LETTER A)"
    ) in result.err
    row_szw = owned_by("SZW").index("A02") + 2
    assert f"{ocw_at} {ocw.index('A02') + 2}: A02 staat ook in {szw_at[:-5]}, rij {row_szw}" in result.err
    assert "met andere waarden (activity_id)" in result.err
    assert f"{szw_at} {row_szw}, kolom 'activity_id': 'a02' is in eerdere jaren geschreven als 'A02'" not in result.err
    assert not (tmp_path / "out").exists()


def test_template_never_overwrites_and_template_and_collect_write_the_modes_of_a_run(templates, tmp_path, cli):
    import stat

    filled = tmp_path / "OCW.xlsx"
    fill(templates / "OCW.xlsx", filled, _all_filled(owned_by("OCW")), _first_motion())
    before = digest(filled)
    result = cli("template", "--year", YEAR, "--owner", "OCW", "--out", filled)
    assert result.code == 2 and f"{filled} bestaat al; kies een nieuwe naam" in result.err
    assert digest(filled) == before and not list(tmp_path.glob(".OCW.xlsx*"))
    assert stat.S_IMODE((templates / "OCW.xlsx").stat().st_mode) == 0o644
    result = cli("collect", filled, "--year", YEAR, "--out", tmp_path / "out")
    assert result.code == 0, result.err
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o755
    assert {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "out").iterdir()} == {0o644}


def test_a_workbook_made_from_text_with_word_line_breaks_and_a_sheet_of_notes(tmp_path):
    """Word's Shift+Enter (a vertical tab) in an explanation is a line break when read, so the
    template (openpyxl refuses control characters) is written; a sheet of notes beside the
    tables is named by validate, not passed over."""
    from openpyxl import Workbook

    from nap_analysis.data import load
    from nap_analysis.intake import template_bytes

    case = ROOT / "tests" / "bad_input" / "accepted" / "vertical_tab_in_explanation"
    content, _ = template_bytes(load(case), 2026)
    sheet = load_workbook(io.BytesIO(content))["activities"]
    assert "Heropend\nin 2025" in [cell.value for row in sheet.iter_rows() for cell in row]
    data = tmp_path / "data"
    shutil.copytree(case, data)
    notes = Workbook()
    notes.active.title = "Aantekeningen"
    notes.save(data / "extra.xlsx")
    assert "extra.xlsx: blad 'Aantekeningen' niet gelezen (geen tabelnaam" in "\n".join(load(data).notes)
