"""Workbooks (.xlsx, .xlsm) read as a person sees them in Excel.

* A number cell is a number, exactly (2.549 is 2.549; no locale applies to it); a cell shown
  as a percentage (0.10125 as 10.125%) is the number shown (10.125). A date cell is a date;
  one whose format shows only month and year ('dec 2022') is that month.
* Hidden and very hidden sheets are not read (the loader notes them); a hidden row or column
  that holds something is refused with its place (what a person does not see is not read).
* Merged cells, and formulas without a stored result (a workbook written by a program and
  never opened in Excel: its formulas were never calculated), are refused with their cells.
* A password-protected workbook, an old .xls, an .ods and a zip that is no workbook are named
  as such; a workbook that unpacks to more than the limit is refused before it is unpacked.

Only openpyxl's public API: ``load_workbook``, ``sheet_state``, ``merged_cells``, ``iter_rows``
and a cell's ``value``, ``data_type`` and ``number_format``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import math
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from ..errors import Problem
from .messages import problem, visible

#: The signature of an OLE2 compound file: a legacy .xls, or an encrypted (password) .xlsx.
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # the stream an encrypted OOXML file holds
#: Most cells of one sheet read (rows x columns of the table): far above any annex, far below
#: what fills memory (openpyxl keeps every cell as an object).
MAX_CELLS = 2_000_000
#: How many rows at the top of a sheet may hold titles above the header.
HEADER_ROWS = 10


@dataclass
class CellIssue:
    """Something in a range of cells that makes the sheet unreadable as a table."""

    row: int  # spreadsheet row of the top left cell
    column: int  # 0-based column of the top left cell
    last_row: int
    last_column: int
    key: str
    fields: dict = field(default_factory=dict)


@dataclass
class Sheet:
    """A visible sheet named like a table: its cells as text and as numbers."""

    title: str
    text: pd.DataFrame  # row 1 as columns, rows 2.. (index 0 = row 2); number and date cells as text
    numbers: pd.DataFrame  # the same shape: the value of number cells, NaN elsewhere
    issues: list[CellIssue]


@dataclass
class Book:
    name: str
    digest: str
    sheets: list[Sheet]  # visible sheets named like a table
    titles: list[str]  # every visible sheet
    hidden: list[str]  # hidden and very hidden sheets
    refused: list[str] = field(
        default_factory=list
    )  # visible sheets named like a table, but unreadable (problem given)


def ole2_kind(data: bytes) -> str | None:
    """'encrypted' (password-protected .xlsx) or 'xls' for an OLE2 file; None otherwise."""
    if not data.startswith(OLE2):
        return None
    return "encrypted" if _ENCRYPTED in data else "xls"


def read(name: str, data: bytes, problems: list[Problem], max_unpacked: int, wanted: set[str]) -> Book | None:
    """The visible sheets of a workbook whose normalised title is in ``wanted``; None (with
    the problem) when the file is no workbook we can read."""
    kind = ole2_kind(data)
    if kind:
        problems.append(problem(name, None, None, f"load.workbook_{kind}"))
        return None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except zipfile.BadZipFile:
        problems.append(problem(name, None, None, "load.workbook_not_zip"))
        return None
    except Exception as exc:  # noqa: BLE001 -- zipfile raises several kinds for damaged archives
        problems.append(problem(name, None, None, "load.workbook_unreadable", detail=_detail(exc)))
        return None
    unpacked = sum(m.file_size for m in members)  # zipfile never unpacks more than this
    if unpacked > max_unpacked:
        problems.append(
            problem(
                name,
                None,
                None,
                "load.workbook_unpacked_too_big",
                size=f"{unpacked / 1e6:.0f}",
                limit=f"{max_unpacked / 1e6:.0f}",
            )
        )
        return None
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names:
        try:
            ods = "mimetype" in names and archive.read("mimetype").startswith(b"application/vnd.oasis.opendocument")
        except Exception:  # noqa: BLE001 -- a damaged member: then it is no .ods we can name
            ods = False
        problems.append(problem(name, None, None, "load.workbook_ods" if ods else "load.workbook_zip_not_xlsx"))
        return None
    try:
        crowded = _crowded_sheet(archive, members)
    except Exception as exc:  # noqa: BLE001 -- a damaged member: openpyxl would not read it either
        problems.append(problem(name, None, None, "load.workbook_unreadable", detail=_detail(exc)))
        return None
    if crowded:
        member, cells, total = crowded

        def dotted(n: int) -> str:
            return f"{n:_}".replace("_", ".")

        problems.append(
            problem(
                name,
                None,
                None,
                "load.workbook_too_many_cells",
                total=dotted(total),
                sheet=visible(_sheet_titles(archive).get(member, member)),
                cells=dotted(cells),
                limit=dotted(MAX_CELLS),
            )
        )
        return None
    try:
        return _read_book(name, data, problems, wanted)
    except Exception as exc:  # noqa: BLE001 -- openpyxl raises many kinds for damaged workbooks
        problems.append(problem(name, None, None, "load.workbook_unreadable", detail=_detail(exc)))
        return None


_SHEET_MEMBER = re.compile(r"xl/worksheets/[^/]+\.xml")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")


def _crowded_sheet(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> tuple[str, int, int] | None:
    """(the fullest sheet's member, its cells, all cells) when the sheets together hold more
    cells than :data:`MAX_CELLS`, counted in their XML before openpyxl opens the workbook:
    openpyxl reads every sheet, hidden ones too, into objects (3.6 million empty cells on a
    hidden sheet: 106 s and 1.3 GB). Counted while unpacking in blocks: memory stays small."""
    total, fullest = 0, ("", 0)
    for member in members:
        if not _SHEET_MEMBER.fullmatch(member.filename):
            continue
        cells, tail = 0, b""
        with archive.open(member) as stream:
            while block := stream.read(1 << 20):
                chunk = tail + block
                cut = max(chunk.rfind(b"<"), 0)  # no tag spans a '<': the last one waits for the next block
                cells += len(_CELL_TAG.findall(chunk, 0, cut))
                tail = chunk[cut:]
                if total + cells > MAX_CELLS:  # enough to refuse: the rest is not unpacked
                    break
            cells += len(_CELL_TAG.findall(tail))
        total += cells
        fullest = max(fullest, (member.filename, cells), key=lambda pair: pair[1])
        if total > MAX_CELLS:
            return fullest[0], fullest[1], total
    return None


def _sheet_titles(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet member -> its title, from the workbook's XML (only to name a sheet in a message)."""
    try:
        book = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError):
        return {}
    targets = {}
    for tag in re.findall(r"<Relationship\b[^>]*>", rels):
        rid, target = re.search(r'Id="([^"]*)"', tag), re.search(r'Target="([^"]*)"', tag)
        if rid and target:
            path = target.group(1).lstrip("/")
            targets[rid.group(1)] = path if path.startswith("xl/") else f"xl/{path}"
    titles = {}
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", book):
        title, rid = re.search(r'\bname="([^"]*)"', tag), re.search(r'\br:id="([^"]*)"', tag)
        if title and rid and rid.group(1) in targets:
            titles[targets[rid.group(1)]] = html.unescape(title.group(1))
    return titles


