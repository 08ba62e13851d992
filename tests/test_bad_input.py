"""Bad input: every malformed data directory is refused with exit 2 and located messages.

The corpus lives in ``tests/bad_input/`` (one directory per case: a copy of
``tests/fixtures/small`` with one thing broken; ``README.md`` there lists every case). A few
cases are built here instead: workbooks (openpyxl) and a 100 MB file (never committed).

For each bad case, ``nap-analysis validate --data DIR`` and ``nap-analysis run --data DIR
--out OUT`` must both exit 2, print exactly the expected problems -- each naming file, row as
a spreadsheet user counts it (header = row 1) and column -- never a traceback, write nothing
to OUT, and leave every input byte as it was. Cases in ``tests/bad_input/accepted/`` are
dialects that must load (exit 0) to the same tables as the fixture.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import FIXTURES, ROOT

from nap_analysis.data import load
from nap_analysis.data.reading import MAX_BYTES
from nap_analysis.errors import DataError

CORPUS = Path(__file__).resolve().parent / "bad_input"
ACCEPTED_DIR = CORPUS / "accepted"
SMALL = FIXTURES / "small"

# The problem lines a user must see, in the Problem format "file, rij N, kolom 'x': message".
# Each entry must match one line: it is the line's beginning; "…" stands for any text in between.
# The number of lines must be exactly the number of entries (no extra, misleading problems).
STATUS = "onbekende status"
CASES: dict[str, list[str]] = {
    # --- structure of the file
    "delimiter_pipe": [
        "activities.csv, rij 1: de kopregel valt niet uiteen in kolommen; scheidingsteken '|' wordt niet herkend"
    ],
    "missing_column": ["activities.csv, rij 1, kolom 'status': verplichte kolom ontbreekt"],
    "renamed_column": [
        "activities.csv, rij 1, kolom 'activity_id': verplichte kolom ontbreekt; staat er 'activiteit_id'?"
    ],
    "duplicate_column": ["activities.csv, rij 1, kolom 'status': kolom staat meer dan eens in de kopregel"],
    "empty_file": ["activities.csv: bestand is leeg"],
    "header_only": ["activities.csv: bevat alleen een kopregel en geen gegevens"],
    "ragged_row": ["activities.csv, rij 6: 10 velden in deze rij, 9 in de kopregel"],
    "unclosed_quote": ['activities.csv, rij 6: een aanhalingsteken (") in deze rij wordt nergens gesloten'],
    "trailing_delimiters": [
        "activities.csv, rij 2: meer velden dan de kopregel (9 kolommen); staat er een ';' te veel"
    ],
    "blank_line_row_numbers": [f"activities.csv, rij 13, kolom 'status': {STATUS} 'klaar'"],
    # --- what kind of file it is
    "binary_png_as_csv": ["activities.csv: bevat binaire inhoud (geen tekst)"],
    "utf16_unicode_text": ["activities.csv: is opgeslagen als UTF-16 ('Unicode-tekst')"],
    "not_utf8_nor_cp1252": ["activities.csv, rij 5: tekens die geen UTF-8 en geen Windows-1252 zijn"],
    "mixed_encodings": ["activities.csv, rij 5: mengt UTF-8 en Windows-1252"],
    "xlsx_not_a_zip": ["nap_data.xlsx: werkmap niet te openen: dit is geen Excel-werkmap"],
    "no_activities": ["activities.csv: verplicht bestand ontbreekt in "],
    "misnamed_activities": [
        "activities.csv: verplicht bestand ontbreekt in …; staat er 'activiteiten.csv'? de naam moet precies 'activities.csv' zijn"
    ],
    # --- values
    "unknown_status": [f"activities.csv, rij 5, kolom 'status': {STATUS} 'klaar' (toegestaan: afgedaan, afgerond"],
    "misspelt_status": [f"activities.csv, rij 9, kolom 'status': {STATUS} 'vertraagt'; bedoelt u 'vertraagd'?"],
    "motion_status_in_activities": [f"activities.csv, rij 5, kolom 'status': {STATUS} 'alternatieve invulling'"],
    "formula_as_status": [
        f"activities.csv, rij 6, kolom 'status': {STATUS} '=ALS(B6>2024;\"afgerond\";\"niet gestart\")'"
    ],
    "unknown_status_basis": [
        "activities.csv, rij 5, kolom 'status_basis': 'gok' is geen toegestane waarde (stated, inferred, illustrative)"
    ],
    "empty_required_cell": ["activities.csv, rij 4, kolom 'title': lege cel; dit veld is verplicht"],
    "duplicate_activity": [
        "activities.csv, rij 3, kolom 'activity_id': dubbele sleutel (activity_id=A1, report_year=2024); komt ook voor in rij 2"
    ],
    "actielijn_0": [
        "activities.csv, rij 6, kolom 'actielijn': 0 valt buiten het toegestane bereik (van 1 tot en met 9)"
    ],
    "actielijn_7": [
        "activities.csv, rij 6, kolom 'actielijn': actielijn 7 bestaat niet in actielijnen.csv (wel: 1, 2, 3)"
    ],
    "actielijn_10_in_actielijnen": ["actielijnen.csv, rij 4, kolom 'actielijn': 10 valt buiten het toegestane bereik"],
    "reference_actielijn_missing": [
        f"activities.csv, rij {row}, kolom 'actielijn': actielijn 3 bestaat niet in actielijnen.csv (wel: 1, 2)"
        for row in (6, 7, 12, 13)
    ],
    "text_in_report_year": [
        "activities.csv, rij 4, kolom 'report_year': 'VGR 2024' is geen getal; verwacht een geheel getal"
    ],
    "two_digit_report_year": [
        "activities.csv, rij 4, kolom 'report_year': 24 valt buiten het toegestane bereik (van 2000 tot en met 2100)"
    ],
    "text_in_amount_eur": ["funds.csv, rij 4, kolom 'amount_eur': 'achthonderdduizend' is geen getal"],
    "scientific_amount_eur": [
        "funds.csv, rij 3, kolom 'amount_eur': '2,55E+06' is geen getal; …wetenschappelijke notatie"
    ],
    "formula_in_amount_eur": ["funds.csv, rij 2, kolom 'amount_eur': '=SOM(E3:E4)' is geen getal"],
    "negative_amount_eur": [
        "funds.csv, rij 4, kolom 'amount_eur': -800000 valt buiten het toegestane bereik (minstens 0)"
    ],
    "reversed_period": ["funds.csv, rij 4, kolom 'period': '2025-2023' is geen periode"],
    "text_in_percent": ["indicators.csv, rij 3, kolom 'percent': 'ca. 61' is geen getal"],
    "text_in_n": ["indicators.csv, rij 2, kolom 'n': 'ruim 2.000' is geen getal; verwacht een geheel getal"],
    "date_us_format": ["milestones.csv, rij 4, kolom 'planned': '12/15/2022' is geen datum"],
    "date_impossible_day": ["milestones.csv, rij 3, kolom 'actual': '31-02-2022' is geen datum"],
    "date_excel_serial": ["milestones.csv, rij 2, kolom 'planned': '44897' is geen datum"],
    "date_two_digit_year": ["milestones.csv, rij 4, kolom 'planned': '15-12-22' is geen datum"],
    "motions_unknown_kind": [
        "motions.csv, rij 3, kolom 'kind': 'amendement' is geen toegestane waarde (motie, toezegging)"
    ],
    # --- numbers: one rule (data/README.md, "Getallen"); ambiguous texts refused with both readings
    "n_ambiguous_thousands_comma": [
        (
            "indicators.csv, rij 3, kolom 'n': '24,000' is dubbelzinnig: 24000 als ',' duizendtallen scheidt, "
            "of 24 als ',' het decimaalteken is"
        )
    ],
    "n_decimal_reading_in_dutch_file": [
        "indicators.csv, rij 3, kolom 'n': '24,000' is dubbelzinnig: 24000 als ',' duizendtallen scheidt"
    ],
    "amount_eur_ambiguous": [
        (
            "funds.csv, rij 4, kolom 'amount_eur': '800,000' is dubbelzinnig: 800000 als ',' duizendtallen scheidt, "
            "of 800 als ',' het decimaalteken is"
        )
    ],
    "percent_ambiguous_point": [
        (
            "indicators.csv, rij 3, kolom 'percent': '10.125' is dubbelzinnig: 10125 als '.' duizendtallen scheidt, "
            "of 10,125 als '.' het decimaalteken is"
        )
    ],
    "percent_typed_as_fraction": [
        (
            "indicators.csv, rij 3, kolom 'percent': '0,61' is dubbelzinnig: 61 % als het als breuk is getypt "
            "(0,109 voor 10,9 %), of 0,61 %; de andere metingen van deze indicator liggen tussen 57 en 57 %"
        )
    ],
    "percent_all_fractions": [
        f"indicators.csv, rij {row}, kolom 'percent': '0,{p}' is dubbelzinnig: {p} % als het als breuk is getypt…"
        "alle percentages van dit bestand zijn kleiner dan 1"
        for row, p in ((2, 57), (3, 61))
    ],
    # --- header, encodings, rows, invisible characters
    "header_below_data": [
        "activities.csv, rij 3: hier staat de kopregel, maar rij 1 erboven is geen titel ('A1 | 2024 | 1 | Eerste"
    ],
    "utf32_text": ["activities.csv: is opgeslagen als UTF-32;"],
    "utf16_without_bom": ["activities.csv: is opgeslagen als UTF-16 ('Unicode-tekst')"],
    "multiline_cell_row_numbers": ["activities.csv, rij 6: tekens die geen UTF-8 en geen Windows-1252 zijn"],
    "invisible_char_in_status": [
        f"activities.csv, rij 13, kolom 'status': {STATUS} 'vertraagd\\u200b'; bedoelt u 'vertraagd'?"
    ],
    "invisible_char_in_id": ["activities.csv, rij 9, kolom 'activity_id': 'A2\\u200b' bevat een onzichtbaar teken"],
    # --- a table that is there but cannot be used: an error, never "absent"
    "optional_table_wrong_case": ["Funds.CSV: wordt niet gelezen: de naam moet precies 'funds.csv' zijn"],
    "optional_table_double_suffix": ["funds.csv.txt: wordt niet gelezen: tabel funds moet precies 'funds.csv' heten"],
    "optional_table_old_xls": [
        "motions.xls: is een Excel 97-2003 (.xls)-bestand en wordt niet gelezen; sla het op als 'motions.csv'"
    ],
    "xlsx_password_protected": ["nap_data.xlsx: werkmap is met een wachtwoord beveiligd (versleuteld)"],
    "xlsx_is_old_xls": ["nap_data.xlsx: is een oud Excel-bestand (Excel 97-2003, .xls) met de extensie van een .xlsx"],
    # --- text is text: control characters, spreadsheet errors, one id written two ways
    "control_character_in_title": [
        "activities.csv, rij 3, kolom 'title': 'Tweede\\u000c' bevat het onzichtbare stuurteken U+000C FORM FEED"
    ],
    "error_value_as_title": ["activities.csv, rij 2, kolom 'title': '#N/A' is een foutwaarde van het rekenblad"],
    "error_value_dutch_in_explanation": [
        "activities.csv, rij 10, kolom 'explanation': '#WAARDE!' is een foutwaarde van het rekenblad"
    ],
    "id_differs_in_case": [
        "activities.csv, rij 9, kolom 'activity_id': 'a2' en 'A2' (rij 3) zijn dezelfde code in een andere schrijfwijze"
    ],
    "id_cyrillic_look_alike": [
        (
            "activities.csv, rij 9, kolom 'activity_id': 'А2' en 'A2' (rij 3) zijn dezelfde code in een andere "
            "schrijfwijze ('А' U+0410 CYRILLIC CAPITAL LETTER A / 'A' U+0041 LATIN CAPITAL LETTER A)"
        )
    ],
    "id_full_width": [
        "activities.csv, rij 10, kolom 'activity_id': 'Ａ3' en 'A3' (rij 4) zijn dezelfde code … FULLWIDTH LATIN"
    ],
    # --- encodings that Windows-1252 would read without an error, into nonsense
    "macroman_text": [
        "activities.csv, rij 2: is opgeslagen in de tekencodering van de Mac (Mac Roman)…'cafŽ / café'…CSV UTF-8"
    ],
    "dos_cp850_text": [
        "activities.csv, rij 2: is opgeslagen in de MS-DOS-tekencodering (cp850)…'caf‚ / café'…CSV UTF-8"
    ],
    # --- between tables: what run needs, validate checks
    "motions_missing_report_year": [
        "motions.csv, kolom 'report_year': verslagjaar 2025 staat in activities.csv maar niet in dit bestand"
    ],
}

# --------------------------------------------------------------------------- generated cases


def _workbook(data_dir: Path, mutate=None, name: str = "nap_data.xlsx") -> Path:
    """The CSV tables of data_dir as one workbook (numbers as numbers, as Excel keeps them); CSVs removed."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for path in sorted(data_dir.glob("*.csv")):
        frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
        sheet = book.create_sheet(path.stem)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append([int(c) if c.isdigit() else c for c in row])
        path.unlink()
    if mutate:
        mutate(book)
    book.save(data_dir / name)
    return data_dir / name


