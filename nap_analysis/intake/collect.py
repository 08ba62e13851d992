"""Merge the workbooks the ministries returned into a new data directory for the year.

Each workbook is read once by the loader's own reader (:func:`data.workbook.read`: size limits
before it is opened, formulas by their stored result, hidden sheets, rows and columns, merged
cells, struck-through text) and checked by ``data.load`` as if it stood in a data folder, so
the rules and the located messages are exactly those of ``validate``. A table sheet that is
missing or hidden is a problem; every other sheet not read is named in the report. A prefilled
row whose columns to fill in are all empty was "left empty": it is blanked in what was read
(the row keeps its number, the loader skips it) and named in the report. Rows the loader refuses
are set aside and the rest is checked again, so that one pass lists every problem of every
workbook and the conflicts between their good rows. Rows with the same id (compared after NFC
and case folding) in two workbooks must agree. Nothing is written unless every workbook is
clean, nothing conflicts and the merged directory loads; it is built in a hidden folder beside
the target and renamed into place. Input workbooks are only read.
"""

from __future__ import annotations

import difflib
import io
import os
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..data import files, load, workbook
from ..data import text as text_rules
from ..data.messages import visible
from ..data.reading import HEADER_ROWS, MAX_BYTES, header_name
from ..errors import DataError, Problem, UsageError
from ..words import words
from .layout import FILL_IN, SHEETS, SheetLayout
from .report import IntakeError, IntakeReport, Item, Place, TableCounts
from .template import FILE_MODE, FOLDER_MODE, base_year

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class _Row:
    """A filled row of a returned workbook: where it stands and its checked values."""

    place: Place
    values: dict[str, str]


@dataclass
class _Returned:
    """What one workbook gave back, per table."""

    filled: dict[str, list[_Row]] = field(default_factory=dict)  # the rows the loader accepted
    places: dict[str, list[tuple[str, Place]]] = field(default_factory=dict)  # (id, place) of every filled row
    refused_rows: dict[str, set[int]] = field(default_factory=dict)  # filled rows with a problem
    empty: dict[str, list[tuple[str, Place]]] = field(default_factory=dict)  # (id, place) of left-empty rows
    present: dict[str, set[str]] = field(default_factory=dict)  # every id standing in the sheet


def collect(workbooks, year: int, out: str | Path, data_dir: str | Path) -> IntakeReport:
    """Merge ``workbooks`` for report ``year`` with the earlier years of ``data_dir`` into ``out``.

    Returns the report of what came back; raises :class:`IntakeError` (exit 2, nothing written)
    when a workbook has problems, two workbooks disagree, or the merged data would not load.
    """
    data_dir, out = Path(data_dir), Path(out)
    base = load(data_dir)
    previous = base_year(base, year)
    years = set(base.report_years) | (set(base.motions["report_year"].tolist()) if base.motions is not None else set())
    later = sorted(y for y in years if y > year)
    if later:
        raise UsageError("intake.error.later_years", later=later[0], year=year)
    _check_out(out, data_dir)
    paths = _unique(workbooks)
    if not paths:
        raise UsageError("intake.error.no_workbooks")
    layouts = [layout for layout in SHEETS if getattr(base, layout.name) is not None]
    report = IntakeReport(year, previous, [name for name, _ in paths], sorted(y for y in years if y < year))
    problems: list[Problem] = []
    read = [_read_back(path, name, base, year, previous, layouts, problems, report) for name, path in paths]
    returned = [back for back in read if back is not None]  # an unreadable workbook is a problem already
    merged = {layout.name: _merge(layout, returned, problems, report) for layout in layouts}
    for layout in layouts:
        _check_spelling(layout, merged[layout.name], base, problems)
        _describe(layout, merged[layout.name], returned, base, previous, report)
    sheet_missing = any(p.message.startswith("intake.problem.sheet_") for p in problems)
    if len(returned) == len(read) and not sheet_missing:  # an unread workbook or sheet may hold the rows
        filled = {layout.name: any(back.places.get(layout.name) for back in returned) for layout in layouts}
        empty_tables = [name for name, any_filled in filled.items() if not any_filled]
        if empty_tables:
            key = "intake.problem.no_activities" if "activities" in empty_tables else "intake.problem.no_motions"
            problems.append(Problem(", ".join(report.workbooks), None, None, key, (("year", year),)))
    report.problems = problems
    if problems:
        raise IntakeError(problems, report)
    _write(out, base, data_dir, year, layouts, merged, report)
    return report


