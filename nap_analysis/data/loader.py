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

import hashlib
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..errors import DataError, Problem
from . import contract, handover, numbers, workbook
from .checking import check_table, finish_types, report, says, stripped_text
from .messages import Note, problem, visible
from .programme import Programme
from .reading import MAX_BYTES, RawTable, gather


def load(data_dir: str | Path, *, max_bytes: int = MAX_BYTES, books: Sequence[workbook.Book] = ()) -> Programme:
    """Read, check and type every table of a data directory; raise DataError with all problems.

    ``books``: workbooks already read with :func:`workbook.read` (``collect`` reads a returned
    workbook once, sets aside the rows left empty, and has it checked here as if it stood in
    ``data_dir``), so that one reader and one set of rules judge every workbook.
    """
    if not books and max_bytes == MAX_BYTES and (handed := handover.take(data_dir)) is not None:
        return handed  # a run's kernel: the run read and checked these files already
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    notes: list[Note] = []
    raws = gather(data_dir, problems, notes, max_bytes, list(books))  # also reports missing required tables
    found = {name: check_table(raw, problems, notes) for name, raw in raws.items()}
    if problems:
        raise DataError(problems)
    checked = {name: frame for name, frame in found.items() if frame is not None}  # None comes with a problem
    actielijnen = sorted(int(a) for a in checked["actielijnen"]["actielijn"])
    _check_references(checked, raws, actielijnen, problems)
    if problems:
        raise DataError(problems)
    tables = {name: finish_types(name, frame, actielijnen) for name, frame in checked.items()}
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
    checked: dict[str, pd.DataFrame], raws: dict[str, RawTable], actielijnen: list[int], problems: list[Problem]
) -> None:
    """What one table says about another: action lines exist, report years agree, funds rules."""
    _check_actielijnen(checked, raws, actielijnen, problems)
    _check_bewindspersonen(checked, raws, problems)
    _check_report_years(checked, raws, problems)
    if "funds" in checked:
        _check_funds(checked["funds"], raws["funds"].display, problems)
    if "indicators" in checked:
        _check_percent_fractions(checked["indicators"], raws["indicators"], problems)


def _check_percent_fractions(indicators: pd.DataFrame, raw: RawTable, problems: list[Problem]) -> None:
    """'0,109' in a column of percentages: 10,9 % typed as a fraction, or 0,109 %? Refused with
    both readings, as an ambiguous thousands separator is (:func:`numbers.percent_fractions`)."""
    mask, low, high = numbers.percent_fractions(indicators)
    if not mask.any():
        return
    written = stripped_text(raw.frame["percent"]).reindex(indicators.index)

    def message(row_index):
        value = float(indicators.at[row_index, "percent"])
        fields = {"value": visible(written[row_index]), "percent": f"{value * 100:g}"}
        if pd.isna(low[row_index]):
            return "load.percent_fraction_all", fields
        return "load.percent_fraction", {**fields, "low": f"{low[row_index]:g}", "high": f"{high[row_index]:g}"}

    report(problems, raw.display, "percent", mask, message, pd.Series(indicators.index, index=indicators.index))


def _check_report_years(checked: dict[str, pd.DataFrame], raws: dict[str, RawTable], problems: list[Problem]) -> None:
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
    report(problems, display, "amount_eur", ~none & ~amount, lambda _: ("load.amount_required", {}), funds["status"])
    report(problems, display, "amount_eur", none & amount, lambda _: ("load.amount_with_no_funds", {}), funds["status"])


def _check_bewindspersonen(
    checked: dict[str, pd.DataFrame], raws: dict[str, RawTable], problems: list[Problem]
) -> None:
    """Every code in activities.bewindspersoon is a row of bewindspersonen.csv (which must exist to use it).

    Checked on the distinct values (a handful in 10^6 rows; the string methods are Python loops:
    0.66 s per 10^6 rows on every row) and spread over the rows by their codes."""
    activities = checked["activities"]
    rows, uniques = pd.factorize(activities["bewindspersoon"], use_na_sentinel=False)
    named = pd.Series(uniques, dtype=activities["bewindspersoon"].dtype).astype(str)
    if not named.str.strip().ne("").any():
        return
    table = checked.get("bewindspersonen")
    known = set() if table is None else set(table["code"].astype(str))
    where = raws["bewindspersonen"].display if table is not None else "bewindspersonen.csv"
    codes = named.str.split(";").map(lambda parts: [p.strip() for p in parts if p.strip()])
    unknown = codes.map(lambda parts: [p for p in parts if p not in known])
    bad = pd.Series(unknown.map(bool).to_numpy(dtype=bool)[rows], index=activities.index)
    shown = pd.Series(unknown.map(lambda parts: ", ".join(parts)).to_numpy(dtype=object)[rows], index=activities.index)
    allowed = ", ".join(sorted(known)) or "-"
    report(
        problems,
        raws["activities"].display,
        "bewindspersoon",
        bad,
        says("load.unknown_bewindspersoon", file=where, known=allowed),
        shown,
    )


def _check_actielijnen(
    checked: dict[str, pd.DataFrame], raws: dict[str, RawTable], actielijnen: list[int], problems: list[Problem]
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
    report(
        problems,
        raws["activities"].display,
        "actielijn",
        unknown,
        says("load.unknown_actielijn", file=raws["actielijnen"].display, known=known),
        activities["actielijn"].astype(str),
    )
