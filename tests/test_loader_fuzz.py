"""Property: whatever bytes sit in activities.csv (or in a workbook), load() either returns
valid tables or raises DataError with located problems -- never any other exception.

Each example writes into a fresh copy of the small fixture, so only the fuzzed file is odd.
Run time is kept to a few seconds per property (max_examples below, no deadline).
"""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

import openpyxl
from conftest import FIXTURES
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from nap_analysis.data import vocabulary as v
from nap_analysis.data.loader import load
from nap_analysis.errors import DataError, Problem
from nap_analysis.words import words

SMALL = FIXTURES / "small"
VALID_ACTIVITIES = (SMALL / "activities.csv").read_bytes()

# ~200 CSV examples and ~60 workbook examples in all; each loads a whole data directory
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(data_dir: Path) -> str:
    """Load and check the property; return 'loaded' or 'refused'."""
    try:
        programme = load(data_dir)
    except DataError as exc:
        assert exc.problems, "a DataError must carry at least one problem"
        for problem in exc.problems:
            assert isinstance(problem, Problem) and problem.file and problem.message
            assert problem.row is None or (isinstance(problem.row, int) and problem.row >= 1), problem
            assert "Traceback" not in str(problem)
            # a words key with its fields, said in both languages (no literal Dutch sentence)
            assert problem.message in words("nl") and problem.message in words("en"), problem
            assert problem.text("en") and problem.text("nl")
        return "refused"
    # loaded: then the tables really satisfy the contract
    acts = programme.activities
    assert len(acts) > 0
    assert acts["status"].notna().all() and set(acts["status"].astype(str)) <= set(v.ACTIVITY_STATUSES)
    assert acts["status_basis"].notna().all()
    assert acts["report_year"].between(2000, 2100).all()
    assert acts["actielijn"].notna().all()
    assert set(acts["actielijn"].astype(int)) <= set(programme.actielijnen["actielijn"])
    assert not acts.duplicated(["activity_id", "report_year"]).any()
    assert (acts["activity_id"].str.len() > 0).all() and (acts["title"].str.len() > 0).all()
    return "loaded"


def _with_activities(content: bytes, *, as_workbook: bool = False) -> str:
    """Load a copy of the small fixture whose activities are ``content``: as activities.csv, or
    (as_workbook) as nap_data.xlsx in place of activities.csv."""
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "small"
        shutil.copytree(SMALL, data_dir)
        if as_workbook:
            (data_dir / "activities.csv").unlink()
            (data_dir / "nap_data.xlsx").write_bytes(content)
        else:
            (data_dir / "activities.csv").write_bytes(content)
        return _check(data_dir)


# --------------------------------------------------------------------------- CSV

# Cells made of what breaks CSV readers and checkers: delimiters, quotes, line breaks, accents,
# numbers in every notation, status words, formulas.
TRICKY = st.sampled_from(
    [
        "A1",
        "2024",
        "2025",
        "1",
        "3",
        "9",
        "0",
        "-1",
        "afgerond",
        "vertraagd",
        "alternatief",
        "stated",
        "nan",
        "NaN",
        "inf",
        "-inf",
        "1e30",
        "2,02E+03",
        "2.024",
        "2,5",
        "",
        " ",
        "  in_uitvoering ",
        "=SUM(A1)",
        "99999999999999999999",
        "None",
        "NaT",
        "status",
        '"',
        '";"',
        "\ufeff",
    ]
)
JUNK = st.text(alphabet=st.sampled_from(list(";,|\t\"\r\n '=+-.%€0123456789eEaAéëï–’\ufeff\x00")), max_size=8)
CELL = st.one_of(TRICKY, TRICKY, JUNK, st.text(max_size=6))
VALID_ROWS = [line.split(";") for line in VALID_ACTIVITIES.decode().splitlines()]  # header first


@st.composite
def fuzzed_rows(draw) -> list[list]:
    """The valid activities table with a few edits: cells replaced, added or removed, rows
    blanked, repeated or dropped (header included)."""
    rows = [list(r) for r in VALID_ROWS]
    for _ in range(draw(st.integers(1, 3))):
        r = draw(st.integers(0, len(rows) - 1))
        action = draw(st.sampled_from(["cell", "cell", "cell", "append", "delete", "blank", "repeat", "drop"]))
        if action == "cell" and rows[r]:
            rows[r][draw(st.integers(0, len(rows[r]) - 1))] = draw(CELL)
        elif action == "append":
            rows[r].append(draw(CELL))
        elif action == "delete" and rows[r]:
            del rows[r][draw(st.integers(0, len(rows[r]) - 1))]
        elif action == "blank":
            rows.insert(r, [])
        elif action == "repeat":
            rows.insert(r, list(rows[r]))
        elif action == "drop" and len(rows) > 1:
            del rows[r]
    return rows


