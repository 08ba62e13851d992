"""The checked data of a programme, and what a report of a given year could know of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ..errors import UsageError
from ..words import words
from . import contract
from . import vocabulary as v
from .arguments import check_year
from .messages import Note


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
    notes: list[Note] = field(default_factory=list)  # what was skipped and why
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
        year = check_year(year)
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

    def consulted_internally(self, year: int) -> list[str]:
        """Whom within the coordinating ministry the nota of ``year`` was consulted with (``reports.csv``)."""
        table = self.reports
        if table is None or "consulted_internally" not in table:
            return []
        cells = table.loc[table["report_year"] == year, "consulted_internally"].fillna("").astype(str)
        return [part.strip() for cell in cells for part in cell.split(";") if part.strip()]

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
