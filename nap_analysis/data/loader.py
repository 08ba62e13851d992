"""Read and check a data directory: the one loader for CSV (any Dutch Excel dialect) and .xlsx.

Accepts what spreadsheet users really export: ``;`` or ``,`` delimiters, UTF-8 with or
without BOM, Windows-1252, one workbook with a sheet per table, title rows above the header,
stray whitespace, Dutch and English number notation where it is unambiguous
(:mod:`.numbers`), Dutch date formats. Refuses everything else with *all* problems at once,
each naming file, spreadsheet row, column and (where one exists) the nearest valid value; each
message is a words key, said in the language of the run. Input files are only ever read, and
no state of the file system ends in an exception (:mod:`.files`).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import hashlib
import io
import itertools
import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, Problem, UsageError
from ..words import words
from . import contract, files, numbers, workbook
from . import text as text_rules
from . import vocabulary as v
from .contract import Column, Table
from .messages import Note, problem, visible

#: Largest input file read, in bytes; a bigger file is refused before it is read. A workbook
#: may also unpack to at most this many bytes.
MAX_BYTES = 64 * 1024 * 1024
#: How many rows with the same problem in one column are listed before summarising.
MAX_ROWS_PER_PROBLEM = 20
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
#: How many rows at the top of a file may hold titles (or be blank) above the header.
HEADER_ROWS = workbook.HEADER_ROWS

_MONTHS_NL = {
    "januari": 1,
    "jan": 1,
    "februari": 2,
    "feb": 2,
    "maart": 3,
    "mrt": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "augustus": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}


@dataclass
class Programme:
    """The validated data of one data directory: tidy tables with explicit dtypes."""

    data_dir: Path
    actielijnen: pd.DataFrame
    activities: pd.DataFrame
    motions: pd.DataFrame | None = None
    funds: pd.DataFrame | None = None
    milestones: pd.DataFrame | None = None
    indicators: pd.DataFrame | None = None
    status_labels: pd.DataFrame | None = None
    settings: pd.DataFrame | None = None
    reports: pd.DataFrame | None = None
    internal_phrases: pd.DataFrame | None = None
    bewindspersonen: pd.DataFrame | None = None
    files: dict[str, str] = field(default_factory=dict)  # table -> file (or file:sheet) used
    notes: list[str] = field(default_factory=list)  # what was skipped and why
    data_version: str = ""  # short SHA-256 over the input files

    @property
    def report_years(self) -> list[int]:
        return sorted(int(y) for y in self.activities["report_year"].unique())

    @property
    def latest_year(self) -> int:
        return self.report_years[-1]

    def report_year(self, year=None) -> int:
        """The report year asked for (None, '' or 'latest': the latest in the data), checked
        against every table that has report years: the one check of 'is this year in the data'."""
        if year in (None, "", "latest"):
            return self.latest_year
        text = str(year)
        if not (text.isascii() and text.isdigit() and len(text) == 4):
            raise UsageError("error.year_not_a_year", year=text)
        year = int(text)
        for name in ("activities", "motions"):
            table = getattr(self, name)
            if table is not None and year not in set(table["report_year"].tolist()):
                shown = ", ".join(str(y) for y in sorted(table["report_year"].unique()))
                raise UsageError("error.year_missing", year=year, file=self.files.get(name, name), years=shown)
        return year

    def previous_year(self, year: int) -> int | None:
        earlier = [y for y in self.report_years if y < year]
        return earlier[-1] if earlier else None

    def labels(self, year: int, language: str = "nl") -> dict[str, str]:
        """The words a briefing shows for each status code in that report year."""
        w = words(language)
        labels = {code: w[f"status.{code}"] for code in v.MOTION_STATUSES}
        table = self.status_labels
        if table is not None:
            rows = table[(table["report_year"] == year) & (table["language"] == language)]
            labels.update(zip(rows["status"].astype(str), rows["label"]))
        return labels

    def replaced_label(self, year: int, language: str, status: str) -> str:
        """The word a status's label replaced in that report (``status_labels.replaces``); '' where the
        data do not say."""
        table = self.status_labels
        if table is None or "replaces" not in table:
            return ""
        rows = table[(table["report_year"] == year) & (table["language"] == language) & (table["status"] == status)]
        value = rows["replaces"].iloc[0] if len(rows) else None
        return "" if value is None or pd.isna(value) else str(value)

    def actielijn_titles(self, language: str = "nl") -> dict[int, str]:
        column = "title_nl" if language == "nl" else "title_en"
        return dict(zip(self.actielijnen["actielijn"].astype(int), self.actielijnen[column]))

    def setting(self, name: str) -> float:
        """A setting of ``settings.csv``, or its documented default (:data:`contract.SETTINGS`)."""
        table = self.settings
        if table is not None:
            rows = table[table["setting"] == name]
            if len(rows):
                return float(rows["value"].iloc[0])
        return contract.SETTINGS[name]

    def report_date(self, year: int) -> dt.date | None:
        """The date of the report of ``year`` (``reports.csv``): what that report may know. None: not given."""
        return self._report_field(year, "report_date")

    def programme_end(self, year: int) -> dt.date | None:
        """The programme's end as known at the report of ``year`` (it was extended after the 2024 report)."""
        return self._report_field(year, "programme_end")

    def as_of(self, year: int) -> Programme:
        """The data as the report of ``year`` could know them, on its ``report_date``: monitor figures
        published after it left out, milestones reached after it back to planned. Without a report
        date: the data as they are. The one place where a report's knowledge ends."""
        until = self.report_date(year)
        if until is None:
            return self
        limit = pd.Timestamp(until)
        changed = {}
        if self.indicators is not None and "published" in self.indicators:
            known = _when_start(self.indicators["published"]) <= limit
            unknown = self.indicators["published"].astype(str) == ""
            changed["indicators"] = self.indicators[known | unknown].reset_index(drop=True)
        if self.milestones is not None:
            later = (self.milestones["actual"] > limit).fillna(False)
            if later.any():
                milestones = self.milestones.copy()
                milestones.loc[later, "actual"] = pd.NaT
                milestones.loc[later, "actual_precision"] = None
                changed["milestones"] = milestones
        return replace(self, **changed) if changed else self

    def _report_field(self, year: int, column: str) -> dt.date | None:
        table = self.reports
        if table is None:
            return None
        rows = table.loc[table["report_year"] == year, column]
        return None if rows.empty or pd.isna(rows.iloc[0]) else pd.Timestamp(rows.iloc[0]).date()


