"""The intake workbook a ministry fills in: last year's rows, the year's words in drop-down lists.

The table sheets carry the contract's columns, so the loader reads a returned workbook as it
is; only the columns to fill in are unlocked (sheet protection without a password: it prevents
slips, not intent). Every choice is a drop-down of values the loader accepts, so a misspelt
status or a non-existent action line cannot be typed in the first place. The bytes depend only
on the data and the arguments (fixed properties and zip times), so a rerun gives the same file.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import __version__
from ..briefing.format import fmt
from ..briefing.render.spreadsheet import FIXED_TIME, normalise_zip, text_cell
from ..data import vocabulary as v
from ..errors import UsageError
from ..words import words
from .layout import (
    ACTIVITIES,
    FILL_IN,
    MOTIONS,
    SheetLayout,
    previous_column,
    split_owners,
    status_words,
)

#: Empty rows below the prefilled ones, unlocked and with the same drop-downs, for new activities.
NEW_ROWS = 25

_WIDTHS = {
    "activity_id": 12,
    "item_id": 10,
    "report_year": 11,
    "actielijn": 9,
    "title": 50,
    "owner": 12,
    "origin": 9,
    "kind": 12,
    "member": 16,
    "party": 12,
    "status": 22,
    "status_basis": 13,
    "explanation": 50,
    "source": 30,
    "note": 30,
}
_HEAD_FILL, _PREVIOUS_FILL, _FILL_IN_FILL = "E8EEF5", "EDEDED", "FFF6D5"


@dataclass(frozen=True)
class TemplateSummary:
    """What a written template holds, for the command line's one line."""

    path: Path
    year: int
    previous: int
    activities: int
    motions: int


def base_year(programme, year: int) -> int:
    """The report year a workbook for ``year`` is filled from: the latest one before it."""
    previous = programme.previous_year(year)
    if previous is None:
        shown = ", ".join(str(y) for y in programme.report_years)
        raise UsageError("intake.error.no_previous", year=year, years=shown)
    return previous


def select_owners(activities: pd.DataFrame, wanted: list[str] | None) -> tuple[pd.DataFrame, list[str]]:
    """The rows whose owner includes one of ``wanted`` (case ignored), and the owners as the data
    spell them; all rows when nothing is asked. An owner that holds no activity is refused."""
    owners = activities["owner"].fillna("").map(split_owners)
    known = sorted({o for names in owners for o in names}, key=str.lower)
    if not wanted:
        return activities, []
    by_lower = {o.lower(): o for o in known}
    unknown = [o for o in wanted if o.lower() not in by_lower]
    if unknown:
        raise UsageError("intake.error.unknown_owner", owner="; ".join(unknown), owners=", ".join(known))
    chosen = [by_lower[o.lower()] for o in wanted]
    held = owners.map(lambda names: any(n.lower() in {c.lower() for c in chosen} for n in names))
    return activities[held.to_numpy(dtype=bool)], chosen


def write_template(
    programme, year: int, out: str | Path, owners: list[str] | None = None, due: str | None = None
) -> TemplateSummary:
    """Write the workbook for ``year`` to ``out`` (atomically: a half-written file never stands there)."""
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise UsageError("intake.error.out_suffix", path=str(out))
    data_dir = Path(programme.data_dir).resolve()
    if out.resolve().parent == data_dir or data_dir in out.resolve().parents:
        raise UsageError("intake.error.out_in_data", path=str(out), data=str(programme.data_dir))
    if out.exists() or out.is_symlink():  # perhaps a ministry's filled-in workbook: never replaced
        raise UsageError("intake.error.template_exists", path=str(out))
    content, summary = template_bytes(programme, year, owners, due)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.chmod(temporary, FILE_MODE)  # mkstemp makes it private; the workbook is to be shared
        try:
            os.link(temporary, out)  # fails if something appeared at ``out`` meanwhile: no overwrite
        except FileExistsError:
            raise UsageError("intake.error.template_exists", path=str(out)) from None
        except OSError:  # a file system without hard links
            if out.exists():
                raise UsageError("intake.error.template_exists", path=str(out)) from None
            os.replace(temporary, out)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return TemplateSummary(out, *summary)


