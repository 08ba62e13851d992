"""What came back from the ministries: the collect report, in either language.

Plain data (rows located by workbook, sheet and spreadsheet row) and one ``text()``; every
sentence is a key of :mod:`nap_analysis.words`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..data.messages import visible
from ..errors import DataError, Problem
from ..words import words


@dataclass(frozen=True, order=True)
class Place:
    """A row of a returned workbook: 'OCW.xlsx:activities', row 7."""

    sheet: str
    row: int

    def text(self, language: str) -> str:
        return self.sheet + words(language)("problem.row", row=self.row)


@dataclass(frozen=True)
class Item:
    """One row the report names: its table, id, where it came from (if anywhere) and what to say."""

    table: str
    item_id: str
    places: tuple[Place, ...] = ()
    title: str = ""
    owner: str = ""
    old_status: str = ""
    new_status: str = ""
    columns: tuple[str, ...] = ()  # columns (other than status) that differ from last year


@dataclass
class TableCounts:
    filled: int = 0
    statuses: dict[str, int] = field(default_factory=dict)  # code -> rows, in display order


@dataclass
class IntakeReport:
    """Everything collect found: counts, changes, empty, new and missing rows, and problems."""

    year: int
    previous: int
    workbooks: list[str]
    earlier_years: list[int] = field(default_factory=list)  # copied from the data as they are
    counts: dict[str, TableCounts] = field(default_factory=dict)
    changed: list[Item] = field(default_factory=list)
    empty: list[Item] = field(default_factory=list)
    new: list[Item] = field(default_factory=list)
    missing: list[Item] = field(default_factory=list)
    conflicts: int = 0
    unread: list[tuple[str, str, str]] = field(default_factory=list)  # (workbook, sheet, why) of sheets not read
    problems: list[Problem] = field(default_factory=list)

    def text(self, language: str = "nl") -> str:
        w = words(language)
        lines = [
            w(
                "intake.report.head",
                year=self.year,
                previous=self.previous,
                n=len(self.workbooks),
                files=", ".join(self.workbooks),
            )
        ]
        for table, counts in self.counts.items():
            statuses = (
                ", ".join(
                    w("intake.report.status_n", label=w[f"status.{code}"], n=n)
                    for code, n in counts.statuses.items()
                    if n
                )
                or w["intake.report.none"]
            )
            lines.append(
                w(
                    "intake.report.counts",
                    table=w[f"intake.table.{table}"],
                    filled=counts.filled,
                    statuses=statuses,
                    new=_n(self.new, table),
                    empty=_n(self.empty, table),
                    missing=_n(self.missing, table),
                )
            )
        sections = (
            ("intake.report.changed", self.changed),
            ("intake.report.new", self.new),
            ("intake.report.empty", self.empty),
            ("intake.report.missing", self.missing),
        )
        for key, items in sections:
            if items:
                lines.append(w(key, n=len(items), year=self.year, previous=self.previous))
                lines.extend(self._item(item, key, w, language) for item in items)
        if self.unread:
            lines.append(w("intake.report.unread", n=len(self.unread)))
            lines.extend(
                w(f"intake.report.unread_{why}", workbook=book, sheet=visible(sheet))
                for book, sheet, why in self.unread
            )
        if self.conflicts:
            lines.append(w("intake.report.conflicts", n=self.conflicts))
        return "\n".join(lines)

    def _item(self, item: Item, key: str, w, language: str) -> str:
        if key == "intake.report.changed":
            parts = []
            if item.old_status != item.new_status:
                parts.append(
                    w(
                        "intake.report.status_change",
                        old=w[f"status.{item.old_status}"],
                        new=w[f"status.{item.new_status}"],
                    )
                )
            if item.columns:
                parts.append(w("intake.report.columns_change", previous=self.previous, columns=", ".join(item.columns)))
            what = "; ".join(parts)
        elif item.owner:
            what = w("intake.report.title_owner", title=item.title, owner=item.owner)
        else:
            what = item.title
        if not item.places:
            return w("intake.report.item_nowhere", id=item.item_id, what=what)
        where = "; ".join(place.text(language) for place in item.places)
        return w("intake.report.item", id=item.item_id, where=where, what=what)


def _n(items: list[Item], table: str) -> int:
    return sum(1 for item in items if item.table == table)


class IntakeError(DataError):
    """The returned workbooks cannot be merged: every problem and conflict, with the report of
    what came back; nothing was written (exit 2)."""

    def __init__(self, problems: list[Problem], report: IntakeReport):
        self.report = report  # before the base class, which renders the message
        super().__init__(problems)

    def text(self, language: str = "nl") -> str:
        w = words(language)
        head = (
            w("intake.error.head_one")
            if len(self.problems) == 1
            else w("intake.error.head_many", count=len(self.problems))
        )
        listed = "\n".join(f"- {p.text(language)}" for p in self.problems)
        return f"{head}:\n{listed}\n\n{self.report.text(language)}"
