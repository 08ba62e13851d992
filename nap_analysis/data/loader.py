"""Read and check a data directory: the one loader for CSV (any Dutch Excel dialect) and .xlsx.

Accepts what spreadsheet users really export: ``;`` or ``,`` delimiters, UTF-8 with or
without BOM, Windows-1252, one workbook with a sheet per table, stray whitespace, Dutch
number and date formats. Refuses everything else with *all* problems at once, each naming
file, spreadsheet row, column and (where one exists) the nearest valid value. Input files
are only ever read.
"""
from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import io
import itertools
import re
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, Problem, UsageError
from ..words import words
from . import contract
from . import vocabulary as v
from .contract import Column, Table

#: Largest input file read, in bytes; a bigger file is refused before it is read.
MAX_BYTES = 64 * 1024 * 1024
#: How many rows with the same problem in one column are listed before summarising.
MAX_ROWS_PER_PROBLEM = 20
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

_MONTHS_NL = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "april": 4, "apr": 4,
    "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
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


# --------------------------------------------------------------------------- reading


@dataclass
class _Raw:
    """A table as text, before checking: every cell a stripped string."""

    table: Table
    display: str  # file name as the user knows it (with sheet for workbooks)
    frame: pd.DataFrame
    digest: str
    #: column -> (codes, distinct values), or its Future: dropping blank rows and checking share one factorize
    factorized: dict[str, tuple[np.ndarray, object] | Future] = field(default_factory=dict)

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


def _located(problems: list[Problem], display: str, message: str) -> None:
    problems.append(Problem(display, None, None, message))


#: nan, none and nat in any capitalisation (what str.lower() maps to them: no non-ASCII letter
#: lowers to n, a, t, o or e); a hashed isin instead of lowering every cell.
_NAN_WORDS = sorted({"".join(c) for word in ("nan", "none", "nat")
                     for c in itertools.product(*({ch, ch.upper()} for ch in word))})


#: From this many rows on, columns are factorized on two threads (10^5 rows: 0.245 -> 0.223 s);
#: real annexes (~10^3 rows) stay on one thread.
_PARALLEL_ROWS = 50_000


#: Byte sequences that only UTF-8 writes (é, ë, ü ... and ‘ ’ “ ” – — €); never Dutch Windows-1252 text.
_UTF8_EVIDENCE = re.compile(rb"\xc3[\x80-\xbf]|\xe2\x80[\x80-\xbf]|\xe2\x82\xac")


def _line_of(data: bytes, offset: int) -> int:
    """The line (1 = header) holding byte ``offset``, for LF, CRLF and CR-only files."""
    newline = b"\n" if b"\n" in data else b"\r"
    return data[:offset].count(newline) + 1


