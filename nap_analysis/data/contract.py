"""The data contract: which tables a data directory holds and what each column may contain.

This is the single description the loader checks against and ``data/README.md`` documents;
a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

from . import vocabulary as v


@dataclass(frozen=True)
class Column:
    """One column: its type (str, int, float, date, when, period, choice, status) and limits.

    ``when`` is a date known to the day or only to the month ('2022-12', 'december 2022'):
    the loader adds ``<name>_precision`` ('day' or 'month') beside it.
    """

    name: str
    kind: str = "str"
    required: bool = True  # the column must be present in the file
    nullable: bool = False  # a cell may be empty
    choices: tuple[str, ...] | None = None  # allowed values for kind "choice"
    accepted: dict[str, str] | None = None  # normalised input word -> code, for kind "status"
    minimum: float | None = None
    maximum: float | None = None
    default: str | None = None  # value used when an optional column is absent


@dataclass(frozen=True)
class Table:
    """One file of the data directory (``<name>.csv`` or a sheet ``<name>`` in a workbook)."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    optional: bool = False  # absent: the analyses that need it are skipped (words: ``note.absent.<name>``)
    extra_columns: tuple[str, ...] = field(default=("note",))  # allowed, kept as text

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


class _Limits(TypedDict):
    """Column's minimum and maximum, to pass on as keywords."""

    minimum: float
    maximum: float


_YEAR: _Limits = {"minimum": 2000, "maximum": 2100}

ACTIELIJNEN = Table(
    "actielijnen",
    (
        Column("actielijn", "int", minimum=1, maximum=9),
        Column("title_nl"),
        Column("title_en"),
        Column("owners", nullable=True),
    ),
    key=("actielijn",),
)

ACTIVITIES = Table(
    "activities",
    (
        Column("activity_id"),
        Column("report_year", "int", **_YEAR),
        Column("actielijn", "int", minimum=1, maximum=9),
        Column("title"),
        Column("owner", nullable=True),
        Column("status", "status", accepted=v.ACTIVITY_INPUT),
        Column("status_basis", "choice", choices=v.STATUS_BASES),
        Column("explanation", nullable=True),
        Column("source", nullable=True),
        Column("origin", "choice", choices=v.ORIGINS, required=False, default="nap"),
        #: text for the bewindspersonen only: shown in the briefing and the nota, never in a document
        #: for the Kamer (Bijlage 1 and 2, the Kamerbrief)
        Column("internal_note", nullable=True, required=False, default=""),
        #: the bewindspersonen (codes of bewindspersonen.csv, '; '-separated) the activity concerns
        Column("bewindspersoon", nullable=True, required=False, default=""),
        #: shown among the highlighted actions of the Kamerbrief
        Column("highlight", "choice", choices=v.YES_NO, nullable=True, required=False, default=""),
        #: whether the activity is new policy (the nota says so per bewindspersoon)
        Column("new_policy", "choice", choices=v.YES_NO, nullable=True, required=False, default=""),
        #: who changed the row since the previous version of the data, and why ('op verzoek van SOCW'):
        #: shown in the overview of `nap-analysis diff`, in no document
        Column("changed_by", nullable=True, required=False, default=""),
        Column("change_reason", nullable=True, required=False, default=""),
        #: our English gloss of the Dutch title (not an official title): English documents quote the
        #: Dutch title and give this beside it, said to be ours
        Column("title_en", nullable=True, required=False, default=""),
    ),
    key=("activity_id", "report_year"),
)

MOTIONS = Table(
    "motions",
    (
        Column("item_id"),
        Column("report_year", "int", **_YEAR),
        Column("kind", "choice", choices=v.MOTION_KINDS),
        Column("title"),
        Column("member", nullable=True),
        Column("party", nullable=True),
        Column("status", "status", accepted=v.MOTION_INPUT),
        Column("status_basis", "choice", choices=v.STATUS_BASES),
        Column("explanation", nullable=True),
        Column("source", nullable=True),
        Column("origin", "choice", choices=v.ORIGINS, required=False, default="nap"),
        Column("internal_note", nullable=True, required=False, default=""),
        #: the date by which the commitment was promised: `check` names it when it has passed and the
        #: item is still open at the report's date
        Column("due", "date", nullable=True, required=False, default=""),
        Column("changed_by", nullable=True, required=False, default=""),
        Column("change_reason", nullable=True, required=False, default=""),
        #: our English gloss of the Dutch title (not an official title): English documents quote the
        #: Dutch title and give this beside it, said to be ours
        Column("title_en", nullable=True, required=False, default=""),
    ),
    key=("item_id", "report_year"),
    optional=True,
)

