"""Progress per action line: how many activities (or motions) have each status, and what share.

Pure functions on the loader's tidy tables; every status appears in the result, also at 0,
so tables and charts always have the same shape.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import vocabulary as v
from ..errors import UsageError


def select_year(table: pd.DataFrame, year: int) -> pd.DataFrame:
    """The rows of one report year; a year that is not there is a user error, not an empty table."""
    rows = table[table["report_year"] == year]
    if rows.empty:
        years = ", ".join(str(y) for y in sorted(table["report_year"].unique()))
        raise UsageError("error.year_not_in_data", year=year, years=years)
    return rows


def previous_year(table: pd.DataFrame, year: int) -> int | None:
    """The report year before ``year`` in the table, the one a report is compared with; None for the first."""
    earlier = table.loc[table["report_year"] < year, "report_year"]
    return int(earlier.max()) if not earlier.empty else None


def _pair_counts(groups: pd.Series, statuses: pd.Series) -> pd.DataFrame:
    """Crosstab of the two columns as text (like ``pd.crosstab`` of ``astype(str)``), counted on codes.

    Both columns are factorized (cheap for Categoricals) and the pairs counted with bincount;
    only the few distinct values are turned into text, so 10^6 rows cost no string work.
    """
    g_codes, g_values = pd.factorize(groups, use_na_sentinel=False)
    s_codes, s_values = pd.factorize(statuses, use_na_sentinel=False)
    n_s = len(s_values)
    flat = np.bincount(g_codes * n_s + s_codes, minlength=len(g_values) * n_s).reshape(len(g_values), n_s)
    table = pd.DataFrame(
        flat.astype("int64"),
        index=pd.Index(pd.Series(g_values).astype(str)),
        columns=pd.Index(pd.Series(s_values).astype(str)),
    )
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
    rows = select_year(activities, year)
    lines = [str(a) for a in activities["actielijn"].cat.categories]
    return status_shares(rows, "actielijn", lines, v.ACTIVITY_STATUSES)


def progress_compare(activities: pd.DataFrame, year: int, previous: int | None) -> pd.DataFrame:
    """Progress of a year and of the previous report year, stacked with a report_year column."""
    years = [y for y in (previous, year) if y is not None]
    frames = [progress(activities, y).assign(report_year=y) for y in years]
    return pd.concat(frames, ignore_index=True).astype({"report_year": "int64"})


def motions_progress(motions: pd.DataFrame, year: int) -> pd.DataFrame:
    """Columns kind, status, n, share for motions and commitments (Bijlage 2) of one year."""
    rows = select_year(motions, year)
    return status_shares(rows, "kind", list(v.MOTION_KINDS), v.MOTION_STATUSES)


def basis_counts(table: pd.DataFrame, year: int) -> pd.DataFrame:
    """How the statuses of one year are known: rows per status_basis (stated/inferred/illustrative)."""
    rows = select_year(table, year)
    counts = rows["status_basis"].value_counts().reindex(list(v.STATUS_BASES), fill_value=0)
    return counts.rename_axis("status_basis").rename("n").reset_index().astype({"n": "int64"})


def origin_counts(table: pd.DataFrame, year: int) -> pd.DataFrame:
    """How many rows of one year are real NAP items and how many are made up for the demonstration."""
    rows = select_year(table, year)
    counts = rows["origin"].astype(str).value_counts().reindex(list(v.ORIGINS), fill_value=0)
    return counts.rename_axis("origin").rename("n").reset_index().astype({"n": "int64"})


#: Kinds of change between two reports, good news first; see :func:`status_changes`.
CHANGES: tuple[str, ...] = (
    "completed",
    "started",
    "recovered",
    "appeared",
    "delayed",
    "stopped",
    "regressed",
    "dropped",
    "other",
)


def status_changes(activities: pd.DataFrame, year: int, previous: int | None) -> pd.DataFrame:
    """Every activity whose status differs between ``previous`` and ``year``, with the kind of change.

    Columns activity_id, actielijn, title, status_from, status_to, change. ``change``:
    completed (now completed, was not), started (was not started, now running), recovered (was
    delayed, now in progress), appeared (new in the annex), delayed (newly delayed), stopped
    (newly stopped), regressed (was completed, now not), dropped (gone from the annex), other.
    Empty without a previous year.
    """
    columns = ["activity_id", "actielijn", "title", "status_from", "status_to", "change"]
    now = select_year(activities, year)
    if previous is None:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns}).astype(
            {"change": pd.CategoricalDtype(CHANGES, ordered=True)}
        )
    before = select_year(activities, previous)
    merged = now[["activity_id", "actielijn", "title", "status"]].merge(
        before[["activity_id", "actielijn", "title", "status"]],
        on="activity_id",
        how="outer",
        suffixes=("", "_from"),
        indicator=True,
    )
    status_to = merged["status"].astype("object")
    status_from = merged["status_from"].astype("object")
    merged["title"] = merged["title"].fillna(merged["title_from"])
    merged["actielijn"] = merged["actielijn"].astype("object").fillna(merged["actielijn_from"].astype("object"))
    conditions = [
        (merged["_merge"] == "left_only", "appeared"),
        (merged["_merge"] == "right_only", "dropped"),
        ((status_to == "completed") & (status_from != "completed"), "completed"),
        ((status_from == "completed") & (status_to != "completed"), "regressed"),
        ((status_to == "stopped") & (status_from != "stopped"), "stopped"),
        ((status_to == "delayed") & (status_from != "delayed"), "delayed"),
        ((status_from == "not_started") & status_to.isin(["in_progress"]), "started"),
        ((status_from == "delayed") & (status_to == "in_progress"), "recovered"),
    ]
    change = pd.Series(
        np.select([c for c, _ in conditions], [k for _, k in conditions], default="other"), index=merged.index
    )
    changed = (status_to != status_from) | (merged["_merge"] != "both")
    out = pd.DataFrame(
        {
            "activity_id": merged["activity_id"],
            "actielijn": merged["actielijn"].astype("int64"),
            "title": merged["title"],
            "status_from": status_from,
            "status_to": status_to,
            "change": pd.Categorical(change, categories=CHANGES, ordered=True),
        }
    )[changed.to_numpy()]
    return out.sort_values(["change", "actielijn", "activity_id"], ignore_index=True)