def _encoding(data: bytes, display: str, problems: list[Problem]) -> str | None:
    """The encoding: UTF-8 (with or without BOM) first, then Windows-1252, as Excel writes it.

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
        problems.append(Problem(display, _line_of(data, not_utf8), None,
                                "mengt UTF-8 en Windows-1252 (hier begint tekst die geen UTF-8 is); "
                                "sla het hele bestand opnieuw op als 'CSV UTF-8'"))
        return None
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError as exc:
        problems.append(Problem(display, _line_of(data, exc.start), None, "tekens die geen UTF-8 en geen Windows-1252 zijn; sla het bestand op als 'CSV UTF-8'"))
        return None


#: The ASCII characters str.strip() removes (bytes.strip() leaves \x1c-\x1f).
_ASCII_SPACE = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"


def _is_blank(body: bytes, encoding: str) -> bool:
    """Whether the decoded text is only whitespace, decoding only when it starts with a non-ASCII byte."""
    rest = body.lstrip(_ASCII_SPACE)
    return not rest or (rest[0] >= 0x80 and not rest.decode(encoding).strip())


def _delimiter(header_line: str) -> str:
    """The delimiter of the header line: whichever of ; , tab occurs most outside quotes."""
    header = next(csv.reader(io.StringIO(header_line + "\n"), delimiter="\x00"), [""])[0]
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {sep: unquoted.count(sep) for sep in (";", ",", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def _normalise_headers(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [re.sub(r"[\s\-]+", "_", str(c).replace("\ufeff", "").strip().lower()) for c in frame.columns]
    return frame


def _read_csv(path: Path, table: Table, display: str, problems: list[Problem], max_bytes: int) -> _Raw | None:
    size = path.stat().st_size
    if size > max_bytes:
        _located(problems, display, f"bestand is {size / 1e6:.1f} MB; de grens is {max_bytes / 1e6:.0f} MB (te groot voor een bijlage; is dit het goede bestand?)")
        return None
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        _located(problems, display, "dit is een Excel-werkmap met de extensie .csv; sla het op als CSV of noem het .xlsx")
        return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _located(problems, display, "is opgeslagen als UTF-16 ('Unicode-tekst'); sla het op als 'CSV UTF-8' of 'CSV (gescheiden door lijstscheidingsteken)'")
        return None
    if b"\x00" in data:
        _located(problems, display, "bevat binaire inhoud (geen tekst); is dit wel een CSV-bestand?")
        return None
    encoding = _encoding(data, display, problems)
    if encoding is None:
        return None
    # header and emptiness from the bytes: \r and \n are never part of a UTF-8 or cp1252 character;
    # only the file's first BOM is dropped (utf-8-sig would drop one at the start of any slice)
    body = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    body_encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    if _is_blank(body, body_encoding):
        _located(problems, display, "bestand is leeg")
        return None
    line_end = re.search(rb"[\r\n]", body)
    header_line = body[:line_end.start() if line_end else len(body)].decode(body_encoding)
    if not header_line.strip(" \t;,"):
        problems.append(Problem(display, 1, None, "lege rij; de kopregel met de kolomnamen moet op rij 1 staan"))
        return None
    sep = _delimiter(header_line)
    with ThreadPoolExecutor(max_workers=1) as pool:  # hashing releases the GIL: it overlaps the parse
        digest = pool.submit(lambda: hashlib.sha256(data).hexdigest())
        frame = _parse_csv(data, encoding, sep, display, problems)
    if frame is None:
        return None
    return _Raw(table, display, frame, digest.result())


def _parse_csv(data: bytes, encoding: str, sep: str, display: str, problems: list[Problem]) -> pd.DataFrame | None:
    """Every cell as text, or None with the parser's complaint as a located problem."""
    try:
        # blank lines are kept (and dropped later) so that every row keeps its spreadsheet number
        # the bytes, not the decoded text: a str in StringIO costs 4 bytes per character;
        # low_memory=False parses in one go: 10^6 rows 1.2 s instead of 1.9 s, same peak memory
        frame = pd.read_csv(
            io.BytesIO(data), encoding=encoding, sep=sep, dtype=str, keep_default_na=False,
            na_filter=False, skip_blank_lines=False, low_memory=False,
        )
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        problems.append(_parser_problem(display, str(exc), exc))
        return None
    if not isinstance(frame.index, pd.RangeIndex):
        # pandas makes the first column(s) an index when data rows have more fields than the header
        problems.append(Problem(display, 2, None, f"meer velden dan de kopregel ({len(frame.columns)} kolommen); "
                                                  f"staat er een '{sep}' te veel aan het eind van de regels?"))
        return None
    return frame


def _parser_problem(display: str, message: str, exc: Exception) -> Problem:
    """The CSV parser's complaint in the user's terms, at the row it concerns."""
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if fields:
        expected, row, saw = (int(g) for g in fields.groups())
        hint = "; staat er een titel boven de kopregel?" if expected == 1 else ""
        return Problem(display, row, None, f"{saw} velden in deze rij, {expected} in de kopregel; "
                                           f"controleer scheidingstekens en aanhalingstekens{hint}")
    quote = re.search(r"EOF inside string starting at row (\d+)", message)  # 0-based: header = row 0
    if quote:
        return Problem(display, int(quote.group(1)) + 1, None,
                       "een aanhalingsteken (\") in deze rij wordt nergens gesloten; de rest van het bestand zou in één cel belanden")
    line = re.search(r"line (\d+)", message)
    detail = message.strip().splitlines()[-1] if message.strip() else type(exc).__name__
    return Problem(display, int(line.group(1)) if line else None, None,
                   f"niet te lezen als CSV ({detail}); controleer scheidingsteken en aanhalingstekens")