FUNDS = Table(
    "funds",
    (
        Column("ministry"),
        Column("instrument", nullable=True),
        Column("purpose", nullable=True),
        Column("period", "period", nullable=True),
        Column("amount_eur", "float", nullable=True, minimum=0),
        Column("amount_basis", "choice", choices=v.AMOUNT_BASES, required=False, default="total"),
        Column("status", "choice", choices=v.FUND_STATUSES),
        Column("source", nullable=True),
        Column("interpretation", nullable=True, required=False, default=""),
        #: our English translation of purpose and interpretation (not an official text), for English documents
        Column("purpose_en", nullable=True, required=False, default=""),
        Column("interpretation_en", nullable=True, required=False, default=""),
    ),
    optional=True,
)

MILESTONES = Table(
    "milestones",
    (
        Column("milestone"),
        Column("planned", "when"),
        Column("actual", "when", nullable=True),
        Column("source", nullable=True),
        Column("phase", nullable=True, required=False, default=""),
        #: our English translation of milestone and phase (not an official title), for English documents
        Column("milestone_en", nullable=True, required=False, default=""),
        Column("phase_en", nullable=True, required=False, default=""),
    ),
    key=("milestone",),
    optional=True,
)

INDICATORS = Table(
    "indicators",
    (
        Column("monitor"),
        Column("indicator"),
        Column("group"),
        Column("year", "int", **_YEAR),
        Column("percent", "float", minimum=0, maximum=100),
        Column("n", "int", nullable=True, minimum=1),
        Column("source", nullable=True),
        Column("label_nl", nullable=True, required=False, default=""),
        Column("label_en", nullable=True, required=False, default=""),
        Column("group_en", nullable=True, required=False, default=""),
        #: when the figure was published: a report dated before it does not know it (Programme.as_of)
        Column("published", "when", nullable=True, required=False, default=""),
        #: the action line whose actions the figure tells about (the Kamerbrief ties trends to actions)
        Column("actielijn", "int", nullable=True, required=False, default="", minimum=1, maximum=9),
    ),
    key=("monitor", "indicator", "group", "year"),
    optional=True,
)

STATUS_LABELS = Table(
    "status_labels",
    (
        Column("report_year", "int", **_YEAR),
        Column("language", "choice", choices=v.LANGUAGES),
        Column("status", "choice", choices=v.MOTION_STATUSES),
        Column("label"),
        #: the word the icon had before this label replaced it in the same report (memo of 13 March
        #: 2025: "wordt invulling gegeven aan" in place of "afgedaan"): the relabel note quotes it
        Column("replaces", nullable=True, required=False, default=""),
        Column("source", nullable=True, required=False, default=""),
    ),
    key=("report_year", "language", "status"),
    optional=True,
)

REPORTS = Table(
    "reports",
    (
        Column("report_year", "int", **_YEAR),
        #: the date of the progress report (its letter to the Kamer): what the report may know
        Column("report_date", "date"),
        #: the end of the programme as known at that date (it was extended after the 2024 report)
        Column("programme_end", "date"),
        #: the directorates of the coordinating ministry the nota was consulted with, ';'-separated
        Column("consulted_internally", nullable=True, required=False, default=""),
        Column("source", nullable=True),
    ),
    key=("report_year",),
    optional=True,
)

BEWINDSPERSONEN = Table(
    "bewindspersonen",
    (
        Column("code"),
        Column("title_nl"),
        Column("title_en"),
        Column("ministry"),
        Column("role", "choice", choices=v.ROLES),
        #: the nota is addressed to them (its "Geadviseerd besluit" has a line for each)
        Column("nota", "choice", choices=v.YES_NO),
        Column("source", nullable=True, required=False, default=""),
    ),
    key=("code",),
    optional=True,
)

INTERNAL_PHRASES = Table(
    "internal_phrases",
    (
        #: words that belong in the nota, not in a public document; `check` looks for each
        #: (case-insensitive, as a whole word or phrase) in the text of Bijlage 1, 2 and the Kamerbrief
        Column("phrase"),
        Column("reason", nullable=True),
    ),
    key=("phrase",),
    optional=True,
)

#: Settings a data directory may change, with their defaults (``settings.csv``): what the
#: briefing's judgements rest on is configuration, stated in the briefing, not code.
SETTINGS: dict[str, float] = {
    #: An action line is on course when fewer than this share of its running activities
    #: (not stopped, not completed) is delayed.
    "on_course_max_delayed_share": 0.25,
}

SETTINGS_TABLE = Table(
    "settings",
    (
        Column("setting", "choice", choices=tuple(SETTINGS)),
        Column("value", "float", minimum=0, maximum=1),
    ),
    key=("setting",),
    optional=True,
)

TABLES: tuple[Table, ...] = (
    ACTIELIJNEN,
    ACTIVITIES,
    MOTIONS,
    FUNDS,
    MILESTONES,
    INDICATORS,
    STATUS_LABELS,
    SETTINGS_TABLE,
    REPORTS,
    INTERNAL_PHRASES,
    BEWINDSPERSONEN,
)
BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