def _merged_cells(book):
    # report_year of rows 2-7 (all 2024) and actielijn of rows 6-7 (both 3) merged, as a
    # spreadsheet user does "for looks"; only the top cell keeps its value
    book["activities"].merge_cells("B2:B7")
    book["activities"].merge_cells("C6:C7")


def _blank_row_then_error(book):
    sheet = book["activities"]
    sheet.insert_rows(4)  # an empty row 4; what was row 12 (A5, 2025) is now row 13
    assert sheet["A13"].value == "A5" and sheet["B13"].value == 2025
    sheet["F13"] = "klaar"


def _rename_sheet(book):
    book["activities"].title = "Activiteiten"


def build_xlsx_merged_cells(d: Path) -> None:
    _workbook(d, _merged_cells)


def build_xlsx_blank_row_row_numbers(d: Path) -> None:
    _workbook(d, _blank_row_then_error)


def build_xlsx_missing_sheet(d: Path) -> None:
    _workbook(d, _rename_sheet)


def build_xlsx_two_workbooks(d: Path) -> None:
    book = _workbook(d)
    shutil.copy(book, d / "nap_data (1).xlsx")  # what a second download next to the first is called


def build_xlsx_and_csv_same_table(d: Path) -> None:
    activities = (d / "activities.csv").read_bytes()
    _workbook(d)
    (d / "activities.csv").write_bytes(activities)