def _read_workbook(path: Path, problems: list[Problem], max_bytes: int) -> dict[str, tuple[pd.DataFrame, str, str]] | None:
    """Every sheet of a workbook as text frames, keyed by normalised sheet name (None: unreadable)."""
    size = path.stat().st_size
    if size > max_bytes:
        _located(problems, path.name, f"werkmap is {size / 1e6:.1f} MB; de grens is {max_bytes / 1e6:.0f} MB")
        return None
    data = path.read_bytes()
    try:
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=str, keep_default_na=False, na_filter=False, engine="openpyxl")
    except zipfile.BadZipFile:
        _located(problems, path.name, "werkmap niet te openen: dit is geen Excel-werkmap (een .xlsx is een zip-bestand, dit niet); "
                                      "sla het opnieuw op als 'Excel-werkmap (.xlsx)'")
        return None
    except Exception as exc:  # openpyxl raises many kinds for corrupt files
        _located(problems, path.name, f"werkmap niet te openen ({type(exc).__name__}: {exc})")
        return None
    digest = hashlib.sha256(data).hexdigest()
    return {str(name).strip().lower(): (frame, digest, str(name)) for name, frame in sheets.items()}


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
    first_blank = pd.Series(uniques, dtype=object).astype(str).str.strip().isin(["", "nan", "None"]).to_numpy()
    candidates = frame[first_blank[codes]]
    if candidates.empty:
        return
    blank = candidates.astype(str).apply(lambda col: col.str.strip().isin(["", "nan", "None", "NaT"])).all(axis=1)
    if blank.any():
        raw.frame = frame.drop(index=blank.index[blank.to_numpy()])
        raw.factorized.clear()  # the codes were for the rows before dropping


def _gather(data_dir: Path, problems: list[Problem], max_bytes: int) -> dict[str, _Raw]:
    """Find each table as ``<name>.csv`` or as a sheet of a workbook in the directory."""
    raws: dict[str, _Raw] = {}
    workbooks = sorted(p for p in data_dir.iterdir() if p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith("~$"))
    sheets: dict[str, tuple[pd.DataFrame, str, str]] = {}
    sheet_names: list[str] = []
    unreadable = False
    for book in workbooks:
        read = _read_workbook(book, problems, max_bytes)
        if read is None:
            unreadable = True
            continue
        for name, (frame, digest, original) in read.items():
            sheet_names.append(original)
            if name in sheets and name in contract.BY_NAME:
                other = sheets[name][2].rsplit(":", 1)[0]
                _located(problems, book.name, f"tabel '{name}' staat ook in {other}; houd één werkmap over")
                continue
            sheets[name] = (frame, digest, f"{book.name}:{name}")
    for table in contract.TABLES:
        path = data_dir / f"{table.name}.csv"
        if path.is_file() and table.name in sheets:
            _located(problems, path.name, f"tabel '{table.name}' staat zowel in dit bestand als in {sheets[table.name][2]}; houd er één")
            continue
        if path.is_file():
            raw = _read_csv(path, table, path.name, problems, max_bytes)
        elif table.name in sheets:
            frame, digest, display = sheets[table.name]
            raw = _Raw(table, display, frame.astype(str), digest)
        else:
            raw = None
            if not table.optional and not unreadable:  # an unreadable workbook may hold it: that problem is reported
                problems.append(_missing(table, data_dir, [b.name for b in workbooks], sheet_names))
        if raw is not None:
            _normalise_headers(raw.frame)
            raw.factorize_ahead()
            _drop_blank_rows(raw)
            raws[table.name] = raw
    return raws