# --------------------------------------------------------------------------- arguments


def _unique(workbooks) -> list[tuple[str, Path]]:
    """The workbooks as given (name as typed, path), each file once."""
    seen, found = set(), []
    for given in workbooks:
        path = Path(given)
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            found.append((str(given), path))
    return found


def _check_out(out: Path, data_dir: Path) -> None:
    resolved, data = out.resolve(), data_dir.resolve()
    if resolved == data or data in resolved.parents:
        raise UsageError("intake.error.out_in_data", path=str(out), data=str(data_dir))
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError("intake.error.out_exists", folder=str(out))


# --------------------------------------------------------------------------- one workbook


def _read_back(
    path: Path,
    name: str,
    base,
    year: int,
    previous: int,
    layouts: list[SheetLayout],
    problems: list[Problem],
    report: IntakeReport,
) -> _Returned | None:
    """Read one workbook with the loader's reader and rules; the rows left empty are set aside.

    The workbook is read once by :func:`workbook.read` (the size limits before it is opened,
    formulas with their stored results, hidden sheets, rows and columns, merged cells: the
    rules of ``validate``), then checked by ``data.load`` as if it stood in a data folder.
    Every sheet that is not read is named: a missing or hidden table sheet is a problem,
    another sheet a line of the report.
    """
    entry = files.Entry(name, path)
    if not path.exists() and not path.is_symlink():
        problems.append(Problem(name, None, None, "intake.problem.not_found"))
        return None
    if not files.usable(entry, problems):
        return None
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        problems.append(Problem(name, None, None, "intake.problem.not_xlsx"))
        return None
    data = files.read(entry, name, problems, MAX_BYTES, key="load.workbook_too_big")
    if data is None:
        return None
    wanted = {layout.name for layout in layouts}
    book = workbook.read(name, data, problems, MAX_BYTES, wanted)
    if book is None:
        return None
    if not _sheets_accounted(book, name, layouts, problems, report):
        return None
    returned = _Returned()
    by_name = {layout.name: layout for layout in layouts}
    blanked: dict[str, set[int]] = {}
    for sheet in list(book.sheets):
        layout = by_name[sheet.title.strip().lower()]
        frame = getattr(base, layout.name)
        earlier = {_identity_text(i) for i in frame.loc[frame["report_year"] == previous, layout.id_column]}
        display = f"{name}:{layout.name}"
        found = _scan(sheet, layout, earlier, display, year, problems)
        returned.present[layout.name] = {item_id for item_id, _ in found["present"]}
        returned.empty[layout.name] = found["empty"]
        returned.places[layout.name] = found["filled"]
        blanked[layout.name] = {place.row for _, place in found["empty"]}
    if not any(returned.places.values()):
        return returned
    programme = _load_book(book, name, base, year, previous, returned, problems)
    if programme is None:
        return returned
    for layout in layouts:
        places = returned.places.get(layout.name)
        if places:
            good = [(i, p) for i, p in places if p.row not in returned.refused_rows.get(layout.name, set())]
            if good:
                returned.filled[layout.name] = _rows(getattr(programme, layout.name), layout, good)
    return returned