def _formula_without_value(book):
    # what a script writes (openpyxl, pandas): the formula, never its result
    book["activities"]["H7"] = "=A7&B7"


def _merge_explanations(book):
    book["activities"].merge_cells("H2:H3")  # an optional column: before, H3 was silently empty


def _title_rows_then_error(book):
    sheet = book["activities"]
    sheet.insert_rows(1, 2)  # a title in A1 and an empty row 2 above the header, as annexes have
    sheet["A1"] = "Bijlage 1 - Overzicht voortgang activiteiten"
    assert sheet["A7"].value == "A4" and sheet["B7"].value == 2024
    sheet["F7"] = "klaar"


def _second_activities_sheet(book):
    copy = book.copy_worksheet(book["activities"])
    copy.title = "Activities "


def build_optional_table_is_folder(d: Path) -> None:
    (d / "funds.csv").unlink()
    (d / "funds.csv").mkdir()
    shutil.copy(SMALL / "funds.csv", d / "funds.csv" / "funds.csv")


def build_optional_table_fifo(d: Path) -> None:
    (d / "funds.csv").unlink()
    os.mkfifo(d / "funds.csv")  # reading it would wait forever for a writer


def build_optional_table_dangling_link(d: Path) -> None:
    (d / "funds.csv").unlink()
    os.symlink("../elders/funds.csv", d / "funds.csv")


def build_xlsx_required_sheet_hidden(d: Path) -> None:
    _workbook(d, lambda book: setattr(book["activities"], "sheet_state", "hidden"))


def build_xlsx_formula_without_value(d: Path) -> None:
    _workbook(d, _formula_without_value)


def build_xlsx_merged_optional_column(d: Path) -> None:
    _workbook(d, _merge_explanations)


def build_xlsx_title_rows_row_numbers(d: Path) -> None:
    _workbook(d, _title_rows_then_error)


def build_xlsx_two_sheets_one_table(d: Path) -> None:
    _workbook(d, _second_activities_sheet)


