"""Read and check a data directory: the one loader for CSV (any Dutch Excel dialect) and .xlsx.

Accepts what spreadsheet users really export: ``;`` or ``,`` delimiters, UTF-8 with or
without BOM, Windows-1252, one workbook with a sheet per table, stray whitespace, Dutch
number and date formats. Refuses everything else with *all* problems at once, each naming
file, spreadsheet row, column and (where one exists) the nearest valid value. Input files
are only ever read.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import contract
from . import vocabulary as v
from .contract import Column, Table
from .errors import DataError, Problem

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
    files: dict[str, str] = field(default_factory=dict)  # table -> file (or file:sheet) used
    notes: list[str] = field(default_factory=list)  # what was skipped and why
    data_version: str = ""  # short SHA-256 over the input files

    @property
    def report_years(self) -> list[int]:
        return sorted(int(y) for y in self.activities["report_year"].unique())

    @property
    def latest_year(self) -> int:
        return self.report_years[-1]

    def previous_year(self, year: int) -> int | None:
        earlier = [y for y in self.report_years if y < year]
        return earlier[-1] if earlier else None

    def labels(self, year: int, language: str = "nl") -> dict[str, str]:
        """The words a briefing shows for each status code in that report year."""
        words = dict(v.DEFAULT_LABELS[language])
        table = self.status_labels
        if table is not None:
            rows = table[(table["report_year"] == year) & (table["language"] == language)]
            words.update(zip(rows["status"].astype(str), rows["label"]))
        return words

    def actielijn_titles(self, language: str = "nl") -> dict[int, str]:
        column = "title_nl" if language == "nl" else "title_en"
        return dict(zip(self.actielijnen["actielijn"].astype(int), self.actielijnen[column]))


# --------------------------------------------------------------------------- reading


@dataclass
class _Raw:
    """A table as text, before checking: every cell a stripped string."""

    table: Table
    display: str  # file name as the user knows it (with sheet for workbooks)
    frame: pd.DataFrame
    digest: str


def _located(problems: list[Problem], display: str, message: str) -> None:
    problems.append(Problem(display, None, None, message))


def _decode(data: bytes, display: str, problems: list[Problem]) -> str | None:
    """UTF-8 (with or without BOM) first, then Windows-1252, as Excel writes it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        problems.append(Problem(display, row, None, "tekens die geen UTF-8 en geen Windows-1252 zijn; sla het bestand op als 'CSV UTF-8'"))
        return None


def _delimiter(text: str) -> str:
    """The delimiter of the header line: whichever of ; , tab occurs most outside quotes."""
    header = next(csv.reader(io.StringIO(text.split("\n", 1)[0] + "\n"), delimiter="\x00"), [""])[0]
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
    if b"\x00" in data:
        _located(problems, display, "bevat binaire inhoud (geen tekst); is dit wel een CSV-bestand?")
        return None
    text = _decode(data, display, problems)
    if text is None:
        return None
    if not text.strip():
        _located(problems, display, "bestand is leeg")
        return None
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=_delimiter(text), dtype=str, keep_default_na=False,
            na_filter=False, skip_blank_lines=True,
        )
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        match = re.search(r"line (\d+)", str(exc))
        row = int(match.group(1)) if match else None
        detail = str(exc).strip().splitlines()[-1]
        problems.append(Problem(display, row, None, f"niet te lezen als CSV ({detail}); controleer scheidingsteken en aanhalingstekens"))
        return None
    return _Raw(table, display, frame, hashlib.sha256(data).hexdigest())


def _read_workbook(path: Path, problems: list[Problem], max_bytes: int) -> dict[str, tuple[pd.DataFrame, str]]:
    """Every sheet of a workbook as text frames, keyed by normalised sheet name."""
    if path.stat().st_size > max_bytes:
        _located(problems, path.name, f"werkmap is groter dan {max_bytes / 1e6:.0f} MB")
        return {}
    data = path.read_bytes()
    try:
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=str, keep_default_na=False, na_filter=False, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for corrupt files
        _located(problems, path.name, f"werkmap niet te openen ({type(exc).__name__}: {exc})")
        return {}
    digest = hashlib.sha256(data).hexdigest()
    return {str(name).strip().lower(): (frame, digest) for name, frame in sheets.items()}


def _gather(data_dir: Path, problems: list[Problem], max_bytes: int) -> dict[str, _Raw]:
    """Find each table as ``<name>.csv`` or as a sheet of a workbook in the directory."""
    raws: dict[str, _Raw] = {}
    workbooks = sorted(p for p in data_dir.iterdir() if p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith("~$"))
    sheets: dict[str, tuple[pd.DataFrame, str, str]] = {}
    for book in workbooks:
        for name, (frame, digest) in _read_workbook(book, problems, max_bytes).items():
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
        if raw is not None:
            raw.frame = _normalise_headers(raw.frame)
            raws[table.name] = raw
    return raws


# --------------------------------------------------------------------------- checking