def _missing(table: Table, data_dir: Path, workbooks: list[str], sheet_names: list[str]) -> Problem:
    """A required table that is neither ``<name>.csv`` nor a sheet: say where it was looked for."""
    wanted = f"{table.name}.csv"
    if workbooks:
        close = _close_name(table.name, [n for n in sheet_names if n.strip().lower() not in contract.BY_NAME])
        hint = f"; staat er '{close}'? noem het blad '{table.name}'" if close else ""
        present = ", ".join(sheet_names) or "geen"
        return Problem(", ".join(workbooks), None, None,
                       f"verplicht blad '{table.name}' ontbreekt (bladen: {present}){hint}; en er is ook geen {wanted}")
    known = {f"{t.name}.csv" for t in contract.TABLES}
    others = [p.name for p in data_dir.iterdir() if p.is_file() and p.name not in known]
    close = _close_name(wanted, others)
    hint = f"; staat er '{close}'? de naam moet precies '{wanted}' zijn" if close else ""
    return Problem(wanted, None, None, f"verplicht bestand ontbreekt in {data_dir}{hint}")


# --------------------------------------------------------------------------- checking


def _rows(mask: pd.Series) -> list[int]:
    """Spreadsheet row numbers (header is row 1) of the True cells of a mask.

    The index holds the data-row number as read (0 = row 2), also after blank rows are dropped.
    """
    return [int(i) + 2 for i in mask.index[mask.to_numpy(dtype=bool, na_value=False)]]


def _report(problems: list[Problem], display: str, column: str, mask: pd.Series, message, values: pd.Series) -> None:
    """Add one problem per offending row (capped), message(value) naming what is wrong."""
    rows = _rows(mask)
    if not rows:
        return
    bad_values = values[mask].tolist()
    for row, value in zip(rows[:MAX_ROWS_PER_PROBLEM], bad_values):
        problems.append(Problem(display, row, column, message(value)))
    if len(rows) > MAX_ROWS_PER_PROBLEM:
        problems.append(Problem(display, rows[MAX_ROWS_PER_PROBLEM], column, f"en nog {len(rows) - MAX_ROWS_PER_PROBLEM} rijen met hetzelfde probleem"))


def _suggest(value: str, candidates) -> str:
    best = v.nearest(value, candidates)
    return f"; bedoelt u '{best}'?" if best else ""


def _parse_number(text: pd.Series) -> pd.Series:
    """Numbers as Dutch and English spreadsheets write them: 1.234.567,5 / 1,234,567.5 / 10,9 / 57%.

    Only plain decimal notation: ``inf``, ``nan`` and Excel's scientific notation (``2,55E+06``,
    which has lost digits) are not numbers. Each distinct text is parsed once.
    """
    codes, uniques = pd.factorize(text)
    s = pd.Series(uniques, dtype=text.dtype).str.replace(r"[€%\s\u00a0]", "", regex=True)
    dutch_thousands = s.str.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?")
    english_thousands = s.str.fullmatch(r"-?\d{1,3}(,\d{3}){2,}(\.\d+)?|-?\d{1,3}(,\d{3})+\.\d+")
    s = s.mask(dutch_thousands, s.str.replace(".", "", regex=False))
    s = s.mask(english_thousands, s.str.replace(",", "", regex=False))
    s = s.str.replace(",", ".", regex=False)
    s = s.where(s.str.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)").astype(bool))
    parsed = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64")
    parsed = np.append(parsed, np.nan)  # code -1 (a missing value) -> NaN
    return pd.Series(parsed[codes], index=text.index, copy=False)


def _not_a_number(value: str, what: str) -> str:
    scientific = re.fullmatch(r"[+-]?[\d.,]+[eE][+-]?\d+", value.strip())
    hint = "; wetenschappelijke notatie verliest cijfers: zet de kolom in Excel op 'Getal'" if scientific else ""
    return f"'{value}' is geen getal; verwacht {what}{hint}"


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