def build_xlsx_named_like_table_without_sheet(d: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Blad1"
    for row in (SMALL / "funds.csv").read_text(encoding="utf-8").splitlines():
        sheet.append(row.split(";"))
    book.save(d / "funds.xlsx")
    (d / "funds.csv").unlink()


def build_xlsx_zip_bomb(d: Path) -> None:
    book = _workbook(d)
    with zipfile.ZipFile(book, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        # 70 MiB of XML that packs into ~70 kB: a workbook is refused before it is unpacked
        archive.writestr("xl/worksheets/sheet99.xml", b"<a>" + b" " * (70 * 2**20) + b"</a>")


def build_xlsx_stray_cell_far_below(d: Path) -> None:
    _workbook(
        d, lambda book: book["activities"].cell(row=1_048_576, column=2, value=" ")
    )  # a space typed in the last row


def build_xlsx_zip_not_a_workbook(d: Path) -> None:
    with zipfile.ZipFile(d / "nap_data.xlsx", "w") as archive:
        archive.writestr("notes.txt", "geen werkmap")


def _hidden_extra_row(book):
    sheet = book["activities"]
    sheet.append(["A8", 2025, 3, "Achtste", "JenV", "afgerond", "stated", "", "memo"])  # row 14
    sheet.row_dimensions[14].hidden = True  # what a person sees ends at row 13


def _hidden_status_column(book):
    sheet = book["activities"]
    sheet["J1"] = "status nieuw"  # the visible column that was edited; F was hidden, not cleared
    for row in range(2, 14):
        sheet.cell(row=row, column=10, value="afgerond")
    sheet.column_dimensions["F"].hidden = True


def _error_cell(book):
    book["activities"]["D3"] = "#N/A"  # an error cell (openpyxl stores it with type 'e', as Excel does)
    assert book["activities"]["D3"].data_type == "e"


def _struck_row(book):
    from openpyxl.styles import Font

    for cell in book["activities"][12]:  # A5 2025 'crossed out' by a ministry instead of deleted
        cell.font = Font(strike=True)


def build_xlsx_struck_through_row(d: Path) -> None:
    _workbook(d, _struck_row)


def build_xlsx_formula_cached_error(d: Path) -> None:
    """D3 a lookup formula whose stored result is #N/A (what Excel saves when VLOOKUP finds
    nothing); openpyxl cannot write a stored result, so the sheet's XML is edited."""
    path = _workbook(d)
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    sheet = "xl/worksheets/sheet2.xml"  # actielijnen, activities, ...: the second sheet
    assert b'<c r="A2" t="s">' in members[sheet] or b'<c r="A2" t="inlineStr">' in members[sheet]
    cell = re.compile(rb'<c r="D3"[^>]*>.*?</c>')
    assert len(cell.findall(members[sheet])) == 1
    members[sheet] = cell.sub(b'<c r="D3" t="e"><f>VLOOKUP(A3,Blad2!A:B,2,FALSE)</f><v>#N/A</v></c>', members[sheet])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)


def build_xlsx_hidden_row_with_data(d: Path) -> None:
    _workbook(d, _hidden_extra_row)


def build_xlsx_hidden_column(d: Path) -> None:
    _workbook(d, _hidden_status_column)


def build_xlsx_error_value_cell(d: Path) -> None:
    _workbook(d, _error_cell)


def build_xlsx_hidden_sheet_millions_of_cells(d: Path) -> None:
    """A hidden sheet of 2.1 million empty but formatted cells (a whole column block selected
    and given a border) in a workbook of a few MB: refused from its XML before openpyxl opens it."""

    def hidden_sheet(book):
        book.create_sheet("oud")["A1"] = "x"
        book["oud"].sheet_state = "hidden"

    path = _workbook(d, hidden_sheet)
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    sheet = f"xl/worksheets/sheet{len([m for m in members if m.startswith('xl/worksheets/sheet')])}.xml"
    assert b"<v>x</v>" in members[sheet] or b"inlineStr" in members[sheet] or b'"s"' in members[sheet]
    rows = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}" s="0"/>' for c in ("A", "B", "C", "D", "E", "F", "G")) + "</row>"
        for r in range(1, 300_002)
    )
    members[sheet] = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + rows
        + "</sheetData></worksheet>"
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)


BIG_BYTES = 100 * 1024 * 1024


