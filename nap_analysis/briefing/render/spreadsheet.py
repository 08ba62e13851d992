"""Tables for briefing writers: a CSV per table and one workbook, ready to paste into Word and Excel.

The same :class:`~..model.Table` objects the documents show, in the document's language:
headers and status words as shown, numbers rounded as shown. CSV: Dutch Excel's dialect for
Dutch (``;``, decimal comma, UTF-8 with BOM), the English dialect for English (``,``, point).
The workbook keeps numbers as numbers with number formats (%, €, dates as dates), ids as
text, a bold frozen header with filters, and a first sheet saying what it is, where the data
came from and how much of it is illustrative. Cells a spreadsheet would run as a formula are
neutralised: an apostrophe in the CSV, the invisible quotePrefix text mark in the workbook.
Files are byte-identical on reruns.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

from ..format import fmt, is_missing
from ..model import Cell, Column, Table
from . import cells

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Fixed timestamp for zip entries and workbook properties (reproducible bytes).
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
#: Excel's limit for the text of one cell.
EXCEL_CELL_LIMIT = 32_767


def neutralise(text: str) -> str:
    """A CSV cell that starts like a formula gets a leading apostrophe, so Excel shows it as text.
    (A workbook cell keeps its text and is marked as text instead: :func:`text_cell`.)"""
    return "'" + text if text.startswith(FORMULA_START) else text


def text_cell(target, text: str) -> None:
    """A workbook cell that holds ``text`` as text, also when it starts like a formula: stored as a
    string with the quotePrefix style, Excel's and LibreOffice's own invisible "this is text" mark
    (a literal apostrophe would be shown, '+1,4 tot +2,4')."""
    target.value = text
    if text.startswith(FORMULA_START):
        target.data_type = "s"  # a string; openpyxl would store "=..." as a formula
        target.quotePrefix = True


def _csv_value(cell, column: Column, language: str) -> str:
    f = fmt(language)
    value = cells.value_of(cell)
    if is_missing(value) and not (isinstance(cell, Cell) and cell.text):
        return ""
    kind = cell.kind if isinstance(cell, Cell) and cell.kind else column.kind
    if kind in ("integer", "number", "pp", "pvalue") and not isinstance(value, str):
        text = f"{float(value):.{column.decimals if kind != 'integer' else 0}f}"
        if kind == "pp" and float(value) > 0:
            text = "+" + text
        return text.replace(".", ",") if language == "nl" else text
    if kind == "euro" and not isinstance(value, str):
        return str(int(round(float(value))))
    if kind in ("share", "percent"):
        return cells.display(cell, column, f).replace("\u00a0", " ")
    if kind == "year" and not isinstance(value, str):
        return str(int(value))
    if kind in ("date", "month") and isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10] if kind == "date" else value.isoformat()[:7]
    return neutralise(cells.plain(cell, column, f).replace("\u00a0", " "))


def _label(column: Column) -> str:
    return column.label + {"euro": " (€)"}.get(column.kind, "")


def _header(column: Column) -> str:
    return neutralise(_label(column))


def table_csv(table: Table, language: str) -> bytes:
    """The table as CSV bytes in the language's Excel dialect."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter=";" if language == "nl" else ",", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL
    )
    writer.writerow([_header(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(cell, column, language) for cell, column in zip(row, table.columns)])
    text = buffer.getvalue()
    return ("\ufeff" + text).encode("utf-8") if language == "nl" else text.encode("utf-8")


# --------------------------------------------------------------------------- workbook

_NUMBER_FORMATS = {
    "integer": "0",
    "share": "0%",
    "percent": "0.0%",
    "pp": "+0.0;-0.0;0.0",
    "euro": '"€" #,##0',
    "year": "0",
    "pvalue": "0.000",
}


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
    candidate, i = base, 2
    while candidate.lower() in used:
        candidate = f"{base[:28]}_{i}"
        i += 1
    used.add(candidate.lower())
    return candidate


def _xlsx_value(cell, column: Column, language: str):
    """The typed value for a workbook cell and its number format (None: general)."""
    value = cells.value_of(cell)
    kind = cell.kind if isinstance(cell, Cell) and cell.kind else column.kind
    if isinstance(cell, Cell) and cell.text is not None and is_missing(value):
        return cell.text, None
    if is_missing(value):
        return None, None
    if kind in ("integer", "year") and not isinstance(value, str):
        return int(value), _NUMBER_FORMATS[kind]
    if kind == "number" and not isinstance(value, str):
        return float(value), "0." + "0" * column.decimals if column.decimals else "0"
    if kind == "share" and not isinstance(value, str):
        return float(value), "0%" if not column.decimals else "0." + "0" * column.decimals + "%"
    if kind == "percent" and not isinstance(value, str):
        return float(value) / 100, "0." + "0" * max(column.decimals, 1) + "%"
    if kind in ("pp", "euro", "pvalue") and not isinstance(value, str):
        return float(value), _NUMBER_FORMATS[kind]
    if kind == "date" and isinstance(value, (dt.date, dt.datetime)):
        return value, "d-m-yyyy" if language == "nl" else "d mmm yyyy"
    if kind == "month" and isinstance(value, (dt.date, dt.datetime)):
        return value, "mmmm yyyy"
    text = cells.plain(cell, column, fmt(language)).replace("\u00a0", " ")
    if len(text) > EXCEL_CELL_LIMIT:
        from ...words import words

        marker = words(language)["xlsx.cut"]
        text = text[: EXCEL_CELL_LIMIT - len(marker)] + marker
    return text, "@"


def workbook(tables: list[Table], language: str, about: list[tuple[str, str]], title: str) -> bytes:
    """All tables in one .xlsx: a first sheet ``about`` (label, text rows), then a sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from ...words import words

    w = words(language)
    book = Workbook()
    first = book.active
    first.title = w["xlsx.about_sheet"]
    first["A1"] = title
    first["A1"].font = Font(bold=True, size=13)
    for i, (label, text) in enumerate(about, start=3):
        first.cell(row=i, column=1, value=label).font = Font(bold=True)
        text_cell(first.cell(row=i, column=2), text)
        first.cell(row=i, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    first.column_dimensions["A"].width = 26
    first.column_dimensions["B"].width = 100
    used = {first.title.lower()}
    head_fill = PatternFill("solid", fgColor="E8EEF5")
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.name or "tabel", used))
        for j, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=1, column=j)
            text_cell(cell, _label(column))
            cell.font = Font(bold=True)
            cell.fill = head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for i, row in enumerate(table.rows, start=2):
            for j, (value, column) in enumerate(zip(row, table.columns), start=1):
                typed, number_format = _xlsx_value(value, column, language)
                target = sheet.cell(row=i, column=j)
                if isinstance(typed, str):
                    text_cell(target, typed)
                else:
                    target.value = typed
                if number_format:
                    target.number_format = number_format
                if column.kind == "text":
                    target.alignment = Alignment(wrap_text=True, vertical="top")
        for j, column in enumerate(table.columns, start=1):
            texts = [len(column.label)] + [len(cells.plain(r[j - 1], column, fmt(language))) for r in table.rows[:200]]
            sheet.column_dimensions[get_column_letter(j)].width = min(60, max(9, max(texts) + 2))
        sheet.freeze_panes = "A2"
        if table.rows:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"
    fixed = dt.datetime(*FIXED_TIME)
    book.properties.created = fixed
    book.properties.modified = fixed
    book.properties.creator = "nap-analysis"
    book.properties.title = title
    buffer = io.BytesIO()
    book.save(buffer)
    return normalise_zip(buffer.getvalue())


def normalise_zip(data: bytes, core_time: str | None = None) -> bytes:
    """The zip rewritten with fixed entry times and order, so equal content gives equal bytes.

    ``core_time`` (W3CDTF, '2025-04-14T00:00:00Z') is written as created and modified into
    ``docProps/core.xml`` (a Word document's own date); by default the fixed time of the entries.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    out = io.BytesIO()
    stamp = core_time or "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*FIXED_TIME)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for filename, content in entries:
            if filename == "docProps/core.xml":  # stamped with the time of saving
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    content,
                )
                content = re.sub(
                    rb"(<dcterms:created[^>]*>)[^<]*(</dcterms:created>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    content,
                )
            info = zipfile.ZipInfo(filename, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, content)
    return out.getvalue()