def _check_column(raw: _Raw, column: Column, problems: list[Problem]) -> tuple[pd.Series, np.ndarray | None]:
    """Convert one text column to its type, reporting every bad cell; returns the typed column
    and, when known, its factorize codes (-1 = missing) for the key check.

    Checks each distinct value once and spreads the result over the rows (status, year and
    source columns have a handful of values in 10^6 rows; string methods are Python loops).
    Only when a distinct value is bad are all rows checked, so every problem names its row.
    """
    series = raw.frame[column.name]
    codes, uniques = raw.distinct(column.name)
    if len(uniques) == len(series):
        return _check_cells(raw, column, problems), None
    distinct = _Raw(raw.table, raw.display, pd.DataFrame({column.name: pd.Series(uniques, dtype=series.dtype, copy=False)}), raw.digest)
    found: list[Problem] = []
    typed = _check_cells(distinct, column, found)
    if found:
        return _check_cells(raw, column, problems), None
    if (raw.table.name, column.name) in _CATEGORICAL:  # _finish_types then only renames the categories
        value_codes, values = pd.factorize(typed)
        return pd.Series(pd.Categorical.from_codes(value_codes[codes], categories=values), index=series.index, name=typed.name), None
    key_codes = None
    if column.name in raw.table.key:  # distinct texts can be one value (' 2016', '2016'): codes of the values
        key_codes = pd.factorize(typed)[0][codes]
    if typed.dtype == series.dtype and np.array_equal(typed.to_numpy(dtype=object), np.asarray(uniques, dtype=object)):
        return series, key_codes  # clean text needs no change: spreading it again would copy 10^6 cells
    return pd.Series(typed.array.take(codes), index=series.index, name=typed.name, copy=False), key_codes


def _check_cells(raw: _Raw, column: Column, problems: list[Problem]) -> pd.Series:
    """_check_column cell by cell (vectorised over all rows)."""
    display, name = raw.display, column.name
    text = raw.frame[name].astype(str).str.strip()
    text = text.mask(text.isin(_NAN_WORDS), "")
    empty = text == ""
    if not column.nullable:
        _report(problems, display, name, empty, lambda _: "lege cel; dit veld is verplicht", text)
    if column.kind == "str":
        return text
    if column.kind in ("int", "float"):
        number = _parse_number(text)
        if column.kind == "int":
            number = number.where(number.abs() < 2**53)  # beyond this a float is no longer an exact integer
        bad = ~empty & number.isna()
        what = "een geheel getal" if column.kind == "int" else "een getal"
        _report(problems, display, name, bad, lambda val: _not_a_number(val, what), text)
        if column.kind == "int":
            fractional = ~bad & ~empty & (number % 1 != 0)
            _report(problems, display, name, fractional, lambda val: f"'{val}' is geen geheel getal", text)
        low = number < column.minimum if column.minimum is not None else pd.Series(False, index=text.index)
        high = number > column.maximum if column.maximum is not None else pd.Series(False, index=text.index)
        bounds = f"van {column.minimum:g} tot en met {column.maximum:g}" if column.maximum is not None else f"minstens {column.minimum:g}"
        _report(problems, display, name, low | high, lambda val: f"{val} valt buiten het toegestane bereik ({bounds})", text)
        return number.round().astype("Int64") if column.kind == "int" else number.astype("Float64")
    if column.kind == "date":
        dates = _parse_date(text)
        _report(problems, display, name, ~empty & dates.isna(),
                lambda val: f"'{val}' is geen datum; gebruik JJJJ-MM-DD (bijv. 2023-01-13) of DD-MM-JJJJ", text)
        return dates
    if column.kind == "when":
        dates = _parse_date(text)
        months = _parse_month(text)
        bad = ~empty & dates.isna() & months.isna()
        _report(problems, display, name, bad,
                lambda val: f"'{val}' is geen datum of maand; gebruik JJJJ-MM-DD (bijv. 2023-01-13) of, als alleen de maand bekend is, JJJJ-MM (2022-12)", text)
        day_text = dates.dt.strftime("%Y-%m-%d")
        return day_text.where(dates.notna(), months.fillna("")).where(~empty, "")
    if column.kind == "period":
        parts = text.str.extract(r"^(\d{4})(?:\s*[-–]\s*(\d{4}))?$")
        bad = ~empty & (parts[0].isna() | (parts[1].notna() & (parts[1] < parts[0])))
        _report(problems, display, name, bad, lambda val: f"'{val}' is geen periode; gebruik een jaar (2022) of jaren (2023-2025)", text)
        return text.str.replace(r"\s*[-–]\s*", "-", regex=True)
    if column.kind == "choice":
        lowered = text.str.lower()
        bad = ~empty & ~lowered.isin(column.choices)
        allowed = ", ".join(column.choices)
        _report(problems, display, name, bad, lambda val: f"'{val}' is geen toegestane waarde ({allowed}){_suggest(val, column.choices)}", text)
        return lowered
    if column.kind == "status":
        codes = _map_status(text, column.accepted)
        bad = ~empty & codes.isna()
        words = sorted({w for w, c in column.accepted.items() if " " in w or w.isalpha()})
        _report(problems, display, name, bad, lambda val: f"onbekende status '{val}'{_suggest(val, column.accepted)} (toegestaan: {', '.join(words)})", text)
        return codes
    raise ValueError(f"unknown column kind {column.kind!r}")  # a programming error, not bad data