@pytest.fixture(scope="module")
def big_dir(tmp_path_factory) -> Path:
    """The small fixture with a real 100 MB activities.csv (valid rows, repeated); built once."""
    d = tmp_path_factory.mktemp("big") / "big_file_100mb"
    shutil.copytree(SMALL, d)
    lines = (SMALL / "activities.csv").read_bytes().split(b"\n", 1)
    block = lines[1] * (1024 * 1024 // len(lines[1]) + 1)
    with open(d / "activities.csv", "wb") as out:
        out.write(lines[0] + b"\n")
        while out.tell() < BIG_BYTES:
            out.write(block)
    return d


GENERATED: dict[str, tuple] = {
    "xlsx_merged_cells": (
        build_xlsx_merged_cells,
        [
            "nap_data.xlsx:activities, rij 2, kolom 'report_year': cellen B2:B7 zijn samengevoegd; maak de samenvoeging ongedaan",
            "nap_data.xlsx:activities, rij 6, kolom 'actielijn': cellen C6:C7 zijn samengevoegd",
        ],
    ),
    "xlsx_blank_row_row_numbers": (
        build_xlsx_blank_row_row_numbers,
        [
            f"nap_data.xlsx:activities, rij 13, kolom 'status': {STATUS} 'klaar'",
        ],
    ),
    "xlsx_missing_sheet": (
        build_xlsx_missing_sheet,
        [
            (
                "nap_data.xlsx: verplicht blad 'activities' ontbreekt (bladen: actielijnen, Activiteiten, funds, milestones); "
                "staat er 'Activiteiten'? noem het blad 'activities'; en er is ook geen activities.csv"
            ),
        ],
    ),
    "xlsx_two_workbooks": (
        build_xlsx_two_workbooks,
        [
            f"nap_data.xlsx: tabel '{table}' staat ook in nap_data (1).xlsx"
            for table in ("actielijnen", "activities", "funds", "milestones")
        ],
    ),
    "xlsx_and_csv_same_table": (
        build_xlsx_and_csv_same_table,
        [
            "activities.csv: tabel 'activities' staat zowel in dit bestand als in nap_data.xlsx:activities",
        ],
    ),
    "big_file_100mb": (
        None,
        [f"activities.csv: bestand is {BIG_BYTES / 1e6:.1f} MB; de grens is {MAX_BYTES / 1e6:.0f} MB"],
    ),
    # a table that is there but cannot be used: an error, never "absent" with exit 0
    "optional_table_is_folder": (build_optional_table_is_folder, ["funds.csv: is een map, geen bestand"]),
    "optional_table_fifo": (build_optional_table_fifo, ["funds.csv: is een named pipe (FIFO), geen gewoon bestand"]),
    "optional_table_dangling_link": (
        build_optional_table_dangling_link,
        ["funds.csv: is een symbolische koppeling naar ../elders/funds.csv, dat niet bestaat"],
    ),
    # workbooks as a person sees them
    "xlsx_required_sheet_hidden": (
        build_xlsx_required_sheet_hidden,
        ["nap_data.xlsx: verplicht blad 'activities' is verborgen (blad 'activities'); maak het zichtbaar"],
    ),
    "xlsx_formula_without_value": (
        build_xlsx_formula_without_value,
        [
            (
                "nap_data.xlsx:activities, rij 7, kolom 'explanation': cel H7 heeft een formule (=A7&B7) zonder berekende waarde"
                "…open het bestand in Excel en sla het op"
            )
        ],
    ),
    "xlsx_merged_optional_column": (
        build_xlsx_merged_optional_column,
        ["nap_data.xlsx:activities, rij 2, kolom 'explanation': cellen H2:H3 zijn samengevoegd"],
    ),
    "xlsx_title_rows_row_numbers": (
        build_xlsx_title_rows_row_numbers,
        [f"nap_data.xlsx:activities, rij 7, kolom 'status': {STATUS} 'klaar'"],
    ),
    "xlsx_two_sheets_one_table": (
        build_xlsx_two_sheets_one_table,
        ["nap_data.xlsx: de bladen 'activities' en 'Activities ' zijn allebei tabel 'activities'; houd er één"],
    ),
    "xlsx_named_like_table_without_sheet": (
        build_xlsx_named_like_table_without_sheet,
        ["funds.xlsx: werkmap heet als tabel 'funds' maar heeft geen blad 'funds' (bladen: Blad1)"],
    ),
    "xlsx_zip_bomb": (
        build_xlsx_zip_bomb,
        [f"nap_data.xlsx: werkmap pakt uit tot …MB; de grens is {MAX_BYTES / 1e6:.0f} MB"],
    ),
    "xlsx_stray_cell_far_below": (
        build_xlsx_stray_cell_far_below,
        [
            "nap_data.xlsx:activities: blad loopt tot cel I1048576 (1048576 rijen en 9 kolommen); de grens is 2.000.000 cellen"
        ],
    ),
    "xlsx_zip_not_a_workbook": (
        build_xlsx_zip_not_a_workbook,
        ["nap_data.xlsx: is een zip-bestand maar geen Excel-werkmap"],
    ),
    "xlsx_hidden_sheet_millions_of_cells": (
        build_xlsx_hidden_sheet_millions_of_cells,
        [
            "nap_data.xlsx: de bladen hebben samen meer dan 2.0… cellen, blad 'oud' alleen al 2.0…; "
            "de grens is 2.000.000"
        ],
    ),
    "xlsx_struck_through_row": (
        build_xlsx_struck_through_row,
        ["nap_data.xlsx:activities, rij 12, kolom 'activity_id': doorgehaalde tekst in A12:I12"],
    ),
    "xlsx_formula_cached_error": (
        build_xlsx_formula_cached_error,
        ["nap_data.xlsx:activities, rij 3, kolom 'title': '#N/A' is een foutwaarde van het rekenblad"],
    ),
    "xlsx_hidden_row_with_data": (
        build_xlsx_hidden_row_with_data,
        ["nap_data.xlsx:activities, rij 14, kolom 'activity_id': rij 14 is verborgen en bevat gegevens"],
    ),
    "xlsx_hidden_column": (
        build_xlsx_hidden_column,
        ["nap_data.xlsx:activities, rij 1, kolom 'status': kolom F is verborgen en bevat gegevens"],
    ),
    "xlsx_error_value_cell": (
        build_xlsx_error_value_cell,
        ["nap_data.xlsx:activities, rij 3, kolom 'title': '#N/A' is een foutwaarde van het rekenblad"],
    ),
}
ALL_BAD = {**CASES, **{name: expected for name, (_, expected) in GENERATED.items()}}

#: Dialects that must load, and what in them differs from the fixture's activities.
ACCEPTED = {
    "utf8_bom": {},
    "blank_row_above_header": {},
    "windows_1252": {("A1", 2024, "title"): "Eerste ‘café’ – één", ("A1", 2025, "title"): "Eerste ‘café’ – één"},
    "tab_delimited": {},
    "comma_delimited_quoted": {},
    "whitespace_around_values": {},
    "crlf_line_endings": {},
    "cr_line_endings": {},
    "blank_rows": {},
    "formula_text_in_title": {("A5", 2024, "title"): '=HYPERLINK("https://example.org";"Vijfde")'},
    "title_rows_above_header": {},
    "amount_eur_english_thousands": {},
    "percent_english_decimal_by_column": {},
    "n_dutch_thousands_by_file": {},
    "nfd_title": {("A1", 2024, "title"): "Eerste caf\u00e9"},  # typed with a combining accent: kept as NFC
    "vertical_tab_in_explanation": {("A4", 2025, "explanation"): "Heropend\nin 2025"},  # Word's Shift+Enter
    "nan_and_none_are_text": {("A4", 2024, "title"): "Nan", ("A4", 2024, "owner"): "NONE"},  # words, not empty
}

#: What the accepted number cases must read (table, column -> values in file order): the rule of
#: data/README.md "Getallen", where the other cells of the column or the file decide.
ACCEPTED_VALUES = {
    "amount_eur_english_thousands": (
        "funds",
        "amount_eur",
        [2_050_000, 2_549_000, 800_000],
    ),  # '800,000' as 4,670,000 is read
    "percent_english_decimal_by_column": ("indicators", "percent", [10.9, 2.549]),  # '2.549': the column writes 10.9
    "n_dutch_thousands_by_file": ("indicators", "n", [30_000, 24_000]),  # '24.000': the file writes 10,9
}
#: Notes an accepted case must give (the start of one note).
ACCEPTED_NOTES = {
    "title_rows_above_header": "activities.csv: kopregel gevonden op rij 3; de 2 rij(en) erboven",
    "blank_row_above_header": "activities.csv: kopregel gevonden op rij 2; de 1 rij(en) erboven",
}

# --------------------------------------------------------------------------- helpers


@pytest.fixture
def case_dir(request, tmp_path) -> Path:
    """A writable copy of a committed case, or a freshly generated one."""
    name = request.param
    if name == "big_file_100mb":
        return request.getfixturevalue("big_dir")  # too big to copy per test; checked unchanged
    target = tmp_path / name
    if name in CASES:
        shutil.copytree(CORPUS / name, target)
    else:
        shutil.copytree(SMALL, target)
        GENERATED[name][0](target)
    return target


def _snapshot(directory: Path) -> dict[str, str]:
    """Every name in the folder with its bytes' hash, or what it is when it is no file (a named
    pipe is never opened: that would wait for a writer)."""

    def state(p: Path) -> str:
        if p.is_symlink():
            return f"link -> {os.readlink(p)}"
        if p.is_dir():
            return "folder"
        if not p.is_file():
            return f"special {stat.S_IFMT(p.stat().st_mode)}"
        return hashlib.sha256(p.read_bytes()).hexdigest()

    return {p.name: state(p) for p in sorted(directory.iterdir())}


def _matches(line: str, expected: str) -> bool:
    """The line starts with expected; '…' in expected stands for any text."""
    first, *rest = expected.split("…")
    if not line.startswith(first):
        return False
    at = len(first)
    for part in rest:
        at = line.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return True


def _assert_problems(command: str, stderr: str, expected: list[str]) -> None:
    lines = stderr.strip().splitlines()
    head = f"{len(expected)} probleem gevonden" if len(expected) == 1 else f"{len(expected)} problemen gevonden"
    assert lines and lines[0].startswith(f"nap-analysis {command}: {head} in de data"), stderr
    problems = [line[2:] for line in lines[1:] if line.startswith("- ")]
    assert len(problems) == len(lines) - 1 == len(expected), stderr
    for want in expected:
        hits = [p for p in problems if _matches(p, want)]
        assert len(hits) == 1, f"expected exactly one problem line starting {want!r}; got:\n{stderr}"


# --------------------------------------------------------------------------- bad cases


@pytest.mark.parametrize("case_dir", sorted(ALL_BAD), indirect=True)
def test_bad_case_exit_2_with_located_problems(case_dir, cli, tmp_path):
    expected = ALL_BAD[case_dir.name]
    before = _snapshot(case_dir)
    out_dir = tmp_path / "out"
    for command, extra in (("validate", ()), ("run", ("--out", out_dir))):
        result = cli(command, "--data", case_dir, *extra)
        assert "Traceback" not in result.out + result.err
        assert result.code == 2, (command, result.out, result.err)
        assert result.out == "", f"{command} printed on stdout: {result.out}"
        _assert_problems(command, result.err, expected)
    assert not out_dir.exists(), "run with bad data must stop before writing anything"
    assert _snapshot(case_dir) == before, "input files were modified or created"


def _console_script() -> list[str]:
    script = Path(sys.executable).with_name("nap-analysis")
    return [str(script)] if script.exists() else [sys.executable, "-m", "nap_analysis.cli"]


@pytest.mark.parametrize(
    "case_dir",
    ["delimiter_pipe", "misspelt_status", "binary_png_as_csv", "xlsx_missing_sheet", "big_file_100mb"],
    indirect=True,
)
def test_bad_case_console_script(case_dir, tmp_path):
    """The installed entry point, as a user runs it: exit 2, the same messages, no traceback."""
    expected = ALL_BAD[case_dir.name]
    before = _snapshot(case_dir)
    out_dir = tmp_path / "out"
    for command, extra in (("validate", []), ("run", ["--out", str(out_dir)])):
        proc = subprocess.run(
            [*_console_script(), command, "--data", str(case_dir), *extra],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
            check=False,
        )
        assert "Traceback" not in proc.stdout + proc.stderr
        assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
        _assert_problems(command, proc.stderr, expected)
    assert not out_dir.exists()
    assert _snapshot(case_dir) == before


def test_big_file_refused_without_reading_it(big_dir):
    """A file over MAX_BYTES is refused on its size alone: memory stays far below its 100 MB."""
    assert (big_dir / "activities.csv").stat().st_size >= BIG_BYTES > MAX_BYTES
    tracemalloc.start()
    try:
        with pytest.raises(DataError) as info:
            load(big_dir)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [str(p) for p in info.value.problems] == [
        (
            f"activities.csv: bestand is {BIG_BYTES / 1e6:.1f} MB; de grens is {MAX_BYTES / 1e6:.0f} MB "
            "(te groot voor een bijlage; is dit het goede bestand?)"
        )
    ]
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB: the file was read"


# --------------------------------------------------------------------------- accepted dialects


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_accepted_dialect_loads_like_the_fixture(name, cli, small):
    case = ACCEPTED_DIR / name
    before = _snapshot(case)
    result = cli("validate", "--data", case)
    assert result.code == 0, result.err
    assert "Data in orde" in result.out and "Traceback" not in result.out + result.err
    expected = small.activities.copy()
    for (activity, year, column), value in ACCEPTED[name].items():
        expected.loc[(expected.activity_id == activity) & (expected.report_year == year), column] = value
    programme = load(case)
    pd.testing.assert_frame_equal(programme.activities, expected)
    if name in ACCEPTED_VALUES:
        table, column, values = ACCEPTED_VALUES[name]
        assert getattr(programme, table)[column].tolist() == values
    if name in ACCEPTED_NOTES:
        assert any(note.startswith(ACCEPTED_NOTES[name]) for note in programme.notes), programme.notes
        assert ACCEPTED_NOTES[name] in result.out
    assert _snapshot(case) == before


# --------------------------------------------------------------------------- accepted, built here


def _hidden_copy_after(book):
    """A very hidden sheet with other statuses after the visible, edited one: before, the last
    sheet of a name was read, so the hidden one won."""
    old = book.copy_worksheet(book["activities"])
    old.title = "Activities "
    for row in range(2, old.max_row + 1):
        old.cell(row=row, column=6).value = "stopgezet"
    old.sheet_state = "veryHidden"


def _typed_cells(book):
    """Number, percent and date cells, as Excel keeps them (no text, no locale)."""
    funds = book["funds"]
    assert funds["E2"].value == "2.050.000"
    funds["E2"] = 2.549  # a number cell: 2.549, never 2549
    indicators = book.create_sheet("indicators")
    indicators.append(["monitor", "indicator", "group", "year", "percent", "n", "source"])
    indicators.append(["Monitor", "groot probleem", "18+", 2023, 10.125, 24000, "memo"])  # 10.125 %, not 10125
    indicators.append(["Monitor", "groot probleem", "18+", 2024, 0.61, 2100, "memo"])
    indicators["E3"].number_format = "0%"  # shown as 61%: the number shown is 61
    milestones = book["milestones"]
    milestones["B2"] = datetime.datetime(2022, 12, 2)  # a date cell (with the time format openpyxl gives it)
    milestones["B4"] = datetime.datetime(2022, 12, 1)
    milestones["B4"].number_format = "mmm yyyy"  # shown as 'dec 2022': known to the month


def build_xlsx_hidden_sheet_ignored(d: Path) -> None:
    _workbook(d, _hidden_copy_after)


def build_xlsx_number_cells_exact(d: Path) -> None:
    _workbook(d, _typed_cells)


def build_xlsx_title_rows_found(d: Path) -> None:
    def titles(book):
        book["activities"].insert_rows(1, 2)
        book["activities"]["A1"] = "Bijlage 1 - Overzicht voortgang activiteiten"

    _workbook(d, titles)


def _check_hidden(programme, small):
    pd.testing.assert_frame_equal(programme.activities, small.activities)
    assert "nap_data.xlsx: verborgen blad 'Activities ' niet gelezen" in programme.notes


def _check_typed(programme, small):
    assert programme.funds["amount_eur"].tolist() == [2.549, 2_549_000, 800_000]
    assert programme.indicators["percent"].tolist() == [10.125, 61.0]
    assert programme.indicators["n"].tolist() == [24000, 2100]
    milestones = programme.milestones.set_index("milestone")
    assert milestones.loc["MR en verzending", "planned"] == pd.Timestamp("2022-12-02")
    assert milestones.loc["MR en verzending", "planned_precision"] == "day"
    assert milestones.loc["Conferentie", "planned"] == pd.Timestamp("2022-12-01")
    assert milestones.loc["Conferentie", "planned_precision"] == "month"


def _check_title_rows(programme, small):
    pd.testing.assert_frame_equal(programme.activities, small.activities)
    assert any(note.startswith("nap_data.xlsx:activities: kopregel gevonden op rij 3") for note in programme.notes)


GENERATED_ACCEPTED = {
    "xlsx_hidden_sheet_ignored": (build_xlsx_hidden_sheet_ignored, _check_hidden),
    "xlsx_number_cells_exact": (build_xlsx_number_cells_exact, _check_typed),
    "xlsx_title_rows_found": (build_xlsx_title_rows_found, _check_title_rows),
}


@pytest.mark.parametrize("name", sorted(GENERATED_ACCEPTED))
def test_generated_accepted_case(name, cli, small, tmp_path):
    case = tmp_path / name
    shutil.copytree(SMALL, case)
    build, check = GENERATED_ACCEPTED[name]
    build(case)
    before = _snapshot(case)
    result = cli("validate", "--data", case)
    assert result.code == 0 and "Data in orde" in result.out and "Traceback" not in result.out + result.err, result.err
    check(load(case), small)
    assert _snapshot(case) == before


# --------------------------------------------------------------------------- permissions


def _without_privileges(*args: str) -> subprocess.CompletedProcess:
    """``nap-analysis ARGS`` in a process that file permissions apply to: as root, without the
    capabilities that let root read anything (so a test sees what a user sees)."""
    command = [sys.executable, "-m", "nap_analysis.cli", *args]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("root without setpriv: file permissions cannot be tested")
        command = ["setpriv", "--bounding-set=-all", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)


@pytest.mark.parametrize(
    "state, expected",
    [
        ("file_not_readable", ["funds.csv: bestand niet te lezen: geen leesrechten"]),
        ("folder_not_searchable", ["…: map niet te lezen: geen rechten om de inhoud te zien"]),
        ("folder_not_listable", ["…: map niet te lezen: geen rechten om de inhoud te zien"]),
    ],
)
def test_unreadable_files_and_folders_exit_2(state, expected, tmp_path):
    """No read permission on a file, no search (x) or list (r) permission on the data folder:
    exit 2 with the file or folder named, from validate and from run; before, PermissionError."""
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    target, mode = {
        "file_not_readable": (data / "funds.csv", 0o000),
        "folder_not_searchable": (data, 0o644),
        "folder_not_listable": (data, 0o311),
    }[state]
    target.chmod(mode)
    try:
        for command, extra in (("validate", ()), ("run", ("--out", str(tmp_path / "out")))):
            proc = _without_privileges(command, "--data", str(data), *extra)
            assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
            assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
            _assert_problems(command, proc.stderr, expected)
        assert not (tmp_path / "out").exists()
    finally:
        target.chmod(0o755 if target.is_dir() else 0o644)


# --------------------------------------------------------------------------- the corpus itself


def _differences(case: Path) -> list[str]:
    """File names in which a case directory differs from the small fixture (added, removed, changed)."""
    names = {p.name for p in case.iterdir()} | {p.name for p in SMALL.iterdir()}
    return sorted(
        n
        for n in names
        if not ((case / n).is_file() and (SMALL / n).is_file() and (case / n).read_bytes() == (SMALL / n).read_bytes())
    )


def test_corpus_matches_the_tables():
    """Every committed case has an expectation here, and every expectation a committed case."""
    committed = {p.name for p in CORPUS.iterdir() if p.is_dir() and p != ACCEPTED_DIR}
    assert committed == set(CASES)
    assert {p.name for p in ACCEPTED_DIR.iterdir() if p.is_dir()} == set(ACCEPTED)
    assert not set(CASES) & set(GENERATED)
    assert len(ALL_BAD) >= 30


@pytest.mark.parametrize(
    "case", [*(CORPUS / n for n in sorted(CASES)), *(ACCEPTED_DIR / n for n in sorted(ACCEPTED))], ids=lambda p: p.name
)
def test_each_case_breaks_one_file(case):
    """A copy of the fixture with exactly one file changed, added or removed -- so the problem
    the test expects is the only thing wrong with it. (A renamed file counts as one change.)"""
    differences = _differences(case)
    if len(differences) == 2:
        gone = [n for n in differences if not (case / n).exists()]
        new = [n for n in differences if not (SMALL / n).exists()]
        renamed = len(gone) == len(new) == 1 and (SMALL / gone[0]).read_bytes() == (case / new[0]).read_bytes()
        assert renamed, differences
    else:
        assert len(differences) == 1, differences


def test_readme_documents_every_case():
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip().strip("`") for line in readme.splitlines() if line.startswith("| `")}
    cases = set(ALL_BAD) | set(ACCEPTED) | set(GENERATED_ACCEPTED)
    assert rows == cases, sorted(rows ^ cases)


