"""Progress per action line: how many activities (or motions) have each status, and what share.

Pure functions on the loader's tidy tables; every status appears in the result, also at 0,
so tables and charts always have the same shape.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import vocabulary as v


def _select_year(table: pd.DataFrame, year: int) -> pd.DataFrame:
    rows = table[table["report_year"] == year]
    if rows.empty:
        years = ", ".join(str(y) for y in sorted(table["report_year"].unique()))
        from .errors import UsageError

        raise UsageError(f"verslagjaar {year} staat niet in de data (wel: {years})")
    return rows


def _pair_counts(groups: pd.Series, statuses: pd.Series) -> pd.DataFrame:
    """Crosstab of the two columns as text (like ``pd.crosstab`` of ``astype(str)``), counted on codes.

    Both columns are factorized (cheap for Categoricals) and the pairs counted with bincount;
    only the few distinct values are turned into text, so 10^6 rows cost no string work.
    """
    g_codes, g_values = pd.factorize(groups, use_na_sentinel=False)
    s_codes, s_values = pd.factorize(statuses, use_na_sentinel=False)
    n_s = len(s_values)
    flat = np.bincount(g_codes * n_s + s_codes, minlength=len(g_values) * n_s).reshape(len(g_values), n_s)
    table = pd.DataFrame(flat.astype("int64"), index=pd.Index(pd.Series(g_values).astype(str)), columns=pd.Index(pd.Series(s_values).astype(str)))
    if not (table.index.is_unique and table.columns.is_unique):  # e.g. 1 and '1' are the same text
        table = table.T.groupby(level=0).sum().T.groupby(level=0).sum()
    return table.loc[:, table.sum() > 0].loc[table.sum(axis=1) > 0]


def status_shares(rows: pd.DataFrame, by: str, groups: list[str], statuses: tuple[str, ...]) -> pd.DataFrame:
    """Count and share of each status per group, plus a ``total`` group; all pairs present."""
    counts = _pair_counts(rows[by], rows["status"]).reindex(index=groups, columns=list(statuses), fill_value=0)
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