def _rows(mask: pd.Series) -> list[int]:
    """Spreadsheet row numbers (header is row 1) of the True cells of a mask."""
    return [int(i) + 2 for i in mask.to_numpy().nonzero()[0]]


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
    """Numbers as Dutch and English spreadsheets write them: 1.234.567,5 / 1,234,567.5 / 10,9 / 57%."""
    s = text.str.replace(r"[€%\s\u00a0]", "", regex=True)
    dutch_thousands = s.str.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?")
    english_thousands = s.str.fullmatch(r"-?\d{1,3}(,\d{3}){2,}(\.\d+)?|-?\d{1,3}(,\d{3})+\.\d+")
    s = s.mask(dutch_thousands, s.str.replace(".", "", regex=False))
    s = s.mask(english_thousands, s.str.replace(",", "", regex=False))
    s = s.str.replace(",", ".", regex=False)
    return pd.to_numeric(s, errors="coerce")


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


def _check_column(raw: _Raw, column: Column, problems: list[Problem]) -> pd.Series:
    """Convert one text column to its type, reporting every bad cell; returns the typed column."""
    display, name = raw.display, column.name
    text = raw.frame[name].astype(str).str.strip()
    text = text.mask(text.str.lower().isin(["nan", "none", "nat"]), "")
    empty = text == ""
    if not column.nullable:
        _report(problems, display, name, empty, lambda _: "lege cel; dit veld is verplicht", text)
    if column.kind == "str":
        return text
    if column.kind in ("int", "float"):
        number = _parse_number(text)
        bad = ~empty & number.isna()
        what = "een geheel getal" if column.kind == "int" else "een getal"
        _report(problems, display, name, bad, lambda val: f"'{val}' is geen getal; verwacht {what}", text)
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
    duplicated = frame.columns[frame.columns.duplicated()].tolist()
    if duplicated:
        _located(problems, display, f"kolom(men) dubbel in de kopregel: {', '.join(duplicated)}")
        return None
    present = set(frame.columns)
    missing = [c for c in table.columns if c.required and c.name not in present]
    expected = {c.name for c in table.columns} | set(table.extra_columns)
    unknown = sorted(present - expected)
    for column in missing:
        hint = _suggest(column.name, unknown)
        problems.append(Problem(display, 1, column.name, f"verplichte kolom ontbreekt{hint.replace('bedoelt u', 'staat er')}"))
    if missing:
        return None
    if frame.empty:
        _located(problems, display, "bevat alleen een kopregel en geen gegevens; vul rijen in of verwijder het bestand")
        return None
    typed = {}
    for column in table.columns:
        if column.name in present:
            typed[column.name] = _check_column(raw, column, problems)
        else:
            typed[column.name] = pd.Series(column.default, index=frame.index, dtype="str")
    for extra in table.extra_columns:
        if extra in present:
            typed[extra] = frame[extra].astype(str).str.strip()
    result = pd.DataFrame(typed)
    if table.key:
        dup = result.duplicated(list(table.key), keep=False) & result[list(table.key)].notna().all(axis=1)
        first_rows = result[dup].groupby(list(table.key), observed=True).apply(lambda g: [int(i) + 2 for i in g.index]) if dup.any() else []
        for key, rows in (first_rows.items() if len(first_rows) else []):
            key_text = ", ".join(f"{k}={val}" for k, val in zip(table.key, key if isinstance(key, tuple) else (key,)))
            problems.append(Problem(display, rows[1], table.key[0], f"dubbele sleutel ({key_text}); komt ook voor in rij {rows[0]}"))
    return result


def _finish_types(name: str, frame: pd.DataFrame, actielijnen: list[int]) -> pd.DataFrame:
    """Explicit dtypes: categoricals for statuses, action lines and bases; ints for years."""
    frame = frame.copy()
    if "report_year" in frame:
        frame["report_year"] = frame["report_year"].astype("int64")
    if name in ("activities", "motions"):
        statuses = v.ACTIVITY_STATUSES if name == "activities" else v.MOTION_STATUSES
        frame["status"] = pd.Categorical(frame["status"], categories=statuses, ordered=True)
        frame["status_basis"] = pd.Categorical(frame["status_basis"], categories=v.STATUS_BASES)
    if name == "activities":
        frame["actielijn"] = pd.Categorical(frame["actielijn"].astype("int64"), categories=actielijnen)
    if name == "motions":
        frame["kind"] = pd.Categorical(frame["kind"], categories=v.MOTION_KINDS)
    if name == "actielijnen":
        frame["actielijn"] = frame["actielijn"].astype("int64")
        frame = frame.sort_values("actielijn", ignore_index=True)
    if name == "funds":
        bounds = frame["period"].str.extract(r"^(\d{4})(?:-(\d{4}))?$")
        frame["period_start"] = bounds[0].astype("int64")
        frame["period_end"] = bounds[1].fillna(bounds[0]).astype("int64")
        frame["amount_eur"] = frame["amount_eur"].astype("float64")
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
    raws = _gather(data_dir, problems, max_bytes)
    for table in contract.TABLES:
        if not table.optional and table.name not in raws and not any(p.file.startswith(table.name) for p in problems):
            problems.append(Problem(f"{table.name}.csv", None, None, f"verplicht bestand ontbreekt in {data_dir}"))
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
    """Action lines used by activities must exist in actielijnen."""
    activities = checked["activities"]
    unknown = ~activities["actielijn"].isin(actielijnen)
    known = ", ".join(str(a) for a in actielijnen)
    _report(problems, raws["activities"].display, "actielijn", unknown,
            lambda val: f"actielijn {val} bestaat niet in {raws['actielijnen'].display} (wel: {known})", activities["actielijn"].astype(str))