#: The modes the run writes (pipeline.outputs): readable by whoever may read the folder.
FILE_MODE, FOLDER_MODE = 0o644, 0o755


def template_bytes(
    programme, year: int, owners: list[str] | None = None, due: str | None = None
) -> tuple[bytes, tuple[int, int, int, int]]:
    """The workbook's bytes and (year, previous year, activity rows, motion rows)."""
    from openpyxl import Workbook

    previous = base_year(programme, year)
    activities = programme.activities[programme.activities["report_year"] == previous]
    activities, chosen = select_owners(activities, owners)
    motions = programme.motions
    if motions is not None:
        motions = motions[motions["report_year"] == previous]
    w = words("nl")  # the workbook goes to the ministries: always Dutch
    book = Workbook()
    about = book.active
    about.title = w["intake.sheet.about"]
    lists = book.create_sheet(w["intake.sheet.lists"])
    choices = _choice_lists(lists, programme, year, w)
    sheets = [(ACTIVITIES, activities)] + ([(MOTIONS, motions)] if motions is not None else [])
    for layout, rows in sheets:
        _table_sheet(book.create_sheet(layout.name), layout, rows, year, previous, choices, w)
    book.move_sheet(lists, offset=len(book.sheetnames) - 1 - book.sheetnames.index(lists.title))
    _about_sheet(about, programme, year, previous, chosen, due, choices, motions is not None, w)
    fixed = dt.datetime(*FIXED_TIME)
    book.properties.created = fixed
    book.properties.modified = fixed
    book.properties.creator = "nap-analysis"
    book.properties.title = w("intake.title", year=year, owners="; ".join(chosen) or w["intake.about.everyone"])
    buffer = io.BytesIO()
    book.save(buffer)
    n_motions = 0 if motions is None else len(motions)
    return normalise_zip(buffer.getvalue()), (year, previous, len(activities), n_motions)


# --------------------------------------------------------------------------- sheets


def _text(cell, value) -> None:
    """A text cell that stays text (also '=...' or '+31 ...'), as in every workbook we write."""
    if isinstance(value, str) and value:
        text_cell(cell, value)
    else:
        cell.value = value


def _fit_rows(sheet) -> None:
    """Row heights for wrapped text: spreadsheet programs do not grow a row of a generated file
    themselves (LibreOffice draws the lines over each other). An estimate: a line holds about as
    many characters as the column is wide."""
    import math

    for row in sheet.iter_rows(min_row=1):
        lines = 1
        for cell in row:
            if isinstance(cell.value, str) and cell.alignment.wrap_text:
                width = sheet.column_dimensions[cell.column_letter].width or 13
                per_line = max(int(width * 1.1) - 1, 1)
                lines = max(lines, sum(math.ceil(max(len(part), 1) / per_line) for part in cell.value.split("\n")))
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = min(15 * lines, 409)


def _print_wide(sheet) -> None:
    """Printed (and converted to PDF) landscape, as wide as one page: the columns belong together."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0


def _plain(value):
    """A cell value from a typed table: text as text, empty and missing as an empty cell."""
    if isinstance(value, str):
        return value or None
    return None if value is None or pd.isna(value) else value


def _choice_lists(sheet, programme, year: int, w) -> dict[str, tuple[str, list]]:
    """The drop-down lists, one column each on the lists sheet: name -> (range formula, values)."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    lists: dict[str, list] = {
        "activity_status": list(status_words(programme, year, ACTIVITIES).values()),
        "motion_status": list(status_words(programme, year, MOTIONS).values()),
        "actielijn": [int(a) for a in programme.actielijnen["actielijn"]],
        "status_basis": list(v.STATUS_BASES),
        "kind": list(v.MOTION_KINDS),
        "origin": list(v.ORIGINS),
    }
    found: dict[str, tuple[str, list]] = {}
    for j, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(j)
        head = sheet.cell(row=1, column=j, value=w[f"intake.list.{name}"])
        head.font = Font(bold=True)
        for i, value in enumerate(values, start=2):
            _text(sheet.cell(row=i, column=j), value)
        sheet.column_dimensions[letter].width = 26
        found[name] = (f"'{sheet.title}'!${letter}$2:${letter}${len(values) + 1}", values)
    sheet.protection.sheet = True
    return found