def _sheets_accounted(book, name: str, layouts: list[SheetLayout], problems: list[Problem], report) -> bool:
    """Every sheet of the workbook read or named: a table sheet that is missing (renamed, hidden)
    is a problem; a sheet of its own that the template did not make is named in the report."""
    wanted = {layout.name for layout in layouts}
    own = {words("nl")[key].strip().lower() for key in ("intake.sheet.about", "intake.sheet.lists")}
    read = {sheet.title.strip().lower() for sheet in book.sheets} | {t.strip().lower() for t in book.refused}
    hidden = {title.strip().lower(): title for title in book.hidden}
    others = [t for t in book.titles if t.strip().lower() not in wanted | own]
    if not read and not any(name_ in hidden for name_ in wanted):
        problems.append(
            Problem(
                name,
                None,
                None,
                "intake.problem.no_sheets",
                (("sheets", visible(", ".join(book.titles + book.hidden))),),
            )
        )
        return False
    named: set[str] = set()
    for layout in layouts:
        if layout.name in read:
            continue
        if layout.name in hidden:
            problems.append(
                Problem(
                    name,
                    None,
                    None,
                    "intake.problem.sheet_hidden",
                    (("table", layout.name), ("sheet", visible(hidden[layout.name]))),
                )
            )
            continue
        close = _close_sheet(layout.name, others)
        sheets = visible(", ".join(book.titles) or "-")
        if close:
            named.add(close)
            fields = (("table", layout.name), ("sheets", sheets), ("close", visible(close)))
            problems.append(Problem(name, None, None, "intake.problem.sheet_missing_close", fields))
        else:
            problems.append(
                Problem(name, None, None, "intake.problem.sheet_missing", (("table", layout.name), ("sheets", sheets)))
            )
    for title in book.hidden:
        if title.strip().lower() not in wanted:
            report.unread.append((name, title, "hidden"))
    for title in others:
        if title not in named:
            report.unread.append((name, title, "other"))
    return True


def _close_sheet(table: str, titles: list[str]) -> str | None:
    """The sheet that is most likely the table renamed: like its name (any case), or its Dutch name."""
    dutch = {
        "activities": ("activiteiten", "activiteit"),
        "motions": ("moties", "motie", "toezeggingen", "moties en toezeggingen"),
    }
    for title in titles:
        if title.strip().lower() in dutch.get(table, ()):
            return title
    by_lower = {t.strip().lower(): t for t in titles}
    match = difflib.get_close_matches(table, list(by_lower), n=1, cutoff=0.6)
    return by_lower[match[0]] if match else None


def _identity_text(value) -> str:
    """An id as it is compared: stripped, in Unicode NFC (as the loader keeps texts)."""
    return unicodedata.normalize("NFC", str(value).strip())


def _scan(
    sheet, layout: SheetLayout, earlier: set[str], display: str, year: int, problems: list[Problem]
) -> dict[str, list[tuple[str, Place]]]:
    """Sort the rows of a sheet (the loader's reading of it) into filled and left empty; the
    left-empty ones are blanked, so that the loader skips them as it skips blank rows.

    Left empty: a row of last year (its id is a known one) with every column to fill in empty
    and nothing the loader would refuse in it (a formula without a stored value is no empty
    cell). A new row without a status is not left empty: the loader names what is missing in it.
    A filled row of another report year is a problem found here, beside the loader's own.
    """
    text = sheet.text
    header_row, names = 1, [header_name(c) for c in text.columns]
    if layout.id_column not in names:  # title rows above the header, as the loader finds them
        for k in range(min(HEADER_ROWS - 1, len(text))):
            candidate = [header_name(c) for c in text.iloc[k]]
            if layout.id_column in candidate and "status" in candidate:
                header_row, names = k + 2, candidate
                break
    at = {column: i for i, column in reversed(list(enumerate(names)))}
    id_at = at.get(layout.id_column)
    fill_at = [at[column] for column in FILL_IN if column in at]
    year_at = at.get("report_year")
    flagged = {
        row
        for issue in sheet.issues
        if issue.key != "load.hidden_column"
        for row in range(issue.row, issue.last_row + 1)
    }
    found: dict[str, list[tuple[str, Place]]] = {"present": [], "empty": [], "filled": []}
    for k, values in enumerate(text.itertuples(index=False, name=None)):
        number = k + 2
        if number <= header_row:
            continue
        if number not in flagged and not any(str(value).strip() for value in values):
            continue
        item_id = "" if id_at is None else _identity_text(values[id_at])
        place = Place(display, number)
        found["present"].append((item_id, place))
        if item_id in earlier and number not in flagged and not any(str(values[i]).strip() for i in fill_at):
            found["empty"].append((item_id, place))
            text.iloc[k] = ""
            sheet.numbers.iloc[k] = float("nan")
        else:
            found["filled"].append((item_id, place))
            other = _other_year(values[year_at] if year_at is not None else None, year)
            if other is not None:
                problems.append(
                    Problem(
                        display, number, "report_year", "intake.problem.wrong_year", (("value", other), ("year", year))
                    )
                )
    return found