def _when_start(values: pd.Series) -> pd.Series:
    """The first day a 'when' text can mean ('2024-03' is 1 March 2024); NaT where empty."""
    text = values.astype(str)
    return pd.to_datetime(text.where(text.str.len() != 7, text + "-01"), errors="coerce", format="%Y-%m-%d")


# --------------------------------------------------------------------------- reading


@dataclass
class _Raw:
    """A table as text, before checking: every cell a string (workbook number cells also as numbers)."""

    table: Table
    display: str  # file name as the user knows it (with sheet for workbooks)
    frame: pd.DataFrame
    digest: str
    #: column -> (codes, distinct values), or its Future: dropping blank rows and checking share one factorize
    factorized: dict[str, tuple[np.ndarray, object] | Future] = field(default_factory=dict)
    #: workbooks: the value of each number cell (NaN elsewhere), same columns as ``frame``
    numbers: pd.DataFrame | None = None
    #: workbooks: merged cells and formulas without a result, checked once the header is known
    issues: list = field(default_factory=list)
    header_row: int = 1  # the spreadsheet row of the header (title rows may stand above it)
    written: list[str] = field(default_factory=list)  # the header as written, before normalising
    #: number column -> the convention (numbers.NL / numbers.EN / None) for its ambiguous texts
    conventions: dict[str, str | None] = field(default_factory=dict)

    def distinct(self, name: str) -> tuple[np.ndarray, object]:
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


#: nan, none and nat in any capitalisation (what str.lower() maps to them: no non-ASCII letter
#: lowers to n, a, t, o or e); a hashed isin instead of lowering every cell.
_NAN_WORDS = sorted(
    {"".join(c) for word in ("nan", "none", "nat") for c in itertools.product(*({ch, ch.upper()} for ch in word))}
)


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
    return max(counts, key=counts.get) if any(counts.values()) else ","


#: Characters nobody sees in a header (BOM, zero-width space, soft hyphen ...): left out of names.
_HEADER_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")


def header_name(name) -> str:
    """A header as the contract names columns: lower case, spaces and hyphens as ``_``."""
    return re.sub(r"[\s\-]+", "_", _HEADER_INVISIBLE.sub("", str(name)).strip().lower())


def _normalise_headers(raw: _Raw) -> None:
    raw.written = [str(c) for c in raw.frame.columns]
    raw.frame.columns = [header_name(c) for c in raw.frame.columns]
    if raw.numbers is not None:
        raw.numbers.columns = raw.frame.columns


def _read_csv(
    entry: files.Entry, table: Table, problems: list[Problem], notes: list[Note], max_bytes: int
) -> _Raw | None:
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
        if not (found and _titles_only(found[1])):
            problems.append(problem(display, 1, None, "load.blank_header_row"))
            return None
        header = found[0]
    with ThreadPoolExecutor(max_workers=1) as pool:  # hashing releases the GIL: it overlaps the parse
        digest = pool.submit(lambda: hashlib.sha256(data).hexdigest())
        parsed = _parse_csv(data, encoding, sep, table, display, problems, notes, header)
    if parsed is None:
        return None
    frame, header_row = parsed
    return _Raw(table, display, frame, digest.result(), header_row=header_row)


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
) -> tuple[pd.DataFrame, int] | None | bool:
    """Row 1 has fewer fields than the rows below: is the header further down, below titles?
    The parse from there; None with the problem (rows with data above it); False: no header found."""
    found = _header_in_records(data, "utf-8" if encoding == "utf-8-sig" else encoding, sep, table)
    if not found or found[0] == 0:
        return False
    at, above, _ = found
    if not _titles_only(above):
        problems.append(_not_titles(display, at, above))
        return None
    return _parse_csv(data, encoding, sep, table, display, problems, notes, header=at)


def _header_in_records(data: bytes, encoding: str, sep: str, table: Table) -> tuple[int, list[list[str]], str] | None:
    """Where the header stands when title rows are above it: its record number (0 = row 1), the
    records above it and its text; None if no record of the first rows names every required column."""
    text = data[: 256 * 1024].decode(encoding, errors="replace").lstrip("\ufeff")
    required = {c.name for c in table.columns if c.required}
    records = []
    for record in itertools.islice(csv.reader(io.StringIO(text, newline=""), delimiter=sep), HEADER_ROWS):
        if required <= {header_name(f) for f in record}:
            return len(records), records, sep.join(record)
        records.append(record)
    return None


def _titles_only(rows: list[list[str]]) -> bool:
    """Rows above a header that hold a title at most: no more than one filled cell each."""
    return all(sum(1 for cell in row if str(cell).strip()) <= 1 for row in rows)