def _read_book(name: str, data: bytes, problems: list[Problem], wanted: set[str]) -> Book:
    import openpyxl

    with warnings.catch_warnings():  # "extension not supported" and the like: not the user's concern
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    sheets, titles, hidden, refused = [], [], [], []
    formulas: dict[str, list[tuple[int, int, str]]] = {}
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            hidden.append(ws.title)
            continue
        titles.append(ws.title)
        if ws.title.strip().lower() not in wanted:
            continue
        read = _read_sheet(name, ws, problems)
        if read is None:
            refused.append(ws.title)
        else:
            sheet, found = read
            sheets.append(sheet)
            if found:
                formulas[ws.title] = found
    if formulas:
        _fill_formula_results(data, sheets, formulas)
    return Book(name, hashlib.sha256(data).hexdigest(), sheets, titles, hidden, refused)


def _read_sheet(name: str, ws, problems: list[Problem]) -> tuple[Sheet, list[tuple[int, int, str]]] | None:
    height = ws.max_row
    top = list(ws.iter_rows(min_row=1, max_row=min(HEADER_ROWS, height), max_col=ws.max_column))
    width = max((c.column for row in top for c in row if c.value is not None and str(c.value).strip()), default=0)
    if width == 0 and height <= HEADER_ROWS:
        problems.append(problem(f"{name}:{ws.title}", None, None, "load.sheet_empty"))
        return None
    width = max(width, 1)
    if height * width > MAX_CELLS:
        problems.append(
            problem(
                f"{name}:{ws.title}",
                None,
                None,
                "load.sheet_too_big",
                rows=height,
                columns=width,
                cell=f"{_column_letter(width)}{height}",
                limit=f"{MAX_CELLS:_}".replace("_", "."),
            )
        )
        return None
    text = np.empty((height, width), dtype=object)
    numbers = np.full((height, width), np.nan)
    formulas = []
    struck: dict[int, list[int]] = {}  # row -> columns of cells with struck-through text
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=height, max_col=width)):
        for c, cell in enumerate(row):
            if cell.value is not None and cell.has_style and cell.font.strike:
                # a person reads struck-through text as deleted; the loader would read it as data
                struck.setdefault(r, []).append(c)
            if cell.data_type == "f":
                formulas.append((r, c, str(getattr(cell.value, "text", cell.value))))
                text[r, c] = ""
                continue
            text[r, c], numbers[r, c] = cell_value(cell.value, cell.number_format)
    issues = [
        CellIssue(m.min_row, m.min_col - 1, m.max_row, m.max_col - 1, "load.merged_cells", {"range": m.coord})
        for m in ws.merged_cells.ranges
        if m.min_col <= width
    ]
    issues += _hidden_parts(ws, text, formulas, height, width)
    for r, columns in struck.items():  # one problem per row: 'A12:I12'
        first, last = min(columns), max(columns)
        cells = f"{_column_letter(first + 1)}{r + 1}" + (f":{_column_letter(last + 1)}{r + 1}" if last > first else "")
        issues.append(CellIssue(r + 1, first, r + 1, last, "load.struck_through", {"cell": cells}))
    header = [t if t.strip() else f"Unnamed: {i}" for i, t in enumerate(text[0])]
    frame = pd.DataFrame(text[1:], columns=header).astype("str")
    numeric = pd.DataFrame(numbers[1:], columns=header)
    return Sheet(ws.title, frame, numeric, issues), formulas