def _table_sheet(sheet, layout: SheetLayout, rows: pd.DataFrame, year: int, previous: int, choices: dict, w) -> None:
    """One table sheet: last year's rows with the year filled in, then empty rows for new ones."""
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = layout.columns(previous)
    letters = {name: get_column_letter(j) for j, name in enumerate(columns, start=1)}
    previous_names = {previous_column("status", previous), previous_column("explanation", previous)}
    shown = _shown_words(choices, layout)
    fills = {
        "head": PatternFill("solid", fgColor=_HEAD_FILL),
        "previous": PatternFill("solid", fgColor=_PREVIOUS_FILL),
        "fill": PatternFill("solid", fgColor=_FILL_IN_FILL),
    }
    wrap, top = Alignment(wrap_text=True, vertical="top"), Alignment(vertical="top")
    unlocked = Protection(locked=False)
    for j, name in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=j, value=name)
        cell.font = Font(bold=True)
        cell.fill = fills["head"]
        cell.alignment = wrap
    for i, record in enumerate(rows.to_dict("records"), start=2):
        values = {name: _plain(record.get(name)) for name in (layout.id_column, *layout.carried)}
        values["report_year"] = year
        if "actielijn" in values:
            values["actielijn"] = int(record["actielijn"])
        values[previous_column("status", previous)] = shown.get(str(record["status"]), str(record["status"]))
        values[previous_column("explanation", previous)] = _plain(record.get("explanation"))
        for j, name in enumerate(columns, start=1):
            cell = sheet.cell(row=i, column=j)
            _text(cell, values.get(name))  # the columns to fill in start empty
            cell.alignment = wrap if name in ("title", "explanation") or name in previous_names else top
            if name in previous_names:
                cell.fill = fills["previous"]
            elif name in FILL_IN:
                cell.fill = fills["fill"]
                cell.protection = unlocked
                cell.number_format = "@" if name in ("explanation", "source", "note") else "General"
    first_new = len(rows) + 2
    last = first_new + NEW_ROWS - 1
    for i in range(first_new, last + 1):
        for j, name in enumerate(columns, start=1):
            if name in previous_names:
                continue
            cell = sheet.cell(row=i, column=j)
            cell.protection = unlocked
            if name not in ("report_year", "actielijn", "status", "status_basis", "kind", "origin"):
                cell.number_format = "@"
    status_list = choices["activity_status" if layout is ACTIVITIES else "motion_status"][0]
    listed = {
        "status": status_list,
        "status_basis": choices["status_basis"][0],
        "origin": choices["origin"][0],
        "actielijn": choices["actielijn"][0],
        "kind": choices["kind"][0],
    }
    for name, formula in listed.items():
        if name not in letters:
            continue
        rule = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=w["intake.validation.title"],
            error=w["intake.validation.error"],
        )
        rule.add(f"{letters[name]}2:{letters[name]}{last}")
        sheet.add_data_validation(rule)
    year_rule = DataValidation(
        type="whole",
        operator="equal",
        formula1=str(year),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=w["intake.validation.title"],
        error=w("intake.validation.year_error", year=year),
    )
    year_rule.add(f"{letters['report_year']}2:{letters['report_year']}{last}")
    sheet.add_data_validation(year_rule)
    for name, letter in letters.items():  # last year's column as wide as this year's
        shown_as = name.rsplit("_", 1)[0] if name in previous_names else name
        sheet.column_dimensions[letter].width = _WIDTHS.get(shown_as, 14)
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 2)}"
    _fit_rows(sheet)
    _print_wide(sheet)
    protection = sheet.protection
    protection.sheet = True
    protection.autoFilter = False  # filtering and sorting stay allowed, so do column widths
    protection.sort = False
    protection.formatColumns = False
    protection.formatRows = False