CSV_BYTES = st.tuples(
    fuzzed_rows(),
    st.sampled_from([";", ",", "\t"]),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
).map(lambda t: (t[2].join(t[1].join(str(c) for c in row) for row in t[0]) + t[2]).encode(t[3], errors="replace"))


@st.composite
def mutated(draw, original: bytes):
    """The valid file with a few bytes replaced, inserted or cut."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["replace", "insert", "truncate"]))
        byte = draw(st.integers(0, 255))
        if action == "replace" and at < len(data):
            data[at] = byte
        elif action == "insert":
            data[at:at] = bytes([byte])
        else:
            del data[at:]
    return bytes(data)


@FUZZ
@given(st.integers(1, len(VALID_ROWS) - 1), st.integers(0, len(VALID_ROWS[0]) - 1), CELL)
def test_any_value_in_one_cell_of_activities_csv(row, column, value):
    """Checker bugs live in single odd cells (1e30 as a year, inf as an amount, a lone quote)."""
    rows = [list(r) for r in VALID_ROWS]
    rows[row][column] = value
    event(_with_activities("\n".join(";".join(r) for r in rows).encode("utf-8") + b"\n"))


@FUZZ
@given(st.one_of(st.binary(max_size=600), mutated(VALID_ACTIVITIES), CSV_BYTES))
def test_any_bytes_as_activities_csv_load_or_data_error(content):
    """Reader bugs live in structure: encodings, line ends, delimiters, ragged and blank rows."""
    event(_with_activities(content))


def test_csv_fuzz_strategy_reaches_both_outcomes():
    """Guard against a vacuous property: the strategies include files that load and files that do not."""
    assert _with_activities(VALID_ACTIVITIES) == "loaded"
    assert _with_activities(("\n".join(";".join(r) for r in VALID_ROWS) + "\n").encode()) == "loaded"
    assert _with_activities(VALID_ACTIVITIES.replace(b"\n", b"\r")) == "loaded"
    assert _with_activities(b"\x89PNG\r\n\x1a\n\x00") == "refused"


# --------------------------------------------------------------------------- workbook


def _workbook(activities_rows: list[list]) -> bytes:
    """A workbook with one sheet 'activities' holding the given rows (header first)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "activities"
    for row in activities_rows:  # openpyxl refuses control characters (Excel has none); drop them
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


VALID_BOOK = _workbook(VALID_ROWS)

# openpyxl refuses control characters in cells; everything else may appear, of any cell type
XL_CELL = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=10),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(),
    st.sampled_from(["2024", "afgerond", "stated", "A1", 2024, 1, 2025.0, 3.5]),
)


@st.composite
def fuzzed_sheet(draw) -> list[list]:
    """The valid activities sheet with some cells (header included) replaced by values of any type."""
    rows = [list(r) for r in VALID_ROWS]
    for _ in range(draw(st.integers(1, 6))):
        r = draw(st.integers(0, len(rows) - 1))
        c = draw(st.integers(0, len(rows[r])))
        value = draw(XL_CELL)
        if c < len(rows[r]):
            rows[r][c] = value
        else:
            rows[r].append(value)
    return rows


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(st.binary(max_size=400), mutated(VALID_BOOK), fuzzed_sheet().map(_workbook), fuzzed_rows().map(_workbook))
)
def test_any_bytes_as_workbook_load_or_data_error(content):
    """Arbitrary bytes, a damaged workbook, or cells of any type (numbers, dates, booleans, empty)."""
    event(_with_activities(content, as_workbook=True))


def test_workbook_fuzz_strategy_reaches_both_outcomes():
    """The unmutated workbook loads (so the property above is not vacuously 'refused')."""
    assert _with_activities(VALID_BOOK, as_workbook=True) == "loaded"
    assert _with_activities(b"not a zip", as_workbook=True) == "refused"