def _map_status(text: pd.Series, accepted: dict[str, str]) -> pd.Series:
    """Vectorised status mapping for large tables: normalise once per distinct value."""
    uniques = pd.Series(text.unique())
    mapping = dict(zip(uniques, uniques.map(lambda s: accepted.get(v.normalise(s)) if s else None)))
    return text.map(mapping)


def _check_table(raw: _Raw, problems: list[Problem]) -> pd.DataFrame | None:
    table, frame, display = raw.table, raw.frame, raw.display
    names = [str(c) for c in frame.columns]
    if all(n.startswith("unnamed:") for n in names):
        problems.append(Problem(display, 1, None, "lege rij; de kopregel met de kolomnamen moet op rij 1 staan"))
        return None
    # pandas renames a repeated header 'status' to 'status.1'; both spellings count as a repeat
    mangled = {m.group(1) for n in names if (m := re.fullmatch(r"(.+)\.[1-9]\d*", n)) and m.group(1) in names}
    duplicated = sorted(set(frame.columns[frame.columns.duplicated()]) | mangled)
    for name in duplicated:
        problems.append(Problem(display, 1, name, "kolom staat meer dan eens in de kopregel; houd er één"))
    if duplicated:
        return None
    present = set(frame.columns)
    missing = [c for c in table.columns if c.required and c.name not in present]
    expected = {c.name for c in table.columns} | set(table.extra_columns)
    unknown = sorted(present - expected)
    if len(names) == 1 and len(missing) > 1:
        # one column where several are needed: the header was not split (unsupported delimiter)
        marks = sorted({ch for ch in names[0] if not ch.isalnum() and ch not in "_.()'\""}, key=names[0].count, reverse=True)
        found = f"; scheidingsteken '{marks[0]}' wordt niet herkend" if marks else ""
        problems.append(Problem(display, 1, None, f"de kopregel valt niet uiteen in kolommen{found}: gebruik ';' of ','"))
        return None
    for column in missing:
        close = _close_name(column.name, unknown)  # the header as written, not normalised
        hint = f"; staat er '{close}'?" if close else ""
        problems.append(Problem(display, 1, column.name, f"verplichte kolom ontbreekt{hint}"))
    if missing:
        return None
    if frame.empty:
        _located(problems, display, "bevat alleen een kopregel en geen gegevens; vul rijen in of verwijder het bestand")
        return None
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
    if table.key:
        dup = _duplicate_keys(result, table.key, key_codes)
        first_rows = result[dup].groupby(list(table.key), observed=True).apply(lambda g: [int(i) + 2 for i in g.index]) if dup.any() else []
        for key, rows in (first_rows.items() if len(first_rows) else []):
            key_text = ", ".join(f"{k}={val}" for k, val in zip(table.key, key if isinstance(key, tuple) else (key,)))
            problems.append(Problem(display, rows[1], table.key[0], f"dubbele sleutel ({key_text}); komt ook voor in rij {rows[0]}"))
    return result


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
_CATEGORICAL = {("activities", "status"), ("activities", "status_basis"), ("motions", "status"),
                ("motions", "status_basis"), ("motions", "kind")}


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
            frame[f"{column}_precision"] = pd.Series(np.where(month, "month", "day"), index=frame.index).where(text != "")
            frame[column] = pd.to_datetime(text.where(~month, text + "-01").where(text != ""), format="%Y-%m-%d")
    if name == "indicators":
        frame["year"] = frame["year"].astype("int64")
        frame["percent"] = frame["percent"].astype("float64")
    if name == "status_labels":
        frame["report_year"] = frame["report_year"].astype("int64")
    return frame


