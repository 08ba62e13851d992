"""Reading a data directory as text: files and workbook sheets, encodings, delimiters, title rows.

Every cell stays a string here; :mod:`.checking` judges the values. Input files are only read.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import io
import itertools
import re
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import Problem
from . import contract, files, workbook
from . import text as text_rules
from .contract import Table
from .messages import Note, problem, visible

#: Largest input file read, in bytes; a bigger file is refused before it is read. A workbook
#: may also unpack to at most this many bytes.
MAX_BYTES = 64 * 1024 * 1024
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
#: How many rows at the top of a file may hold titles (or be blank) above the header.
HEADER_ROWS = workbook.HEADER_ROWS


@dataclass
class RawTable:
    """A table as text, before checking: every cell a string (workbook number cells also as numbers)."""

    table: Table
    display: str  # file name as the user knows it (with sheet for workbooks)
    frame: pd.DataFrame
    digest: str
    #: column -> (codes, distinct values), or its Future: dropping blank rows and checking share one factorize
    factorized: dict[str, tuple[np.ndarray, pd.Index] | Future] = field(default_factory=dict)
    #: workbooks: the value of each number cell (NaN elsewhere), same columns as ``frame``
    numbers: pd.DataFrame | None = None
    #: workbooks: merged cells and formulas without a result, checked once the header is known
    issues: list = field(default_factory=list)
    header_row: int = 1  # the spreadsheet row of the header (title rows may stand above it)
    written: list[str] = field(default_factory=list)  # the header as written, before normalising
    #: number column -> the convention (numbers.NL / numbers.EN / None) for its ambiguous texts
    conventions: dict[str, str | None] = field(default_factory=dict)

    def distinct(self, name: str) -> tuple[np.ndarray, pd.Index]:
        """Codes and distinct values of a raw column (NaN kept as a value), computed once."""
        found = self.factorized.get(name)
        if found is None:
            found = pd.factorize(self.frame[name], use_na_sentinel=False)
        elif isinstance(found, Future):
            found = found.result()
        self.factorized[name] = found
        return found

    def factorize_ahead(self) -> None:
        """Start factorizing the checked columns on two threads: hashing strings releases the GIL,
        so columns hash in parallel and behind the checks of earlier columns (10^6 rows on two
        cores: 0.55 s of factorizing in sequence costs ~0.2-0.3 s of wall time)."""
        if len(self.frame) < _PARALLEL_ROWS or not self.frame.columns.is_unique:
            return
        checked = {c.name for c in self.table.columns} | set(self.table.extra_columns)
        pool = ThreadPoolExecutor(max_workers=2)
        for name in self.frame.columns:
            if name in checked and name not in self.factorized:
                self.factorized[name] = pool.submit(pd.factorize, self.frame[name], use_na_sentinel=False)
        pool.shutdown(wait=False)  # queued columns still run; distinct() waits for each in turn


#: From this many rows on, columns are factorized on two threads (10^5 rows: 0.245 -> 0.223 s);
#: real annexes (~10^3 rows) stay on one thread.
_PARALLEL_ROWS = 50_000


#: Byte sequences that only UTF-8 writes (é, ë, ü ... and ‘ ’ “ ” – — €); never Dutch Windows-1252 text.
_UTF8_EVIDENCE = re.compile(rb"\xc3[\x80-\xbf]|\xe2\x80[\x80-\xbf]|\xe2\x82\xac")


def _row_of(data: bytes, offset: int, sep: str) -> int:
    """The spreadsheet row (1 = header) holding byte ``offset``: records, not lines, so that a
    cell with a line break in it does not shift the count. Any encoding of ours writes quotes,
    delimiters and line ends as the ASCII bytes, so the bytes are read as Latin-1 here."""
    prefix = data[:offset].decode("latin-1") + "x"  # "x": the record holding the offset is never empty
    return sum(1 for _ in csv.reader(io.StringIO(prefix, newline=""), delimiter=sep))


def _wide_encoding(data: bytes) -> str | None:
    """'UTF-32' or 'UTF-16' (with or without BOM: ASCII text with NUL bytes in its pattern)."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "UTF-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16"
    sample = data[:4096]
    sample = sample[: len(sample) // 4 * 4]
    if len(sample) < 8 or b"\x00" not in sample:
        return None

    def mostly_nul(part: bytes) -> bool:
        return part.count(0) >= 0.9 * len(part)

    lanes = [sample[i::4] for i in range(4)]
    if (b"\x00" not in lanes[0] and all(map(mostly_nul, lanes[1:]))) or (
        b"\x00" not in lanes[3] and all(map(mostly_nul, lanes[:3]))
    ):
        return "UTF-32"
    even, odd = sample[0::2], sample[1::2]
    if (b"\x00" not in even and mostly_nul(odd)) or (b"\x00" not in odd and mostly_nul(even)):
        return "UTF-16"
    return None


def _encoding(data: bytes, display: str, sep: str, problems: list[Problem]) -> str | None:
    """The encoding: UTF-8 (with or without BOM) first, then Windows-1252, as Excel writes it,
    when that is the most plausible reading (a Mac Roman or MS-DOS file is refused, named).

    Only the name: the CSV parser decodes, so an ASCII file (plain UTF-8) is not decoded here.
    A file that is partly UTF-8 and partly Windows-1252 (rows pasted from another export) is
    refused: read as either, some of its characters would silently change.
    """
    if data.isascii():
        return "utf-8-sig"
    try:
        data.decode("utf-8-sig")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        not_utf8 = exc.start
    if data.startswith(codecs.BOM_UTF8) or _UTF8_EVIDENCE.search(data):
        problems.append(problem(display, _row_of(data, not_utf8, sep), None, "load.mixed_encodings"))
        return None
    try:
        data.decode("cp1252")
    except UnicodeDecodeError as exc:
        problems.append(problem(display, _row_of(data, exc.start, sep), None, "load.not_utf8_nor_cp1252"))
        return None
    other = text_rules.likelier_single_byte(data)
    if other is not None:  # 'café één' saved by a Mac or DOS program would read 'cafŽ ŽŽn'
        name, offset, shown = other
        row = _row_of(data, offset, sep)
        problems.append(problem(display, row, None, f"load.encoding_{name}", example=visible(shown)))
        return None
    return "cp1252"


#: The ASCII characters str.strip() removes (bytes.strip() leaves \x1c-\x1f).
_ASCII_SPACE = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"


def _is_blank(body: bytes, encoding: str) -> bool:
    """Whether the decoded text is only whitespace, decoding only when it starts with a non-ASCII byte."""
    rest = body.lstrip(_ASCII_SPACE)
    return not rest or (rest[0] >= 0x80 and not rest.decode(encoding).strip())


def _delimited_line(body: bytes) -> str:
    """The header line, for its delimiter: line 1, or when that has no delimiter (a title or a
    blank row above the header) the first of the next lines that has one. Read as Latin-1: the
    delimiters are ASCII in every encoding we read."""
    lines = re.split(rb"\r\n|\r|\n", body[: 64 * 1024], maxsplit=HEADER_ROWS)[:HEADER_ROWS]
    return next((line.decode("latin-1") for line in lines if re.search(rb"[;,\t]", line)), lines[0].decode("latin-1"))


def _delimiter(header_line: str) -> str:
    """The delimiter of the header line: whichever of ; , tab occurs most outside quotes."""
    header = (next(csv.reader(io.StringIO(header_line + "\n"), delimiter="\x00"), None) or [""])[0]
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {sep: unquoted.count(sep) for sep in (";", ",", "\t")}
    return max(counts, key=counts.__getitem__) if any(counts.values()) else ","


#: Characters nobody sees in a header (BOM, zero-width space, soft hyphen ...): left out of names.
_HEADER_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")


def header_name(name) -> str:
    """A header as the contract names columns: lower case, spaces and hyphens as ``_``."""
    return re.sub(r"[\s\-]+", "_", _HEADER_INVISIBLE.sub("", str(name)).strip().lower())


def _normalise_headers(raw: RawTable) -> None:
    raw.written = [str(c) for c in raw.frame.columns]
    raw.frame.columns = [header_name(c) for c in raw.frame.columns]
    if raw.numbers is not None:
        raw.numbers.columns = raw.frame.columns


def _read_csv(
    entry: files.Entry, table: Table, problems: list[Problem], notes: list[Note], max_bytes: int
) -> RawTable | None:
    display = visible(entry.name)
    data = files.read(entry, display, problems, max_bytes)
    if data is None:
        return None
    if data.startswith(b"PK\x03\x04"):
        problems.append(problem(display, None, None, "load.csv_is_workbook"))
        return None
    kind = workbook.ole2_kind(data)
    if kind:
        problems.append(problem(display, None, None, f"load.csv_is_{kind}"))
        return None
    wide = _wide_encoding(data)
    if wide:
        problems.append(problem(display, None, None, "load.utf16" if wide == "UTF-16" else "load.utf32"))
        return None
    if b"\x00" in data:
        problems.append(problem(display, None, None, "load.binary"))
        return None
    # header and emptiness from the bytes: \r and \n are never part of a UTF-8 or cp1252 character;
    # only the file's first BOM is dropped (utf-8-sig would drop one at the start of any slice)
    body = data.removeprefix(codecs.BOM_UTF8)
    sep = _delimiter(_delimited_line(body))
    encoding = _encoding(data, display, sep, problems)
    if encoding is None:
        return None
    body_encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    if _is_blank(body, body_encoding):
        problems.append(problem(display, None, None, "load.empty_file"))
        return None
    header = 0
    if not re.split(rb"\r\n|\r|\n", body, maxsplit=1)[0].decode(body_encoding).strip(" \t;,"):
        found = _header_in_records(data, body_encoding, sep, table)  # blank rows above the header?
        if not (found and titles_only(found[1])):
            problems.append(problem(display, 1, None, "load.blank_header_row"))
            return None
        header = found[0]
    with ThreadPoolExecutor(max_workers=1) as pool:  # hashing releases the GIL: it overlaps the parse
        digest = pool.submit(lambda: hashlib.sha256(data).hexdigest())
        parsed = _parse_csv(data, encoding, sep, table, display, problems, notes, header)
    if parsed is None:
        return None
    frame, header_row = parsed
    return RawTable(table, display, frame, digest.result(), header_row=header_row)


def _parse_csv(
    data: bytes,
    encoding: str,
    sep: str,
    table: Table,
    display: str,
    problems: list[Problem],
    notes: list[Note],
    header: int = 0,
) -> tuple[pd.DataFrame, int] | None:
    """Every cell as text and the header's row, or None with the parser's complaint as a located problem."""
    try:
        # blank lines are kept (and dropped later) so that every row keeps its spreadsheet number
        # the bytes, not the decoded text: a str in StringIO costs 4 bytes per character;
        # low_memory=False parses in one go: 10^6 rows 1.2 s instead of 1.9 s, same peak memory
        frame = pd.read_csv(
            io.BytesIO(data),
            encoding=encoding,
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            low_memory=False,
            header=header,
        )
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        message = str(exc)
        fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
        if header == 0 and fields and int(fields.group(1)) < int(fields.group(3)):
            moved = _below_titles(data, encoding, sep, table, display, problems, notes)
            if moved is not False:
                return moved
        problems.append(_parser_problem(display, message, exc, header))
        return None
    if not isinstance(frame.index, pd.RangeIndex):
        # pandas makes the first column(s) an index when data rows have more fields than the header
        moved = _below_titles(data, encoding, sep, table, display, problems, notes) if header == 0 else False
        if moved is not False:
            return moved
        problems.append(problem(display, header + 2, None, "load.extra_fields", count=len(frame.columns), sep=sep))
        return None
    if header:
        frame.index = pd.RangeIndex(header, header + len(frame))  # index + 2 stays the spreadsheet row
        notes.append(Note("note.header_found", file=display, row=header + 1, above=header))
    return frame, header + 1


def _below_titles(
    data: bytes, encoding: str, sep: str, table: Table, display: str, problems: list[Problem], notes: list[Note]
) -> tuple[pd.DataFrame, int] | Literal[False] | None:
    """Row 1 has fewer fields than the rows below: is the header further down, below titles?
    The parse from there; None with the problem (rows with data above it); False: no header found."""
    found = _header_in_records(data, "utf-8" if encoding == "utf-8-sig" else encoding, sep, table)
    if not found or found[0] == 0:
        return False
    at, above, _ = found
    if not titles_only(above):
        problems.append(not_titles(display, at, above))
        return None
    return _parse_csv(data, encoding, sep, table, display, problems, notes, header=at)


def _header_in_records(data: bytes, encoding: str, sep: str, table: Table) -> tuple[int, list[list[str]], str] | None:
    """Where the header stands when title rows are above it: its record number (0 = row 1), the
    records above it and its text; None if no record of the first rows names every required column."""
    text = data[: 256 * 1024].decode(encoding, errors="replace").lstrip("\ufeff")
    required = {c.name for c in table.columns if c.required}
    records: list[list[str]] = []
    for record in itertools.islice(csv.reader(io.StringIO(text, newline=""), delimiter=sep), HEADER_ROWS):
        if required <= {header_name(f) for f in record}:
            return len(records), records, sep.join(record)
        records.append(record)
    return None


def titles_only(rows: list[list[str]]) -> bool:
    """Rows above a header that hold a title at most: no more than one filled cell each."""
    return all(sum(1 for cell in row if str(cell).strip()) <= 1 for row in rows)


def not_titles(display: str, at: int, above: list[list[str]]) -> Problem:
    first = next(i for i, row in enumerate(above) if sum(1 for cell in row if str(cell).strip()) > 1)
    example = " | ".join(str(c).strip() for c in above[first] if str(c).strip())
    return problem(display, at + 1, None, "load.header_below_data", first=first + 1, example=visible(example[:80]))


def _parser_problem(display: str, message: str, exc: Exception, header: int = 0) -> Problem:
    """The CSV parser's complaint in the user's terms, at the row it concerns (the parser counts
    records, as a spreadsheet counts rows)."""
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if fields:
        expected, row, saw = (int(g) for g in fields.groups())
        key = "load.field_count_title" if expected == 1 else "load.field_count"
        return problem(display, row + header, None, key, saw=saw, expected=expected)
    quote = re.search(r"EOF inside string starting at row (\d+)", message)  # 0-based: header = row 0
    if quote:
        return problem(display, int(quote.group(1)) + 1 + header, None, "load.unclosed_quote")
    line = re.search(r"line (\d+)", message)
    detail = message.strip().splitlines()[-1] if message.strip() else type(exc).__name__
    return problem(
        display, int(line.group(1)) + header if line else None, None, "load.csv_unreadable", detail=visible(detail)
    )


def close_name(target: str, names) -> str | None:
    """The file or sheet name most like ``target`` (ignoring case), for 'is it this one?' hints."""
    by_lower = {str(n).lower(): str(n) for n in names}
    match = difflib.get_close_matches(target.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[match[0]] if match else None


#: A field of nothing but whitespace in texts joined by NUL (str.strip's whitespace is re's \s).
_BLANK_FIELD = re.compile(r"(?:^|\x00)\s*(?:\x00|$)")


def _blank(uniques) -> np.ndarray:
    """Which distinct values are missing or only whitespace. The texts are joined and scanned
    once: stripping each of 10^5 distinct ids costs 0.1-0.2 s, the scan a few ms; only when
    the scan finds a blank field (or a value holding NUL) is every value stripped."""
    values = pd.Series(uniques, dtype=object)
    missing = values.isna().to_numpy()
    present = values[~missing].astype(str).to_numpy(dtype=object)
    if not _BLANK_FIELD.search("\x00".join(present)):
        return missing
    return values.fillna("").astype(str).str.strip().eq("").to_numpy(dtype=bool)


def _drop_blank_rows(raw: RawTable) -> None:
    """Leave out rows without any value (spreadsheets leave them); the index keeps the row numbers."""
    frame = raw.frame
    if frame.empty or not len(frame.columns):
        return
    if frame.columns.is_unique:  # the factorize is kept for checking the column
        codes, uniques = raw.distinct(frame.columns[0])
    else:
        codes, uniques = pd.factorize(frame.iloc[:, 0], use_na_sentinel=False)
    first_blank = _blank(uniques)
    candidates = frame[first_blank[codes]]
    if candidates.empty:
        return
    blank = candidates.fillna("").astype(str).apply(lambda col: col.str.strip().eq("")).all(axis=1)
    if blank.any():
        raw.frame = frame.drop(index=blank.index[blank.to_numpy()])
        raw.factorized.clear()  # the codes were for the rows before dropping


def gather(
    data_dir: Path, problems: list[Problem], notes: list[Note], max_bytes: int, given: Sequence[workbook.Book] = ()
) -> dict[str, RawTable]:
    """Find each table as ``<name>.csv`` or as a sheet of a workbook in the directory (or of a
    workbook ``given``, read by :func:`workbook.read` elsewhere, as if it stood there)."""
    entries = files.listing(data_dir, problems)
    if entries is None:
        return {}
    by_name = {e.name: e for e in entries}
    wanted = set(contract.BY_NAME)
    sheets: dict[str, tuple[workbook.Sheet, workbook.Book]] = {}
    titles: list[str] = []
    hidden: dict[str, tuple[str, str]] = {}  # table -> (workbook, sheet) where it is hidden
    books: list[str] = []
    unreadable = False
    refused: set[str] = set()  # tables on a sheet that could not be read (its problem is given)
    found = [
        (entry.name, lambda entry=entry: _read_workbook(entry, problems, max_bytes, wanted))
        for entry in entries
        if Path(entry.name).suffix.lower() in WORKBOOK_SUFFIXES and not entry.name.startswith(("~$", "."))
    ]
    found += [(book.name, lambda book=book: book) for book in given]
    for book_name, read_book in found:
        books.append(book_name)
        book = read_book()
        if book is None:
            unreadable = True
            continue
        titles.extend(book.titles)
        refused |= {title.strip().lower() for title in book.refused}
        for title in book.hidden:
            if title.strip().lower() in wanted:
                hidden.setdefault(title.strip().lower(), (book.name, title))
                notes.append(Note("note.hidden_sheet", book=book.name, sheet=visible(title)))
        for title in book.titles:
            if title.strip().lower() not in wanted:  # a sheet of notes, a pivot: named, never silently passed over
                notes.append(Note("note.sheet_not_read", book=book.name, sheet=visible(title)))
        for sheet in book.sheets:
            name = sheet.title.strip().lower()
            if name in sheets:
                other_sheet, other = sheets[name]
                if other is book:
                    problems.append(
                        problem(
                            book.name,
                            None,
                            None,
                            "load.two_sheets_one_table",
                            table=name,
                            first=visible(other_sheet.title),
                            second=visible(sheet.title),
                        )
                    )
                else:
                    problems.append(
                        problem(book.name, None, None, "load.table_in_two_workbooks", table=name, other=other.name)
                    )
                continue
            sheets[name] = (sheet, book)
        stem = Path(book_name).stem.strip().lower()
        if stem in wanted and stem not in {s.title.strip().lower() for s in book.sheets} and stem not in hidden:
            problems.append(
                problem(
                    book.name,
                    None,
                    None,
                    "load.workbook_named_like_table",
                    table=stem,
                    sheets=visible(", ".join(book.titles) or "-"),
                )
            )
    raws: dict[str, RawTable] = {}
    for table in contract.TABLES:
        entry = by_name.get(f"{table.name}.csv")
        if entry is not None and table.name in sheets:
            problems.append(
                problem(
                    entry.name,
                    None,
                    None,
                    "load.table_csv_and_sheet",
                    table=table.name,
                    other=f"{sheets[table.name][1].name}:{table.name}",
                )
            )
            continue
        if entry is not None:
            raw = _read_csv(entry, table, problems, notes, max_bytes) if files.usable(entry, problems) else None
        elif table.name in sheets:
            sheet, book = sheets[table.name]
            raw = RawTable(
                table, f"{book.name}:{table.name}", sheet.text, book.digest, numbers=sheet.numbers, issues=sheet.issues
            )
        else:
            raw = None
            near = files.near_misses(table.name, entries)
            problems.extend(near)  # a table that is there but cannot be used: never "absent"
            if (
                not near and not table.optional and not unreadable and table.name not in refused
            ):  # an unreadable workbook may hold it: that problem is reported
                problems.append(_missing(table, data_dir, entries, books, titles, hidden.get(table.name)))
        if raw is not None:
            _normalise_headers(raw)
            raw.factorize_ahead()
            _drop_blank_rows(raw)
            raws[table.name] = raw
    return raws


def _read_workbook(
    entry: files.Entry, problems: list[Problem], max_bytes: int, wanted: set[str]
) -> workbook.Book | None:
    if not files.usable(entry, problems):
        return None
    data = files.read(entry, visible(entry.name), problems, max_bytes, key="load.workbook_too_big")
    if data is None:
        return None
    return workbook.read(visible(entry.name), data, problems, max_bytes, wanted)


def _missing(
    table: Table,
    data_dir: Path,
    entries: list[files.Entry],
    books: list[str],
    titles: list[str],
    hidden: tuple[str, str] | None,
) -> Problem:
    """A required table that is neither ``<name>.csv`` nor a sheet: say where it was looked for."""
    wanted = f"{table.name}.csv"
    if hidden:
        return problem(hidden[0], None, None, "load.missing_sheet_hidden", table=table.name, sheet=visible(hidden[1]))
    if books:
        close = close_name(table.name, [n for n in titles if n.strip().lower() not in contract.BY_NAME])
        present = visible(", ".join(titles) or "-")
        if close:
            return problem(
                ", ".join(books),
                None,
                None,
                "load.missing_sheet_close",
                table=table.name,
                sheets=present,
                close=visible(close),
                wanted=wanted,
            )
        return problem(
            ", ".join(books), None, None, "load.missing_sheet", table=table.name, sheets=present, wanted=wanted
        )
    known = {f"{t.name}.csv" for t in contract.TABLES}
    close = close_name(wanted, [e.name for e in entries if e.name not in known])
    if close:
        return problem(
            wanted, None, None, "load.missing_file_close", folder=str(data_dir), close=visible(close), wanted=wanted
        )
    return problem(wanted, None, None, "load.missing_file", folder=str(data_dir))