def _hidden_parts(ws, text: np.ndarray, formulas: list, height: int, width: int) -> list[CellIssue]:
    """Hidden rows and columns that hold something: a person does not see them, so they are
    refused rather than read (a hidden row with an extra activity, a hidden 'status' column
    beside the visible one that was edited)."""
    formula_at = {(r, c) for r, c, _ in formulas}

    def holds(rows: range, columns: range) -> bool:
        return any((r, c) in formula_at or str(text[r, c]).strip() for r in rows for c in columns)

    found = []
    for number, dimension in sorted(ws.row_dimensions.items()):
        if dimension.hidden and 1 <= number <= height and holds(range(number - 1, number), range(width)):
            found.append(CellIssue(number, 0, number, width - 1, "load.hidden_row", {"row": number}))
    for dimension in ws.column_dimensions.values():
        first, last = dimension.min or 0, min(dimension.max or 0, width)
        if dimension.hidden and 1 <= first <= last and holds(range(height), range(first - 1, last)):
            columns = _column_letter(first) + (f":{_column_letter(last)}" if last > first else "")
            found.append(CellIssue(1, first - 1, height, last - 1, "load.hidden_column", {"columns": columns}))
    return found


def _fill_formula_results(data: bytes, sheets: list[Sheet], formulas: dict[str, list[tuple[int, int, str]]]) -> None:
    """The results Excel stored for the formula cells (a second, streaming read); a formula
    without one is a problem of its cell."""
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    try:
        for sheet in sheets:
            found = formulas.get(sheet.title)
            if not found:
                continue
            width = len(sheet.text.columns)
            wanted = {(r, c): formula for r, c, formula in found}
            last = max(r for r, _, _ in found) + 1
            for r, row in enumerate(values[sheet.title].iter_rows(min_row=1, max_row=last, max_col=width)):
                for c, cell in enumerate(row):
                    formula = wanted.get((r, c))
                    if formula is None:
                        continue
                    if cell.value is None:
                        sheet.issues.append(
                            CellIssue(
                                r + 1,
                                c,
                                r + 1,
                                c,
                                "load.formula_uncached",
                                {"cell": f"{_column_letter(c + 1)}{r + 1}", "formula": visible(formula)},
                            )
                        )
                        continue
                    shown, number = cell_value(cell.value, cell.number_format)
                    if r == 0:
                        sheet.text.columns = [
                            *sheet.text.columns[:c],
                            shown or f"Unnamed: {c}",
                            *sheet.text.columns[c + 1 :],
                        ]
                        sheet.numbers.columns = sheet.text.columns
                    else:
                        sheet.text.iat[r - 1, c] = shown
                        sheet.numbers.iat[r - 1, c] = number
    finally:
        values.close()


def cell_value(value, number_format: str | None) -> tuple[str, float]:
    """A cell as the text a person reads in it and, for a number cell, its number (else NaN)."""
    if value is None:
        return "", math.nan
    if isinstance(value, str):
        return value, math.nan
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), math.nan
    shown = _format_codes(number_format)
    if isinstance(value, (int, float)):
        if "%" in shown:  # 0.10125 shown as 10.125%: the number shown, computed in decimal
            percent = (Decimal(repr(value)) * 100).normalize()
            return f"{percent:f}%", float(percent)
        if isinstance(value, float) and not math.isfinite(value):
            return repr(value), math.nan
        return _number_text(value), float(value)
    if isinstance(value, dt.datetime):
        if "d" not in shown and "y" in shown and "h" not in shown:
            return f"{value.year:04d}-{value.month:02d}", math.nan  # the format shows a month
        if value.time() == dt.time(0) or not ("h" in shown or "s" in shown):
            return value.date().isoformat(), math.nan
        return value.isoformat(" ", "minutes" if value.second == 0 else "seconds"), math.nan
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat(), math.nan
    return str(value), math.nan


def _number_text(value: float) -> str:
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _format_codes(number_format: str | None) -> str:
    """The codes of a number format, without quoted text, escaped characters and [colour] parts."""
    if not number_format:
        return ""
    return re.sub(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.', "", number_format).lower()


def _column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _detail(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return visible(f"{type(exc).__name__}: {text[0][:200]}" if text else type(exc).__name__)