def load(data_dir: str | Path, *, max_bytes: int = MAX_BYTES) -> Programme:
    """Read, check and type every table of a data directory; raise DataError with all problems."""
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    if not data_dir.is_dir():
        raise DataError(Problem(str(data_dir), None, None, "map met data bestaat niet"))
    raws = _gather(data_dir, problems, max_bytes)  # also reports required tables that are missing
    checked = {name: _check_table(raw, problems) for name, raw in raws.items()}
    if problems:
        raise DataError(problems)
    actielijnen = sorted(int(a) for a in checked["actielijnen"]["actielijn"])
    _check_references(checked, raws, actielijnen, problems)
    if problems:
        raise DataError(problems)
    tables = {name: _finish_types(name, frame, actielijnen) for name, frame in checked.items()}
    notes = [
        f"{table.name} ontbreekt: {table.skipped_without} overgeslagen"
        for table in contract.TABLES
        if table.optional and table.name not in tables
    ]
    digest = hashlib.sha256("".join(f"{n}:{raws[n].digest}" for n in sorted(raws)).encode()).hexdigest()
    return Programme(
        data_dir=data_dir,
        files={name: raw.display for name, raw in raws.items()},
        notes=notes,
        data_version=digest[:12],
        **tables,
    )


def _check_references(checked: dict[str, pd.DataFrame], raws: dict[str, _Raw], actielijnen: list[int], problems: list[Problem]) -> None:
    """What one table says about another: action lines exist, report years agree, funds rules."""
    _check_actielijnen(checked, raws, actielijnen, problems)
    _check_report_years(checked, raws, problems)
    if "funds" in checked:
        _check_funds(checked["funds"], raws["funds"].display, problems)


def _check_report_years(checked: dict[str, pd.DataFrame], raws: dict[str, _Raw], problems: list[Problem]) -> None:
    """Every report year of the activities is in the motions and the other way round: a run
    for a year needs both annexes of that year."""
    if "motions" not in checked:
        return
    years = {name: set(int(y) for y in checked[name]["report_year"].dropna().unique()) for name in ("activities", "motions")}
    for name, other in (("activities", "motions"), ("motions", "activities")):
        for year in sorted(years[name] - years[other]):
            problems.append(Problem(raws[other].display, None, "report_year",
                                    f"verslagjaar {year} staat in {raws[name].display} maar niet in dit bestand; "
                                    f"elk verslagjaar moet in beide bijlagen staan"))


def _check_funds(funds: pd.DataFrame, display: str, problems: list[Problem]) -> None:
    """An amount is given exactly when the status says there is money (not 'no_funds')."""
    none = funds["status"] == "no_funds"
    amount = funds["amount_eur"].notna()
    _report(problems, display, "amount_eur", ~none & ~amount,
            lambda _: "lege cel; een bedrag is verplicht (status 'no_funds' als het ministerie geen extra middelen heeft)",
            funds["status"])
    _report(problems, display, "amount_eur", none & amount,
            lambda _: "bedrag bij status 'no_funds' (geen extra middelen); laat de cel leeg of kies een andere status",
            funds["status"])


def _check_actielijnen(checked: dict[str, pd.DataFrame], raws: dict[str, _Raw], actielijnen: list[int], problems: list[Problem]) -> None:
    """Action lines used by activities must exist in actielijnen."""
    activities = checked["activities"]
    # on the distinct action lines (a handful in 10^6 rows); missing is never a known one
    codes, uniques = pd.factorize(activities["actielijn"], use_na_sentinel=False)
    unknown = pd.Series(~pd.Series(uniques).isin(actielijnen).to_numpy(dtype=bool, na_value=False)[codes], index=activities.index)
    if not unknown.any():
        return
    known = ", ".join(str(a) for a in actielijnen)
    _report(problems, raws["activities"].display, "actielijn", unknown,
            lambda val: f"actielijn {val} bestaat niet in {raws['actielijnen'].display} (wel: {known})", activities["actielijn"].astype(str))