def _other_year(value, year: int) -> int | None:
    """A report year that is a whole number other than ``year``; anything else is the loader's to judge."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isascii() and text.isdigit() and int(text) != year else None


def _load_book(book, name: str, base, year: int, previous: int, returned: _Returned, problems: list[Problem]):
    """``data.load`` of the workbook beside the action lines it refers to, in a private folder.

    A workbook with motions filled in but no activity gets last year's activities (moved to the
    year) beside it, because the loader needs an activities table; only its motions are used.
    Rows the loader refuses are named, set aside and the rest is checked again (at most a few
    rounds), so that the good rows are compared with the other workbooks in the same pass.
    """
    seen: set[Problem] = set()
    for _ in range(4):
        for sheet in list(book.sheets):
            if not [
                p
                for _, p in returned.places.get(sheet.title.strip().lower(), [])
                if p.row not in returned.refused_rows.get(sheet.title.strip().lower(), set())
            ]:
                book.sheets.remove(sheet)  # nothing (good) came back in it: the loader need not read it
        with tempfile.TemporaryDirectory(prefix="nap-collect-") as scratch:
            folder = Path(scratch)
            _frame_csv(base.actielijnen, folder / "actielijnen.csv")
            if base.bewindspersonen is not None:  # the codes of activities.bewindspersoon are checked against it
                _frame_csv(base.bewindspersonen, folder / "bewindspersonen.csv")
            if not any(sheet.title.strip().lower() == "activities" for sheet in book.sheets):
                stand_in = base.activities[base.activities["report_year"] == previous].assign(report_year=year)
                _frame_csv(stand_in, folder / "activities.csv")
            if not book.sheets:
                return None
            try:
                return load(folder, books=[book])
            except DataError as exc:
                found = [p for p in exc.problems if p not in seen]
        seen.update(found)
        problems.extend(found)
        rows = _refused_rows(found, name, returned)
        if rows is None:
            return None
        for sheet in book.sheets:
            table = sheet.title.strip().lower()
            for row in rows.get(table, set()) - returned.refused_rows.setdefault(table, set()):
                returned.refused_rows[table].add(row)
                sheet.text.iloc[row - 2] = ""
                sheet.numbers.iloc[row - 2] = float("nan")
                sheet.issues[:] = [i for i in sheet.issues if not (i.row <= row <= i.last_row)]
    return None


def _refused_rows(found: list[Problem], name: str, returned: _Returned) -> dict[str, set[int]] | None:
    """The filled rows of this workbook that the problems name; None when a problem concerns
    more than a filled row (a header, a whole sheet or file): then nothing more can be compared."""
    rows: dict[str, set[int]] = {}
    for found_problem in found:
        file, _, table = found_problem.file.rpartition(":")
        filled = {place.row for _, place in returned.places.get(table, [])}
        if file != name or found_problem.row not in filled:
            return None
        rows.setdefault(table, set()).add(found_problem.row)
    return rows or None


def _columns(layout: SheetLayout) -> list[str]:
    return [c.name for c in layout.table.columns] + list(layout.table.extra_columns)


def _text_values(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, str]]:
    """Rows of a typed table as text (the form they are compared and written in)."""
    text = frame.reindex(columns=columns).astype(object)
    text = text.where(text.notna(), "").astype(str)
    return text.to_dict("records")


def _rows(frame: pd.DataFrame, layout: SheetLayout, places: list[tuple[str, Place]]) -> list[_Row]:
    """The loaded rows with their places: in sheet order, or by id should the counts differ."""
    records = _text_values(frame, _columns(layout))
    if len(records) == len(places):
        return [_Row(place, values) for (_, place), values in zip(places, records)]
    by_id: dict[str, Place] = {}
    for item_id, place in places:
        by_id.setdefault(item_id, place)
    fallback = places[0][1]
    return [_Row(by_id.get(values[layout.id_column], fallback), values) for values in records]


# --------------------------------------------------------------------------- all workbooks


def _merge(
    layout: SheetLayout, returned: list[_Returned], problems: list[Problem], report: IntakeReport
) -> dict[str, list[_Row]]:
    """Filled rows by id; rows with one id must agree in every column, or both are a conflict."""
    by_id: dict[str, list[_Row]] = {}
    keys: dict[str, str] = {}  # identity -> the id as first written: 'a02' and 'A02' are one row
    for back in returned:
        for row in back.filled.get(layout.name, []):
            item_id = row.values[layout.id_column]
            by_id.setdefault(keys.setdefault(text_rules.identity(item_id), item_id), []).append(row)
    columns = _columns(layout)
    conflicting = 0
    for item_id, rows in by_id.items():
        first = rows[0]
        differing = False
        for other in rows[1:]:
            columns_differ = [c for c in columns if first.values[c] != other.values[c]]
            if columns_differ:
                differing = True
                problems.append(
                    Problem(
                        first.place.sheet,
                        first.place.row,
                        None,
                        "intake.problem.conflict",
                        (
                            ("id", item_id),
                            ("other", other.place.sheet),
                            ("other_row", other.place.row),
                            ("columns", ", ".join(columns_differ)),
                        ),
                    )
                )
        conflicting += differing
    report.conflicts += conflicting
    return by_id


def _check_spelling(layout: SheetLayout, merged: dict[str, list[_Row]], base, problems: list[Problem]) -> None:
    """An id that an earlier year writes another way ('a05' for 'A05', a Cyrillic 'А'): one
    activity would become two, and the flags would call the real one dropped."""
    frame = getattr(base, layout.name)
    earlier = {text_rules.identity(i): i for i in frame[layout.id_column].unique()}
    for item_id, rows in merged.items():
        known = earlier.get(text_rules.identity(item_id))
        if known is not None and known != item_id:
            problems.append(
                Problem(
                    rows[0].place.sheet,
                    rows[0].place.row,
                    layout.id_column,
                    "intake.problem.id_spelling",
                    (
                        ("id", visible(item_id)),
                        ("known", visible(known)),
                        ("difference", visible(text_rules.difference(item_id, known))),
                    ),
                )
            )


def _describe(
    layout: SheetLayout,
    merged: dict[str, list[_Row]],
    returned: list[_Returned],
    base,
    previous: int,
    report: IntakeReport,
) -> None:
    """Counts, changes since last year, new, left-empty and missing rows of one table."""
    table = layout.name
    frame = getattr(base, table)
    earlier = {
        values[layout.id_column]: values
        for values in _text_values(frame[frame["report_year"] == previous], _columns(layout))
    }
    counts = TableCounts(filled=len(merged), statuses=dict.fromkeys(layout.statuses, 0))
    for rows in merged.values():
        counts.statuses[rows[0].values["status"]] = counts.statuses.get(rows[0].values["status"], 0) + 1
    report.counts[table] = counts
    for item_id, rows in merged.items():
        values, places = rows[0].values, tuple(row.place for row in rows)
        old = earlier.get(item_id)
        if old is None:
            report.new.append(Item(table, item_id, places, values["title"], values.get("owner", "")))
            continue
        columns = tuple(c for c in layout.carried if old.get(c, "") != values.get(c, ""))
        if columns or old["status"] != values["status"]:
            report.changed.append(
                Item(
                    table,
                    item_id,
                    places,
                    values["title"],
                    old_status=old["status"],
                    new_status=values["status"],
                    columns=columns,
                )
            )
    empty: dict[str, list[Place]] = {}
    for back in returned:
        for item_id, place in back.empty.get(table, []):
            empty.setdefault(item_id, []).append(place)
    for item_id, left_empty in empty.items():
        if item_id not in merged:
            old = earlier[item_id]
            report.empty.append(Item(table, item_id, tuple(left_empty), old["title"], old.get("owner", "")))
    present = set().union(*(back.present.get(table, set()) for back in returned))
    for item_id, old in earlier.items():
        if item_id not in present:
            report.missing.append(Item(table, item_id, (), old["title"], old.get("owner", "")))


# --------------------------------------------------------------------------- writing


def _frame_csv(frame: pd.DataFrame, path: Path) -> None:
    """A typed table as UTF-8 CSV with ',' (the bundled data's dialect)."""
    text = frame.astype(object).where(frame.notna(), "")
    text.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def _write(
    out: Path,
    base,
    data_dir: Path,
    year: int,
    layouts: list[SheetLayout],
    merged: dict[str, dict[str, list[_Row]]],
    report: IntakeReport,
) -> None:
    """Build the new data directory beside ``out``, check that it loads, then rename it into place."""
    out.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent))
    try:
        building.chmod(FOLDER_MODE)  # mkdtemp makes it private; the data folder is to be shared
        for layout in layouts:
            frame = getattr(base, layout.name)
            columns = _columns(layout)
            kept = pd.DataFrame(_text_values(frame[frame["report_year"] < year], columns), columns=columns)
            order = list(dict.fromkeys(frame.loc[frame["report_year"] == report.previous, layout.id_column]))
            ids = [i for i in order if i in merged[layout.name]] + sorted(set(merged[layout.name]) - set(order))
            added = pd.DataFrame([merged[layout.name][i][0].values for i in ids], columns=columns)
            pd.concat([kept, added], ignore_index=True).to_csv(
                building / f"{layout.name}.csv", index=False, lineterminator="\n", encoding="utf-8"
            )
        _copy_other_tables(base, data_dir, building, {layout.name for layout in layouts})
        try:
            load(building)
        except DataError as exc:
            raise IntakeError(exc.problems, report) from None
        for path in building.iterdir():
            path.chmod(FILE_MODE)
        if out.exists():
            out.rmdir()  # checked empty before anything was read; fails if something came in meanwhile
        os.rename(building, out)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def _copy_other_tables(base, data_dir: Path, target: Path, replaced: set[str]) -> None:
    """Every other table as it is: a CSV byte for byte, a workbook without the replaced sheets."""
    books: set[str] = set()
    for table, shown in base.files.items():
        if table in replaced:
            continue
        if ":" in shown:
            books.add(shown.rsplit(":", 1)[0])
        else:
            shutil.copyfile(data_dir / shown, target / shown)
    if books:
        from openpyxl import load_workbook

        for name in sorted(books):
            book = load_workbook(io.BytesIO((data_dir / name).read_bytes()))
            for sheet in list(book.worksheets):
                if sheet.title.strip().lower() in replaced:
                    book.remove(sheet)
            book.save(target / name)
