"""Progress per action line: how many activities (or motions) have each status, and what share.

Pure functions on the loader's tidy tables; every status appears in the result, also at 0,
so tables and charts always have the same shape.
"""
from __future__ import annotations

import pandas as pd

from . import vocabulary as v


def _select_year(table: pd.DataFrame, year: int) -> pd.DataFrame:
    rows = table[table["report_year"] == year]
    if rows.empty:
        years = ", ".join(str(y) for y in sorted(table["report_year"].unique()))
        from .errors import UsageError

        raise UsageError(f"verslagjaar {year} staat niet in de data (wel: {years})")
    return rows


def status_shares(rows: pd.DataFrame, by: str, groups: list[str], statuses: tuple[str, ...]) -> pd.DataFrame:
    """Count and share of each status per group, plus a ``total`` group; all pairs present."""
    group_values = rows[by].astype(str)
    counts = pd.crosstab(group_values, rows["status"].astype(str)).reindex(index=groups, columns=list(statuses), fill_value=0)
    counts.loc[v.TOTAL] = counts.sum()
    long = counts.rename_axis(index=by, columns="status").stack().rename("n").reset_index()
    totals = long.groupby(by, sort=False)["n"].transform("sum")
    long["share"] = (long["n"] / totals.where(totals > 0)).fillna(0.0).astype("float64")
    long["n"] = long["n"].astype("int64")
    long[by] = pd.Categorical(long[by], categories=groups + [v.TOTAL], ordered=True)
    long["status"] = pd.Categorical(long["status"], categories=statuses, ordered=True)
    return long.sort_values([by, "status"], ignore_index=True)


def progress(activities: pd.DataFrame, year: int) -> pd.DataFrame:
    """Columns actielijn, status, n, share for one report year; ``actielijn == 'total'`` for all."""
    rows = _select_year(activities, year)
    lines = [str(a) for a in activities["actielijn"].cat.categories]
    return status_shares(rows, "actielijn", lines, v.ACTIVITY_STATUSES)


def progress_compare(activities: pd.DataFrame, year: int, previous: int | None) -> pd.DataFrame:
    """Progress of a year and of the previous report year, stacked with a report_year column."""
    years = [y for y in (previous, year) if y is not None]
    frames = [progress(activities, y).assign(report_year=y) for y in years]
    return pd.concat(frames, ignore_index=True).astype({"report_year": "int64"})


def motions_progress(motions: pd.DataFrame, year: int) -> pd.DataFrame:
    """Columns kind, status, n, share for motions and commitments (Bijlage 2) of one year."""
    rows = _select_year(motions, year)
    return status_shares(rows, "kind", list(v.MOTION_KINDS), v.MOTION_STATUSES)


def basis_counts(table: pd.DataFrame, year: int) -> pd.DataFrame:
    """How the statuses of one year are known: rows per status_basis (stated/inferred/illustrative)."""
    rows = _select_year(table, year)
    counts = rows["status_basis"].value_counts().reindex(list(v.STATUS_BASES), fill_value=0)
    return counts.rename_axis("status_basis").rename("n").reset_index().astype({"n": "int64"})