def _shown_words(choices: dict, layout: SheetLayout) -> dict[str, str]:
    """Code -> the word offered for it, for showing last year's status in the same words."""
    values = choices["activity_status" if layout is ACTIVITIES else "motion_status"][1]
    return {layout.accepted[v.normalise(word)]: word for word in values}


def _about_sheet(
    sheet, programme, year: int, previous: int, owners: list[str], due: str | None, choices: dict, has_motions: bool, w
) -> None:
    """The first sheet: what to fill in, by when, and what every column means (Dutch)."""
    from openpyxl.styles import Alignment, Font

    f = fmt("nl")
    wrap = Alignment(wrap_text=True, vertical="top")
    everyone = w["intake.about.everyone"]
    example = f"{owners[0] if len(owners) == 1 else 'NIEUW'}-{year}-01"
    statuses = w.join([f"'{s}'" for s in choices["activity_status"][1]])
    extra = [s for s in choices["motion_status"][1] if s not in choices["activity_status"][1]]
    rows = [
        ("intake.about.for", "; ".join(owners) or everyone),
        ("intake.about.year", w("intake.about.year_text", year=year, previous=previous)),
        ("intake.about.due", f.date(due) if due else w["intake.about.due_unknown"]),
        ("intake.about.what", w("intake.about.what_text", previous=previous)),
        ("intake.about.status", w("intake.about.status_text", words=statuses)),
        ("intake.about.basis", w["intake.about.basis_text"]),
    ]
    if has_motions:
        rows.append(
            (
                "intake.about.motions",
                w("intake.about.motions_text", previous=previous, words=w.join([f"'{s}'" for s in extra])),
            )
        )
    rows += [
        ("intake.about.empty", w["intake.about.empty_text"]),
        ("intake.about.new", w("intake.about.new_text", example=example, year=year)),
        ("intake.about.locked", w["intake.about.locked_text"]),
        ("intake.about.return", w["intake.about.return_text"]),
        (
            "intake.about.source",
            w("intake.about.source_text", previous=previous, version=programme.data_version, tool=__version__),
        ),
    ]
    sheet["A1"] = w("intake.about.title", year=year)
    sheet["A1"].font = Font(bold=True, size=13)
    i = 3
    for key, text in rows:
        label = sheet.cell(row=i, column=1, value=w[key])
        label.font = Font(bold=True)
        label.alignment = wrap
        cell = sheet.cell(row=i, column=2)
        _text(cell, text)
        cell.alignment = wrap
        i += 1
    i += 1
    for j, key in enumerate(("intake.about.column", "intake.about.meaning", "intake.about.fill"), start=1):
        sheet.cell(row=i, column=j, value=w[key]).font = Font(bold=True)
    layouts = [ACTIVITIES] + ([MOTIONS] if has_motions else [])
    described: list[str] = []
    for layout in layouts:
        for name in layout.columns(previous):
            if name not in described:
                described.append(name)
    for name in described:
        i += 1
        if name in (previous_column("status", previous), previous_column("explanation", previous)):
            meaning = w(f"intake.column.previous_{name.rsplit('_', 1)[0]}", previous=previous)
            fill = w["intake.fill.no"]
        else:
            meaning = w(f"intake.column.{name}", year=year)
            fill = w[
                "intake.fill.yes"
                if name in ("status", "status_basis", "explanation")
                else "intake.fill.optional"
                if name in FILL_IN
                else "intake.fill.new"
            ]
        sheet.cell(row=i, column=1, value=name)
        sheet.cell(row=i, column=2, value=meaning).alignment = wrap
        sheet.cell(row=i, column=3, value=fill)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 100
    sheet.column_dimensions["C"].width = 24
    _fit_rows(sheet)
    _print_wide(sheet)
    sheet.protection.sheet = True
