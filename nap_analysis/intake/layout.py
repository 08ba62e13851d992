"""The layout of an intake workbook, shared by ``template`` (writes it) and ``collect`` (reads it back).

A table sheet carries exactly the columns of the data contract, so that the loader reads a
returned workbook as it is; beside them stand last year's status and explanation, which the
loader ignores (they are no contract columns). Which columns a ministry fills in, which are
carried over from last year and which changes the collect report names are decided here only.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..data import contract
from ..data import vocabulary as v
from ..words import words

#: Columns a ministry fills in for every row (empty in the template; a row with all of them empty
#: was "left empty").
FILL_IN: tuple[str, ...] = (
    "status",
    "status_basis",
    "explanation",
    "source",
    "note",
    "internal_note",
    "changed_by",
    "change_reason",
)


@dataclass(frozen=True)
class SheetLayout:
    """One table sheet of the workbook: the contract table and the roles of its columns."""

    table: contract.Table
    id_column: str
    #: carried over from last year, locked in prefilled rows, compared with last year on collect
    carried: tuple[str, ...]
    statuses: tuple[str, ...]
    accepted: dict[str, str]

    @property
    def name(self) -> str:
        return self.table.name

    def columns(self, previous: int) -> list[str]:
        """Header of the sheet: key, carried columns, then last year's status and explanation
        each beside the column to fill in."""
        beside = {name: previous_column(name, previous) for name in ("status", "explanation")}
        fill = [column for name in FILL_IN for column in ((beside[name], name) if name in beside else (name,))]
        return [self.id_column, "report_year", *self.carried, *fill]


def previous_column(name: str, previous: int) -> str:
    """'status_2025': last year's value, shown read-only; no contract column, so the loader skips it."""
    return f"{name}_{previous}"


#: The office's own columns (our English gloss of a title, who an activity concerns, what the
#: Kamerbrief highlights, new policy, a commitment's due date) are carried like the title: the
#: ministry sees them and they reach the new year's data unchanged, never lost in the round.
ACTIVITIES = SheetLayout(
    contract.ACTIVITIES,
    "activity_id",
    ("actielijn", "title", "title_en", "owner", "origin", "bewindspersoon", "highlight", "new_policy"),
    v.ACTIVITY_STATUSES,
    v.ACTIVITY_INPUT,
)
MOTIONS = SheetLayout(
    contract.MOTIONS,
    "item_id",
    ("kind", "title", "title_en", "member", "party", "origin", "due"),
    v.MOTION_STATUSES,
    v.MOTION_INPUT,
)
SHEETS: tuple[SheetLayout, ...] = (ACTIVITIES, MOTIONS)


def status_words(programme, year: int, layout: SheetLayout) -> dict[str, str]:
    """The Dutch word offered for each status code in ``year``: the year's own label
    (``status_labels``) when the loader reads it as that code, else the default word.

    A label the loader does not accept (2025: 'wordt invulling gegeven aan' for completed) would
    make the returned workbook unreadable, so it is never offered as a choice.
    """
    labels = programme.labels(year, "nl")
    default = words("nl")
    chosen: dict[str, str] = {}
    for code in layout.statuses:
        for candidate in (labels.get(code, ""), default[f"status.{code}"], code):
            if layout.accepted.get(v.normalise(candidate)) == code and candidate not in chosen.values():
                chosen[code] = candidate
                break
    return chosen


def split_owners(text: str) -> list[str]:
    """'OCW; SZW' -> ['OCW', 'SZW'] (the data write several owners with ';', people also type ',')."""
    return [part.strip() for part in str(text).replace(",", ";").split(";") if part.strip()]