def test_corpus_bytes_survived_version_control():
    """The cases that are about bytes still have them (no editor or git line-ending conversion)."""
    raw = {
        name: (CORPUS / name / "activities.csv").read_bytes()
        for name in ("empty_file", "binary_png_as_csv", "utf16_unicode_text", "not_utf8_nor_cp1252", "mixed_encodings")
    }
    accepted = {
        name: (ACCEPTED_DIR / name / "activities.csv").read_bytes()
        for name in ("utf8_bom", "windows_1252", "crlf_line_endings", "cr_line_endings")
    }
    assert raw["empty_file"] == b""
    assert raw["binary_png_as_csv"].startswith(b"\x89PNG\r\n\x1a\n")
    assert raw["utf16_unicode_text"].startswith(b"\xff\xfe")
    assert b"\x81" in raw["not_utf8_nor_cp1252"]
    assert "‘café’".encode() in raw["mixed_encodings"] and b"Vi\xe9rde" in raw["mixed_encodings"]
    assert accepted["utf8_bom"].startswith(b"\xef\xbb\xbf")
    assert "é".encode("cp1252") in accepted["windows_1252"]
    with pytest.raises(UnicodeDecodeError):
        accepted["windows_1252"].decode("utf-8")
    assert accepted["crlf_line_endings"].count(b"\r\n") == accepted["crlf_line_endings"].count(b"\n") == 13
    assert accepted["cr_line_endings"].count(b"\r") == 13 and b"\n" not in accepted["cr_line_endings"]
