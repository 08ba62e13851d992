"""How the statuses of the activities moved between two reports: the transition counts and the
completed share per action line in both.

Pure functions on the loader's tidy tables; shares in percent (0-100), as in :mod:`.statistics`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.vocabulary import ACTIELIJNEN, ACTIVITY_STATUSES, TOTAL
from .progress import select_year
from .statistics import check_unique, status_codes

#: Pseudo-status for an activity that does not occur in one of the two compared reports.
ABSENT = "absent"
#: Categories of ``status_from``/``status_to`` in transition tables.
TRANSITION_STATUSES: tuple[str, ...] = ACTIVITY_STATUSES + (ABSENT,)


# --------------------------------------------------------------------------- 4: transitions


def _transition_counts(activities: pd.DataFrame, year_from: int, year_to: int) -> np.ndarray:
    """6 x 6 counts (status_from x status_to over ``TRANSITION_STATUSES``), vectorised.

    Activity ids are factorized once; the uniqueness of (activity_id, report_year) is checked
    on integer keys (the slow ``check_unique`` only runs to word the error). Only the rows of
    the two years are looked at after that. A status missing from a present row counts as
    absent; a status outside the vocabulary is left out (as a Categorical cast would drop it).
    """
    year = activities["report_year"].to_numpy(dtype="int64")
    year_codes, year_uniques = pd.factorize(year)
    for wanted in (year_from, year_to):
        if int(wanted) not in set(year_uniques.tolist()):
            select_year(activities, wanted)  # raises the usual UsageError
    id_codes, id_uniques = pd.factorize(activities["activity_id"], use_na_sentinel=False)
    key = id_codes.astype("int64") * max(len(year_uniques), 1) + year_codes
    if len(pd.unique(key)) != len(key):
        check_unique(activities, ["activity_id", "report_year"], "activiteiten")  # raises, naming the keys

    k = len(TRANSITION_STATUSES)
    absent = k - 1
    in_from, in_to = year == int(year_from), year == int(year_to)
    rows = np.flatnonzero(in_from | in_to)
    status = activities["status"].iloc[rows]
    if isinstance(status.dtype, pd.CategoricalDtype):
        position = pd.Index(list(TRANSITION_STATUSES)).get_indexer(status.cat.categories.astype("object"))
        codes = np.append(position, absent)[status.cat.codes.to_numpy()]  # code -1 (missing) -> absent
    else:
        values = status.astype("object")
        codes = pd.Categorical(values, categories=list(TRANSITION_STATUSES)).codes.astype("int64")
        codes[values.isna().to_numpy()] = absent
    codes = np.asarray(codes, dtype="int64")

    missing = -2
    status_from = np.full(len(id_uniques), missing, dtype="int64")
    status_to = np.full(len(id_uniques), missing, dtype="int64")
    sel_from, sel_to = in_from[rows], in_to[rows]
    status_from[id_codes[rows[sel_from]]] = codes[sel_from]
    status_to[id_codes[rows[sel_to]]] = codes[sel_to]
    seen = (status_from != missing) | (status_to != missing)
    a = np.where(status_from == missing, absent, status_from)[seen]
    b = np.where(status_to == missing, absent, status_to)[seen]
    known = (a >= 0) & (b >= 0)
    return np.bincount(a[known] * k + b[known], minlength=k * k).reshape(k, k).astype("int64")


def status_transitions(activities: pd.DataFrame, year_from: int, year_to: int) -> pd.DataFrame:
    """Counts of status changes between two reports: columns status_from, status_to, n.

    Every activity in either report is counted once. One that is missing from
    ``year_from`` has status_from ``'absent'`` (it appeared), one missing from
    ``year_to`` has status_to ``'absent'`` (it disappeared). Both columns are ordered
    Categoricals over ``TRANSITION_STATUSES`` and all 36 combinations are present (n = 0
    included), so a crosstab never loses a row or column; ``n`` is int64.
    """
    counts = _transition_counts(activities, year_from, year_to)
    k = len(TRANSITION_STATUSES)
    cat = pd.CategoricalDtype(list(TRANSITION_STATUSES), ordered=True)
    return pd.DataFrame(
        {
            "status_from": pd.Categorical.from_codes(np.repeat(np.arange(k), k), dtype=cat),
            "status_to": pd.Categorical.from_codes(np.tile(np.arange(k), k), dtype=cat),
            "n": counts.ravel(),
        }
    )


def transition_matrix(activities: pd.DataFrame, year_from: int, year_to: int) -> pd.DataFrame:
    """Wide crosstab of :func:`status_transitions`: rows status_from, columns status_to (int64)."""
    counts = _transition_counts(activities, year_from, year_to)
    cat = pd.CategoricalDtype(list(TRANSITION_STATUSES), ordered=True)
    return pd.DataFrame(
        counts,
        index=pd.CategoricalIndex(list(TRANSITION_STATUSES), dtype=cat, name="status_from"),
        columns=pd.CategoricalIndex(list(TRANSITION_STATUSES), dtype=cat, name="status_to"),
    )


# --------------------------------------------------------------------------- 5: completed share


def completed_share_change(
    activities: pd.DataFrame, year_from: int, year_to: int, *, exclude_stopped: bool = False
) -> pd.DataFrame:
    """Percentage of activities completed per action line (and in total) in two reports.

    Columns: actielijn (Categorical of str '1'..'5', 'total'), share_from, share_to (percent),
    change_pp (share_to - share_from, percentage points), n_from, n_to (number of activities
    in the denominator, int64). Each report is read as its own full snapshot. By default
    the denominator is every activity in the report, as the report itself counts them;
    ``exclude_stopped=True`` leaves stopped activities out (as the projection does). A line
    without activities has n = 0 and NaN shares. All five lines are always listed.
    """
    select_year(activities, year_from)
    select_year(activities, year_to)
    check_unique(activities, ["activity_id", "report_year"], "activiteiten")

    status = status_codes(activities)
    keep = activities["report_year"].isin([year_from, year_to])
    if exclude_stopped:
        keep &= status != "stopped"
    sel = pd.DataFrame(
        {
            "report_year": activities.loc[keep, "report_year"].to_numpy(dtype="int64"),
            "actielijn": pd.Categorical(
                activities.loc[keep, "actielijn"].astype("Int64").to_numpy(dtype=object), categories=list(ACTIELIJNEN)
            ),
            "completed": (status[keep] == "completed").to_numpy(dtype="int64"),
        }
    )
    lines = [str(x) for x in ACTIELIJNEN] + [TOTAL]

    def per_year(year: int) -> tuple[np.ndarray, np.ndarray]:
        part = sel[sel["report_year"] == year]
        agg = part.groupby("actielijn", observed=False)["completed"].agg(["sum", "size"])
        agg = agg.reindex(list(ACTIELIJNEN), fill_value=0)
        done = np.append(agg["sum"].to_numpy(dtype="int64"), agg["sum"].sum())
        size = np.append(agg["size"].to_numpy(dtype="int64"), agg["size"].sum())
        return done, size

    done_a, n_a = per_year(year_from)
    done_b, n_b = per_year(year_to)
    with np.errstate(divide="ignore", invalid="ignore"):
        share_a = np.where(n_a > 0, 100.0 * done_a / n_a, np.nan)
        share_b = np.where(n_b > 0, 100.0 * done_b / n_b, np.nan)
    return pd.DataFrame(
        {
            "actielijn": pd.Categorical(lines, categories=lines),
            "share_from": share_a.astype("float64"),
            "share_to": share_b.astype("float64"),
            "change_pp": (share_b - share_a).astype("float64"),
            "n_from": n_a.astype("int64"),
            "n_to": n_b.astype("int64"),
        }
    )
