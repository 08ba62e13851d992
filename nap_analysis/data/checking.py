"""Checking one table read as text: header, every cell of every column, identities and keys, dtypes.

Each problem names file, spreadsheet row and column, said through a words key.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import Problem
from . import numbers
from . import text as text_rules
from . import vocabulary as v
from .contract import Column
from .messages import Note, problem, visible
from .reading import HEADER_ROWS, RawTable, close_name, header_name, not_titles, titles_only

#: How many rows with the same problem in one column are listed before summarising.
MAX_ROWS_PER_PROBLEM = 20

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


def _rows(mask: pd.Series) -> list[int]:
    """Spreadsheet row numbers (header is row 1) of the True cells of a mask.

    The index holds the data-row number as read (0 = row 2), also after blank rows are dropped.
    """
    return [int(i) + 2 for i in mask.index[mask.to_numpy(dtype=bool, na_value=False)]]


def report(problems: list[Problem], display: str, column: str, mask: pd.Series, message, values: pd.Series) -> None:
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


def says(key: str, **fields):
    """A message for report: ``key`` with the offending value (made visible) and ``fields``."""
    return lambda value: (key, {"value": visible(value), **fields})


def _suggesting(key: str, candidates, **fields):
    """As says, with the nearest accepted word when there is one (``<key>_suggest``)."""

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


def _check_column(raw: RawTable, column: Column, problems: list[Problem]) -> tuple[pd.Series, np.ndarray | None]:
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
    distinct = RawTable(
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
    if (raw.table.name, column.name) in _CATEGORICAL:  # finish_types then only renames the categories
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


def stripped_text(series: pd.Series) -> pd.Series:
    """The text of a column without surrounding whitespace; only an empty cell is empty (the
    texts 'Nan', 'NONE' or 'null' are a surname, a party, a word)."""
    text = series.astype(str).str.strip()
    return text.mask(series.isna(), "") if series.hasnans else text


def _check_cells(raw: RawTable, column: Column, problems: list[Problem]) -> pd.Series:
    """_check_column cell by cell (vectorised over all rows)."""
    display, name = raw.display, column.name
    text = stripped_text(raw.frame[name])
    empty = text == ""
    if not column.nullable:
        report(problems, display, name, empty, lambda _: ("load.empty_cell", {}), text)
    if column.kind == "str":
        if name in raw.table.key:
            hidden = text.str.contains(_INVISIBLE)
            report(problems, display, name, hidden, says("load.invisible_in_key"), text)
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
        report(problems, display, name, ambiguous, _ambiguous, text)
        bad = ~empty & number.isna() & ~ambiguous
        report(problems, display, name, bad, _not_a_number(column.kind), text)
        if whole:
            fractional = ~bad & ~empty & ~ambiguous & (number % 1 != 0)
            report(problems, display, name, fractional, says("load.not_whole"), text)
        fields = {"minimum": f"{column.minimum:g}"} if column.minimum is not None else {}
        if column.maximum is not None:
            fields["maximum"] = f"{column.maximum:g}"
        low = number < column.minimum if column.minimum is not None else pd.Series(False, index=text.index)
        high = number > column.maximum if column.maximum is not None else pd.Series(False, index=text.index)
        key = "load.out_of_range" if column.maximum is not None else "load.below_minimum"
        report(problems, display, name, low | high, says(key, **fields), text)
        return number.round().astype("Int64") if whole else number.astype("Float64")
    if column.kind == "date":
        dates = _parse_date(text)
        report(problems, display, name, ~empty & dates.isna(), says("load.not_a_date"), text)
        return dates
    if column.kind == "when":
        dates = _parse_date(text)
        months = _parse_month(text)
        bad = ~empty & dates.isna() & months.isna()
        report(problems, display, name, bad, says("load.not_a_date_or_month"), text)
        day_text = dates.dt.strftime("%Y-%m-%d")
        return day_text.where(dates.notna(), months.fillna("")).where(~empty, "")
    if column.kind == "period":
        parts = text.str.extract(r"^([0-9]{4})(?:\s*[-–]\s*([0-9]{4}))?$")
        bad = ~empty & (parts[0].isna() | (parts[1].notna() & (parts[1] < parts[0])))
        report(problems, display, name, bad, says("load.not_a_period"), text)
        return text.str.replace(r"\s*[-–]\s*", "-", regex=True)
    if column.kind == "choice":
        assert column.choices is not None, f"the contract names no choices for {name}"
        lowered = text.str.lower()
        bad = ~empty & ~lowered.isin(column.choices)
        report(
            problems,
            display,
            name,
            bad,
            _suggesting("load.not_allowed", column.choices, allowed=", ".join(column.choices)),
            text,
        )
        return lowered
    if column.kind == "status":
        assert column.accepted is not None, f"the contract names no status words for {name}"
        codes = _map_status(text, column.accepted)
        bad = ~empty & codes.isna()
        allowed = ", ".join(sorted({w for w in column.accepted if " " in w or w.isalpha()}))
        report(problems, display, name, bad, _suggesting("load.unknown_status", column.accepted, allowed=allowed), text)
        return codes
    raise ValueError(f"unknown column kind {column.kind!r}")  # a programming error, not bad data


def _map_status(text: pd.Series, accepted: dict[str, str]) -> pd.Series:
    """Vectorised status mapping for large tables: normalise once per distinct value."""
    uniques = pd.Series(text.unique())
    mapping = dict(zip(uniques, uniques.map(lambda s: accepted.get(v.normalise(s)) if s else None)))
    return text.map(mapping)


def _conventions(raw: RawTable) -> dict[str, str | None]:
    """For each number column, how its ambiguous texts are read (:mod:`.numbers`): by the other
    text cells of the column, else by the other number columns of the file."""
    evidence = {}
    for column in raw.table.columns:
        if column.kind not in ("int", "float") or column.name not in raw.frame.columns:
            continue
        if raw.numbers is None:  # on the distinct texts: a year column has a handful in 10^6 rows
            _, uniques = raw.distinct(column.name)
            text = stripped_text(pd.Series(uniques, dtype=object))
        else:  # text cells only: a number cell has no separators
            text = stripped_text(raw.frame[column.name])[raw.numbers[column.name].reindex(raw.frame.index).isna()]
        evidence[column.name] = numbers.parse(text[text != ""]).evidence()
    whole_file = set().union(*evidence.values()) if evidence else set()
    return {name: numbers.convention(found, whole_file) for name, found in evidence.items()}


def _header_problems(raw: RawTable) -> list[Problem]:
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
        close = close_name(column.name, unknown)  # the header as written, not normalised
        if close:
            found.append(problem(display, row, column.name, "load.missing_column_close", close=visible(close)))
        else:
            found.append(problem(display, row, column.name, "load.missing_column"))
    return found


def _find_header(raw: RawTable, problems: list[Problem], notes: list[Note]) -> str:
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
        if not titles_only(above):
            problems.append(not_titles(raw.display, at, above))
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


def _cell_problems(raw: RawTable) -> list[Problem]:
    """Merged cells, formulas without a result, hidden rows and columns and struck-through text
    inside the table (below its title rows, in its named columns); the kinds that can come
    once per row (formulas, hidden rows, struck-through rows) capped like other problems."""
    known = {c.name for c in raw.table.columns} | set(raw.table.extra_columns)
    names = list(raw.frame.columns)
    found: list[Problem] = []
    formulas: list[Problem] = []
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


def check_table(raw: RawTable, problems: list[Problem], notes: list[Note]) -> pd.DataFrame | None:
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
            # the default taken for every row: a Series of a scalar checks each of 10^6 copies (0.13 s)
            every = pd.array([column.default], dtype="str").take(np.zeros(len(frame), dtype=np.intp))
            typed[column.name] = pd.Series(every, index=frame.index, name=column.name, copy=False)
    for extra in table.extra_columns:
        if extra in present:
            codes, uniques = raw.distinct(extra)
            stripped = pd.Series(uniques, dtype=frame[extra].dtype).astype(str).str.strip()
            typed[extra] = pd.Series(stripped.array.take(codes), index=frame.index, name=extra, copy=False)
    result = pd.DataFrame(typed, copy=False)  # pandas 3 would copy every column
    _check_identities(result, raw, problems)
    if table.key:
        dup = _duplicate_keys(result, table.key, key_codes)
        if dup.any():
            first_rows = (
                result[dup].groupby(list(table.key), observed=True).apply(lambda g: [int(i) + 2 for i in g.index])
            )
            for key, rows in first_rows.items() if len(first_rows) else []:
                key_text = ", ".join(
                    f"{k}={visible(val)}" for k, val in zip(table.key, key if isinstance(key, tuple) else (key,))
                )
                problems.append(
                    problem(display, rows[1], table.key[0], "load.duplicate_key", values=key_text, row=rows[0])
                )
    return result


def _clean_text(raw: RawTable, problems: list[Problem]) -> None:
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
            report(problems, raw.display, name, pd.Series(bad[codes], index=raw.frame.index), _control_message, shown)
        errors = text_rules.error_values(distinct).to_numpy()
        if errors.any():
            mask = pd.Series(errors[codes], index=raw.frame.index)
            report(problems, raw.display, name, mask, says("load.error_value"), shown.str.strip())
        cleaned = text_rules.normalised(distinct)
        if cleaned is not distinct:
            column = raw.frame[name]
            raw.frame[name] = pd.Series(cleaned.to_numpy(dtype=object)[codes], index=column.index).astype(column.dtype)
            raw.factorized.pop(name, None)


def _control_message(value: str):
    found = text_rules.CONTROL.search(value)
    assert found is not None, "called only for a value with a control character"
    character = found.group()
    return "load.control_character", {"value": visible(value), "character": text_rules.character_name(character)}


def _check_identities(result: pd.DataFrame, raw: RawTable, problems: list[Problem]) -> None:
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
        # joined from the object array: iterating the string Series boxes every id (0.24 s for 10^6 rows)
        if "".join(distinct.to_numpy(dtype=object)).isascii():
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


#: Columns that finish_types makes categorical (none is part of a key); checked as categoricals
#: already, so that 10^6 status words are not looked up twice.
_CATEGORICAL = {
    ("activities", "status"),
    ("activities", "status_basis"),
    ("motions", "status"),
    ("motions", "status_basis"),
    ("motions", "kind"),
}


def finish_types(name: str, frame: pd.DataFrame, actielijnen: list[int]) -> pd.DataFrame:
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