def _not_titles(display: str, at: int, above: list[list[str]]) -> Problem:
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


def _close_name(target: str, names) -> str | None:
    """The file or sheet name most like ``target`` (ignoring case), for 'is it this one?' hints."""
    by_lower = {str(n).lower(): str(n) for n in names}
    match = difflib.get_close_matches(target.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[match[0]] if match else None


def _drop_blank_rows(raw: _Raw) -> None:
    """Leave out rows without any value (spreadsheets leave them); the index keeps the row numbers."""
    frame = raw.frame
    if frame.empty or not len(frame.columns):
        return
    if frame.columns.is_unique:  # the factorize is kept for checking the column
        codes, uniques = raw.distinct(frame.columns[0])
    else:
        codes, uniques = pd.factorize(frame.iloc[:, 0], use_na_sentinel=False)
    # strip the distinct values only
    first_blank = pd.Series(uniques, dtype=object).fillna("").astype(str).str.strip().eq("").to_numpy()
    candidates = frame[first_blank[codes]]
    if candidates.empty:
        return
    blank = candidates.fillna("").astype(str).apply(lambda col: col.str.strip().eq("")).all(axis=1)
    if blank.any():
        raw.frame = frame.drop(index=blank.index[blank.to_numpy()])
        raw.factorized.clear()  # the codes were for the rows before dropping


def _gather(
    data_dir: Path, problems: list[Problem], notes: list[Note], max_bytes: int, given: list[workbook.Book] = ()
) -> dict[str, _Raw]:
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
    raws: dict[str, _Raw] = {}
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
            raw = _Raw(
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
        close = _close_name(table.name, [n for n in titles if n.strip().lower() not in contract.BY_NAME])
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
    close = _close_name(wanted, [e.name for e in entries if e.name not in known])
    if close:
        return problem(
            wanted, None, None, "load.missing_file_close", folder=str(data_dir), close=visible(close), wanted=wanted
        )
    return problem(wanted, None, None, "load.missing_file", folder=str(data_dir))


# --------------------------------------------------------------------------- checking


def _rows(mask: pd.Series) -> list[int]:
    """Spreadsheet row numbers (header is row 1) of the True cells of a mask.

    The index holds the data-row number as read (0 = row 2), also after blank rows are dropped.
    """
    return [int(i) + 2 for i in mask.index[mask.to_numpy(dtype=bool, na_value=False)]]


def _report(problems: list[Problem], display: str, column: str, mask: pd.Series, message, values: pd.Series) -> None:
    """Add one problem per offending row (capped); ``message(value)`` gives its key and fields."""
    rows = _rows(mask)
    if not rows:
        return
    bad_values = values[mask].tolist()
    for row, value in zip(rows[:MAX_ROWS_PER_PROBLEM], bad_values):
        key, fields = message(value)
        problems.append(problem(display, row, column, key, **fields))
    if len(rows) > MAX_ROWS_PER_PROBLEM:
        problems.append(
            problem(
                display, rows[MAX_ROWS_PER_PROBLEM], column, "load.more_rows", count=len(rows) - MAX_ROWS_PER_PROBLEM
            )
        )


def _says(key: str, **fields):
    """A message for _report: ``key`` with the offending value (made visible) and ``fields``."""
    return lambda value: (key, {"value": visible(value), **fields})


def _suggesting(key: str, candidates, **fields):
    """As _says, with the nearest accepted word when there is one (``<key>_suggest``)."""

    def message(value):
        best = v.nearest(value, candidates)
        if best:
            return f"{key}_suggest", {"value": visible(value), "suggestion": best, **fields}
        return key, {"value": visible(value), **fields}

    return message


def _not_a_number(kind: str):
    def message(value):
        scientific = re.fullmatch(r"[+-]?[\d.,]+[eE][+-]?\d+", value.strip())
        return f"load.not_a_number_{kind}{'_scientific' if scientific else ''}", {"value": visible(value)}

    return message


def _ambiguous(value):
    found = numbers.readings(value)
    if found is None:  # not the ambiguous shape (cannot happen): say it is no number
        return "load.not_a_number_float", {"value": visible(value)}
    key = "load.number_ambiguous" if found["fraction"] else "load.number_ambiguous_whole"
    return key, {"value": visible(value), **found}


def _parse_date(text: pd.Series) -> pd.Series:
    """Dates as ISO (2023-01-13), Dutch (13-01-2023, 13/1/2023, 13.01.2023) or words (13 januari 2023)."""
    s = text.str.lower().str.replace(r"\s+00:00:00$", "", regex=True)
    iso = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
    dashed = s.str.replace(r"[/.]", "-", regex=True)
    worded = s.str.extract(r"^(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})$")
    month = worded[1].map(_MONTHS_NL)
    words_as_dashes = worded[0] + "-" + month.astype("Int64").astype(str) + "-" + worded[2]
    dashed = dashed.mask(month.notna(), words_as_dashes)
    dutch = pd.to_datetime(dashed, format="%d-%m-%Y", errors="coerce")
    return iso.fillna(dutch)


def _parse_month(text: pd.Series) -> pd.Series:
    """A month without a day as 'YYYY-MM': '2022-12', '12-2022', 'december 2022', 'dec. 2022'."""
    s = text.str.lower().str.strip()
    iso = s.str.extract(r"^(\d{4})-(\d{1,2})$")
    dutch = s.str.extract(r"^(\d{1,2})[-/](\d{4})$")
    worded = s.str.extract(r"^([a-z]+)\.?\s+(\d{4})$")
    year = iso[0].fillna(dutch[1]).fillna(worded[1])
    month = pd.to_numeric(iso[1].fillna(dutch[0]), errors="coerce").fillna(worded[0].map(_MONTHS_NL))
    ok = year.notna() & month.between(1, 12)
    return (year + "-" + month.astype("Int64").astype(str).str.zfill(2)).where(ok)


#: Characters a person cannot see, in an id they would make a second id that looks the same.
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00a0\u00ad\u061c\u115f\u1160\u180e\u2000-\u200f\u2028-\u202f"
    "\u205f-\u2064\u2066-\u206f\u3000\u3164\ufeff\ufff9-\ufffb]"
)


def _check_column(raw: _Raw, column: Column, problems: list[Problem]) -> tuple[pd.Series, np.ndarray | None]:
    """Convert one text column to its type, reporting every bad cell; returns the typed column
    and, when known, its factorize codes (-1 = missing) for the key check.

    Checks each distinct value once and spreads the result over the rows (status, year and
    source columns have a handful of values in 10^6 rows; string methods are Python loops).
    Only when a distinct value is bad are all rows checked, so every problem names its row.
    Workbook columns (which also hold number cells) are checked cell by cell.
    """
    if raw.numbers is not None:
        return _check_cells(raw, column, problems), None
    series = raw.frame[column.name]
    codes, uniques = raw.distinct(column.name)
    if len(uniques) == len(series):
        return _check_cells(raw, column, problems), None
    distinct = _Raw(
        raw.table,
        raw.display,
        pd.DataFrame({column.name: pd.Series(uniques, dtype=series.dtype, copy=False)}),
        raw.digest,
        conventions=raw.conventions,
    )
    found: list[Problem] = []
    typed = _check_cells(distinct, column, found)
    if found:
        return _check_cells(raw, column, problems), None
    if (raw.table.name, column.name) in _CATEGORICAL:  # _finish_types then only renames the categories
        value_codes, values = pd.factorize(typed)
        return pd.Series(
            pd.Categorical.from_codes(value_codes[codes], categories=values), index=series.index, name=typed.name
        ), None
    key_codes = None
    if column.name in raw.table.key:  # distinct texts can be one value (' 2016', '2016'): codes of the values
        key_codes = pd.factorize(typed)[0][codes]
    if typed.dtype == series.dtype and np.array_equal(typed.to_numpy(dtype=object), np.asarray(uniques, dtype=object)):
        return series, key_codes  # clean text needs no change: spreading it again would copy 10^6 cells
    return pd.Series(typed.array.take(codes), index=series.index, name=typed.name, copy=False), key_codes


def _stripped(series: pd.Series) -> pd.Series:
    """The text of a column without surrounding whitespace; only an empty cell is empty (the
    texts 'Nan', 'NONE' or 'null' are a surname, a party, a word)."""
    text = series.astype(str).str.strip()
    return text.mask(series.isna(), "") if series.hasnans else text


def _check_cells(raw: _Raw, column: Column, problems: list[Problem]) -> pd.Series:
    """_check_column cell by cell (vectorised over all rows)."""
    display, name = raw.display, column.name
    text = _stripped(raw.frame[name])
    empty = text == ""
    if not column.nullable:
        _report(problems, display, name, empty, lambda _: ("load.empty_cell", {}), text)
    if column.kind == "str":
        if name in raw.table.key:
            hidden = text.str.contains(_INVISIBLE)
            _report(problems, display, name, hidden, _says("load.invisible_in_key"), text)
        return text
    if column.kind in ("int", "float"):
        whole = column.kind == "int"
        number, ambiguous = numbers.parse(text).values(raw.conventions.get(name), whole)
        if raw.numbers is not None and name in raw.numbers.columns:  # number cells are numbers, exactly
            cells = raw.numbers[name].reindex(text.index)
            is_cell = cells.notna()
            number, ambiguous = number.where(~is_cell, cells), ambiguous & ~is_cell
        if whole:
            number = number.where(number.abs() < 2**53)  # beyond this a float is no longer an exact integer
        _report(problems, display, name, ambiguous, _ambiguous, text)
        bad = ~empty & number.isna() & ~ambiguous
        _report(problems, display, name, bad, _not_a_number(column.kind), text)
        if whole:
            fractional = ~bad & ~empty & ~ambiguous & (number % 1 != 0)
            _report(problems, display, name, fractional, _says("load.not_whole"), text)
        fields = {"minimum": f"{column.minimum:g}"} if column.minimum is not None else {}
        if column.maximum is not None:
            fields["maximum"] = f"{column.maximum:g}"
        low = number < column.minimum if column.minimum is not None else pd.Series(False, index=text.index)
        high = number > column.maximum if column.maximum is not None else pd.Series(False, index=text.index)
        key = "load.out_of_range" if column.maximum is not None else "load.below_minimum"
        _report(problems, display, name, low | high, _says(key, **fields), text)
        return number.round().astype("Int64") if whole else number.astype("Float64")
    if column.kind == "date":
        dates = _parse_date(text)
        _report(problems, display, name, ~empty & dates.isna(), _says("load.not_a_date"), text)
        return dates
    if column.kind == "when":
        dates = _parse_date(text)
        months = _parse_month(text)
        bad = ~empty & dates.isna() & months.isna()
        _report(problems, display, name, bad, _says("load.not_a_date_or_month"), text)
        day_text = dates.dt.strftime("%Y-%m-%d")
        return day_text.where(dates.notna(), months.fillna("")).where(~empty, "")
    if column.kind == "period":
        parts = text.str.extract(r"^([0-9]{4})(?:\s*[-–]\s*([0-9]{4}))?$")
        bad = ~empty & (parts[0].isna() | (parts[1].notna() & (parts[1] < parts[0])))
        _report(problems, display, name, bad, _says("load.not_a_period"), text)
        return text.str.replace(r"\s*[-–]\s*", "-", regex=True)
    if column.kind == "choice":
        lowered = text.str.lower()
        bad = ~empty & ~lowered.isin(column.choices)
        _report(
            problems,
            display,
            name,
            bad,
            _suggesting("load.not_allowed", column.choices, allowed=", ".join(column.choices)),
            text,
        )
        return lowered
    if column.kind == "status":
        codes = _map_status(text, column.accepted)
        bad = ~empty & codes.isna()
        allowed = ", ".join(sorted({w for w in column.accepted if " " in w or w.isalpha()}))
        _report(
            problems, display, name, bad, _suggesting("load.unknown_status", column.accepted, allowed=allowed), text
        )
        return codes
    raise ValueError(f"unknown column kind {column.kind!r}")  # a programming error, not bad data


def _map_status(text: pd.Series, accepted: dict[str, str]) -> pd.Series:
    """Vectorised status mapping for large tables: normalise once per distinct value."""
    uniques = pd.Series(text.unique())
    mapping = dict(zip(uniques, uniques.map(lambda s: accepted.get(v.normalise(s)) if s else None)))
    return text.map(mapping)


def _conventions(raw: _Raw) -> dict[str, str | None]:
    """For each number column, how its ambiguous texts are read (:mod:`.numbers`): by the other
    text cells of the column, else by the other number columns of the file."""
    evidence = {}
    for column in raw.table.columns:
        if column.kind not in ("int", "float") or column.name not in raw.frame.columns:
            continue
        if raw.numbers is None:  # on the distinct texts: a year column has a handful in 10^6 rows
            _, uniques = raw.distinct(column.name)
            text = _stripped(pd.Series(uniques, dtype=object))
        else:  # text cells only: a number cell has no separators
            text = _stripped(raw.frame[column.name])[raw.numbers[column.name].reindex(raw.frame.index).isna()]
        evidence[column.name] = numbers.parse(text[text != ""]).evidence()
    whole_file = set().union(*evidence.values()) if evidence else set()
    return {name: numbers.convention(found, whole_file) for name, found in evidence.items()}


def _header_problems(raw: _Raw) -> list[Problem]:
    """What is wrong with the header row as it stands (blank, repeated, unsplit, incomplete)."""
    table, frame, display = raw.table, raw.frame, raw.display
    row = raw.header_row
    names = [str(c) for c in frame.columns]
    if all(n.startswith("unnamed:") for n in names):
        return [problem(display, row, None, "load.blank_header_row")]
    # pandas renames a repeated header 'status' to 'status.1'; both spellings count as a repeat
    mangled = {m.group(1) for n in names if (m := re.fullmatch(r"(.+)\.[1-9]\d*", n)) and m.group(1) in names}
    duplicated = sorted(set(frame.columns[frame.columns.duplicated()]) | mangled)
    if duplicated:
        return [problem(display, row, visible(name), "load.duplicate_column") for name in duplicated]
    present = set(frame.columns)
    missing = [c for c in table.columns if c.required and c.name not in present]
    if len(names) == 1 and len(missing) > 1:
        # one column where several are needed: the header was not split (unsupported delimiter)
        marks = sorted(
            {ch for ch in names[0] if not ch.isalnum() and ch not in "_.()'\""}, key=names[0].count, reverse=True
        )
        if marks:
            return [problem(display, row, None, "load.header_not_split_mark", mark=visible(marks[0]))]
        return [problem(display, row, None, "load.header_not_split")]
    expected = {c.name for c in table.columns} | set(table.extra_columns)
    unknown = sorted(present - expected)
    found = []
    for column in missing:
        close = _close_name(column.name, unknown)  # the header as written, not normalised
        if close:
            found.append(problem(display, row, column.name, "load.missing_column_close", close=visible(close)))
        else:
            found.append(problem(display, row, column.name, "load.missing_column"))
    return found


def _find_header(raw: _Raw, problems: list[Problem], notes: list[Note]) -> str:
    """Title rows above the header: the first rows are searched for one that names every
    required column. Found below rows that hold at most a title each, it becomes the header
    (and a note says so): 'moved'; found below rows with data, that is a problem: 'refused';
    else 'absent'."""
    required = {c.name for c in raw.table.columns if c.required}
    frame = raw.frame
    top = frame.loc[frame.index < raw.header_row - 1 + HEADER_ROWS - 1]
    for index, values in zip(top.index, top.itertuples(index=False, name=None)):
        if not required <= {header_name(c) for c in values}:
            continue
        above = [["" if str(c).startswith("unnamed:") else w for c, w in zip(frame.columns, raw.written)]]
        above += [list(r) for r in frame.loc[frame.index < index].itertuples(index=False, name=None)]
        at = int(index) + 1  # the header's record number (0 = row 1)
        if not _titles_only(above):
            problems.append(_not_titles(raw.display, at, above))
            return "refused"
        columns = [header_name(c) if str(c).strip() else f"unnamed:_{i}" for i, c in enumerate(values)]
        raw.frame = frame.loc[frame.index > index].set_axis(columns, axis=1)
        if raw.numbers is not None:
            raw.numbers = raw.numbers.loc[raw.numbers.index > index].set_axis(columns, axis=1)
        raw.factorized.clear()
        raw.header_row = at + 1
        notes.append(Note("note.header_found", file=raw.display, row=at + 1, above=at))
        return "moved"
    return "absent"


def _cell_problems(raw: _Raw) -> list[Problem]:
    """Merged cells, formulas without a result, hidden rows and columns and struck-through text
    inside the table (below its title rows, in its named columns); the kinds that can come
    once per row (formulas, hidden rows, struck-through rows) capped like other problems."""
    known = {c.name for c in raw.table.columns} | set(raw.table.extra_columns)
    names = list(raw.frame.columns)
    found, formulas = [], []
    for issue in sorted(raw.issues, key=lambda i: (i.row, i.column)):
        if issue.last_row < raw.header_row:
            continue
        named = [names[c] for c in range(issue.column, min(issue.last_column + 1, len(names))) if names[c] in known]
        if not named:
            continue
        located = problem(raw.display, max(issue.row, raw.header_row), named[0], issue.key, **issue.fields)
        capped = issue.key in ("load.formula_uncached", "load.struck_through", "load.hidden_row")
        (formulas if capped else found).append(located)
    found += formulas[:MAX_ROWS_PER_PROBLEM]
    if len(formulas) > MAX_ROWS_PER_PROBLEM:
        rest = formulas[MAX_ROWS_PER_PROBLEM]
        found.append(
            problem(raw.display, rest.row, rest.column, "load.more_cells", count=len(formulas) - MAX_ROWS_PER_PROBLEM)
        )
    return found


def _check_table(raw: _Raw, problems: list[Problem], notes: list[Note]) -> pd.DataFrame | None:
    table, frame, display = raw.table, raw.frame, raw.display
    found = _header_problems(raw)
    if found and not (len(frame.columns) == 1 and len(found) == 1 and "header_not_split" in found[0].message):
        moved = _find_header(raw, problems, notes)
        if moved == "refused":
            return None
        if moved == "moved":
            found = _header_problems(raw)
    if found:
        problems.extend(found)
        return None
    cells = _cell_problems(raw)
    if cells:  # a merged or uncalculated cell would only come back as an empty one
        problems.extend(cells)
        return None
    frame = raw.frame
    if frame.empty:
        problems.append(problem(display, None, None, "load.header_only"))
        return None
    _clean_text(raw, problems)
    frame = raw.frame
    present = set(frame.columns)
    raw.conventions = _conventions(raw)
    typed = {}
    key_codes: dict[str, np.ndarray | None] = {}
    for column in table.columns:
        if column.name in present:
            typed[column.name], key_codes[column.name] = _check_column(raw, column, problems)
        else:
            typed[column.name] = pd.Series(column.default, index=frame.index, dtype="str")
    for extra in table.extra_columns:
        if extra in present:
            codes, uniques = raw.distinct(extra)
            stripped = pd.Series(uniques, dtype=frame[extra].dtype).astype(str).str.strip()
            typed[extra] = pd.Series(stripped.array.take(codes), index=frame.index, name=extra, copy=False)
    result = pd.DataFrame(typed, copy=False)  # pandas 3 would copy every column
    _check_identities(result, raw, problems)
    if table.key:
        dup = _duplicate_keys(result, table.key, key_codes)
        first_rows = (
            result[dup].groupby(list(table.key), observed=True).apply(lambda g: [int(i) + 2 for i in g.index])
            if dup.any()
            else []
        )
        for key, rows in first_rows.items() if len(first_rows) else []:
            key_text = ", ".join(
                f"{k}={visible(val)}" for k, val in zip(table.key, key if isinstance(key, tuple) else (key,))
            )
            problems.append(problem(display, rows[1], table.key[0], "load.duplicate_key", values=key_text, row=rows[0]))
    return result


def _clean_text(raw: _Raw, problems: list[Problem]) -> None:
    """Every checked column as :mod:`.text` says: control characters and spreadsheet error
    values refused with their cells, texts in NFC with Word's line break as a line break; on
    the distinct values (a handful in 10^6 rows)."""
    checked = {c.name for c in raw.table.columns} | set(raw.table.extra_columns)
    for name in [c for c in raw.frame.columns if c in checked]:
        codes, uniques = raw.distinct(name)
        distinct = pd.Series(uniques, dtype=object)
        if text_rules.plain(distinct):  # one scan of all distinct texts at once: 10^6 cells, ~10 ms
            continue
        shown = raw.frame[name].astype(str)
        control = text_rules.control_characters(distinct)
        bad = control.notna().to_numpy()
        if bad.any():
            _report(problems, raw.display, name, pd.Series(bad[codes], index=raw.frame.index), _control_message, shown)
        errors = text_rules.error_values(distinct).to_numpy()
        if errors.any():
            mask = pd.Series(errors[codes], index=raw.frame.index)
            _report(problems, raw.display, name, mask, _says("load.error_value"), shown.str.strip())
        cleaned = text_rules.normalised(distinct)
        if cleaned is not distinct:
            column = raw.frame[name]
            raw.frame[name] = pd.Series(cleaned.to_numpy(dtype=object)[codes], index=column.index).astype(column.dtype)
            raw.factorized.pop(name, None)


def _control_message(value: str):
    character = text_rules.CONTROL.search(value).group()
    return "load.control_character", {"value": visible(value), "character": text_rules.character_name(character)}


def _check_identities(result: pd.DataFrame, raw: _Raw, problems: list[Problem]) -> None:
    """Ids (the text parts of a key) that are one id written two ways, or that mix scripts."""
    for name in raw.table.key:
        if raw.table.column(name).kind != "str" or name not in raw.frame.columns:
            continue
        codes, uniques = pd.factorize(result[name])
        distinct = pd.Series(uniques, dtype=object).astype(str)

        def row(position: int, codes=codes) -> int:  # only for the (rare) ids named in a problem
            return int(result.index[int(np.argmax(codes == position))]) + 2

        for i, j in text_rules.near_duplicates(distinct):
            problems.append(
                problem(
                    raw.display,
                    row(j),
                    name,
                    "load.near_duplicate_id",
                    value=visible(distinct[j]),
                    other=visible(distinct[i]),
                    row=row(i),
                    difference=visible(text_rules.difference(distinct[j], distinct[i])),
                )
            )
        if "".join(distinct).isascii():
            continue
        for position in np.flatnonzero(~distinct.map(str.isascii).to_numpy(dtype=bool)):
            found = text_rules.scripts(distinct[position])
            if len(found) > 1:
                problems.append(
                    problem(
                        raw.display,
                        row(int(position)),
                        name,
                        "load.mixed_script_id",
                        value=visible(distinct[position]),
                        scripts=", ".join(sorted(s.title() for s in found)),
                    )
                )


def _duplicate_keys(result: pd.DataFrame, key: tuple[str, ...], key_codes: dict[str, np.ndarray | None]) -> pd.Series:
    """Rows whose complete key occurs more than once, as result.duplicated(key, keep=False) on
    rows without a missing key part, but on integer codes: the columns' factorize is reused."""
    combined = np.zeros(len(result), dtype=np.int64)
    size = 1  # combined < size
    complete = np.ones(len(result), dtype=bool)
    for name in key:
        codes = key_codes.get(name)
        if codes is None:
            codes = pd.factorize(result[name])[0]
        complete &= codes >= 0
        width = int(codes.max(initial=-1)) + 2  # code -1 (missing) becomes 0
        if size * width > 2**62:  # renumber densely so that the product cannot overflow
            combined, uniques = pd.factorize(combined)
            size = len(uniques)
        combined = combined * width + (codes + 1)
        size *= width
    if size <= 8 * len(combined) + 2**20:  # counting is much cheaper than hashing 10^6 integers
        dup = np.bincount(combined, minlength=size)[combined] > 1
    else:
        dup = pd.Series(combined, copy=False).duplicated(keep=False).to_numpy()
    return pd.Series(dup & complete, index=result.index)


#: Columns that _finish_types makes categorical (none is part of a key); checked as categoricals
#: already, so that 10^6 status words are not looked up twice.
_CATEGORICAL = {
    ("activities", "status"),
    ("activities", "status_basis"),
    ("motions", "status"),
    ("motions", "status_basis"),
    ("motions", "kind"),
}


def _finish_types(name: str, frame: pd.DataFrame, actielijnen: list[int]) -> pd.DataFrame:
    """Explicit dtypes: categoricals for statuses, action lines and bases; ints for years."""
    frame = frame.reset_index(drop=True)  # row numbers were only needed for messages
    if "report_year" in frame:
        frame["report_year"] = frame["report_year"].astype("int64")
    if name in ("activities", "motions"):
        statuses = v.ACTIVITY_STATUSES if name == "activities" else v.MOTION_STATUSES
        frame["status"] = pd.Categorical(frame["status"], categories=statuses, ordered=True)
        frame["status_basis"] = pd.Categorical(frame["status_basis"], categories=v.STATUS_BASES)
    if name == "activities":
        # the action lines are sorted small integers: a binary search instead of hashing 10^6 values
        values = frame["actielijn"].to_numpy(dtype="int64")
        at = np.searchsorted(actielijnen, values).clip(max=max(len(actielijnen) - 1, 0))
        known = np.asarray(actielijnen, dtype="int64")[at] == values
        frame["actielijn"] = pd.Categorical.from_codes(np.where(known, at, -1), categories=actielijnen)
    if name == "motions":
        frame["kind"] = pd.Categorical(frame["kind"], categories=v.MOTION_KINDS)
    if name == "actielijnen":
        frame["actielijn"] = frame["actielijn"].astype("int64")
        frame = frame.sort_values("actielijn", ignore_index=True)
    if name == "funds":
        bounds = frame["period"].str.extract(r"^(\d{4})(?:-(\d{4}))?$")
        frame["period_start"] = pd.to_numeric(bounds[0]).astype("Int64")
        frame["period_end"] = pd.to_numeric(bounds[1].fillna(bounds[0])).astype("Int64")
        frame["amount_eur"] = frame["amount_eur"].astype("float64")
    if name == "milestones":
        for column in ("planned", "actual"):
            text = frame[column].astype(str)
            month = text.str.fullmatch(r"\d{4}-\d{2}")
            frame[f"{column}_precision"] = pd.Series(np.where(month, "month", "day"), index=frame.index).where(
                text != ""
            )
            frame[column] = pd.to_datetime(text.where(~month, text + "-01").where(text != ""), format="%Y-%m-%d")
    if name == "indicators":
        frame["year"] = frame["year"].astype("int64")
        frame["percent"] = frame["percent"].astype("float64")
    if name == "status_labels":
        frame["report_year"] = frame["report_year"].astype("int64")
    return frame


def load(data_dir: str | Path, *, max_bytes: int = MAX_BYTES, books: list[workbook.Book] = ()) -> Programme:
    """Read, check and type every table of a data directory; raise DataError with all problems.

    ``books``: workbooks already read with :func:`workbook.read` (``collect`` reads a returned
    workbook once, sets aside the rows left empty, and has it checked here as if it stood in
    ``data_dir``), so that one reader and one set of rules judge every workbook.
    """
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    notes: list[Note] = []
    raws = _gather(data_dir, problems, notes, max_bytes, list(books))  # also reports missing required tables
    checked = {name: _check_table(raw, problems, notes) for name, raw in raws.items()}
    if problems:
        raise DataError(problems)
    actielijnen = sorted(int(a) for a in checked["actielijnen"]["actielijn"])
    _check_references(checked, raws, actielijnen, problems)
    if problems:
        raise DataError(problems)
    tables = {name: _finish_types(name, frame, actielijnen) for name, frame in checked.items()}
    notes += [
        Note(f"note.absent.{table.name}") for table in contract.TABLES if table.optional and table.name not in tables
    ]
    digest = hashlib.sha256("".join(f"{n}:{raws[n].digest}" for n in sorted(raws)).encode()).hexdigest()
    return Programme(
        data_dir=data_dir,
        files={name: raw.display for name, raw in raws.items()},
        notes=notes,
        data_version=digest[:12],
        **tables,
    )


def _check_references(
    checked: dict[str, pd.DataFrame], raws: dict[str, _Raw], actielijnen: list[int], problems: list[Problem]
) -> None:
    """What one table says about another: action lines exist, report years agree, funds rules."""
    _check_actielijnen(checked, raws, actielijnen, problems)
    _check_bewindspersonen(checked, raws, problems)
    _check_report_years(checked, raws, problems)
    if "funds" in checked:
        _check_funds(checked["funds"], raws["funds"].display, problems)
    if "indicators" in checked:
        _check_percent_fractions(checked["indicators"], raws["indicators"], problems)


def _check_percent_fractions(indicators: pd.DataFrame, raw: _Raw, problems: list[Problem]) -> None:
    """'0,109' in a column of percentages: 10,9 % typed as a fraction, or 0,109 %? Refused with
    both readings, as an ambiguous thousands separator is (:func:`numbers.percent_fractions`)."""
    mask, low, high = numbers.percent_fractions(indicators)
    if not mask.any():
        return
    written = _stripped(raw.frame["percent"]).reindex(indicators.index)

    def message(row_index):
        value = float(indicators.at[row_index, "percent"])
        fields = {"value": visible(written[row_index]), "percent": f"{value * 100:g}"}
        if pd.isna(low[row_index]):
            return "load.percent_fraction_all", fields
        return "load.percent_fraction", {**fields, "low": f"{low[row_index]:g}", "high": f"{high[row_index]:g}"}

    _report(problems, raw.display, "percent", mask, message, pd.Series(indicators.index, index=indicators.index))


def _check_report_years(checked: dict[str, pd.DataFrame], raws: dict[str, _Raw], problems: list[Problem]) -> None:
    """Every report year of the activities is in the motions and the other way round: a run
    for a year needs both annexes of that year (Programme.report_year asks the same)."""
    if "motions" not in checked:
        return
    years = {
        name: {int(y) for y in checked[name]["report_year"].dropna().unique()} for name in ("activities", "motions")
    }
    for name, other in (("activities", "motions"), ("motions", "activities")):
        for year in sorted(years[name] - years[other]):
            problems.append(
                problem(
                    raws[other].display,
                    None,
                    "report_year",
                    "load.report_year_missing",
                    year=year,
                    other=raws[name].display,
                )
            )


def _check_funds(funds: pd.DataFrame, display: str, problems: list[Problem]) -> None:
    """An amount is given exactly when the status says there is money (not 'no_funds')."""
    none = funds["status"] == "no_funds"
    amount = funds["amount_eur"].notna()
    _report(problems, display, "amount_eur", ~none & ~amount, lambda _: ("load.amount_required", {}), funds["status"])
    _report(
        problems, display, "amount_eur", none & amount, lambda _: ("load.amount_with_no_funds", {}), funds["status"]
    )


def _check_bewindspersonen(checked: dict[str, pd.DataFrame], raws: dict[str, _Raw], problems: list[Problem]) -> None:
    """Every code in activities.bewindspersoon is a row of bewindspersonen.csv (which must exist to use it)."""
    named = checked["activities"]["bewindspersoon"].astype(str)
    if not named.str.strip().ne("").any():
        return
    table = checked.get("bewindspersonen")
    known = set() if table is None else set(table["code"].astype(str))
    where = raws["bewindspersonen"].display if table is not None else "bewindspersonen.csv"
    codes = named.str.split(";").map(lambda parts: [p.strip() for p in parts if p.strip()])
    unknown = codes.map(lambda parts: [p for p in parts if p not in known])
    bad = unknown.map(bool)
    shown = unknown.map(lambda parts: ", ".join(parts))
    allowed = ", ".join(sorted(known)) or "-"
    _report(
        problems,
        raws["activities"].display,
        "bewindspersoon",
        bad,
        _says("load.unknown_bewindspersoon", file=where, known=allowed),
        shown,
    )


def _check_actielijnen(
    checked: dict[str, pd.DataFrame], raws: dict[str, _Raw], actielijnen: list[int], problems: list[Problem]
) -> None:
    """Action lines used by activities must exist in actielijnen."""
    activities = checked["activities"]
    # on the distinct action lines (a handful in 10^6 rows); missing is never a known one
    codes, uniques = pd.factorize(activities["actielijn"], use_na_sentinel=False)
    unknown = pd.Series(
        ~pd.Series(uniques).isin(actielijnen).to_numpy(dtype=bool, na_value=False)[codes], index=activities.index
    )
    if not unknown.any():
        return
    known = ", ".join(str(a) for a in actielijnen)
    _report(
        problems,
        raws["activities"].display,
        "actielijn",
        unknown,
        _says("load.unknown_actielijn", file=raws["actielijnen"].display, known=known),
        activities["actielijn"].astype(str),
    )
