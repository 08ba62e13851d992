"""Flags: what a reader of the annex must not miss.

Delayed and stopped activities of a year with their explanation, and what changed since
the previous report: newly delayed, newly stopped, moved back from completed (regressed)
and disappeared from the annex (dropped).
"""
from __future__ import annotations

import pandas as pd

from .progress import _select_year

FLAGS: tuple[str, ...] = ("stopped", "newly_stopped", "delayed", "newly_delayed", "regressed", "dropped")
COLUMNS = ["activity_id", "actielijn", "title", "status", "flag", "explanation"]


def flags(activities: pd.DataFrame, year: int, previous: int | None = None) -> pd.DataFrame:
    """One row per (activity, flag): columns activity_id, actielijn, title, status, flag, explanation.

    ``previous`` defaults to the report year before ``year`` present in the data; where there
    is none, only the delayed and stopped flags can be given.
    """
    now = _select_year(activities, year)
    if previous is None:
        earlier = activities.loc[activities["report_year"] < year, "report_year"]
        previous = int(earlier.max()) if not earlier.empty else None
    before = activities[activities["report_year"] == previous] if previous is not None else activities.iloc[0:0]
    merged = now.merge(
        before[["activity_id", "status"]].rename(columns={"status": "status_before"}),
        on="activity_id", how="left",
    )
    status = merged["status"].astype(str)
    was = merged["status_before"].astype(str).where(merged["status_before"].notna())
    had_previous = previous is not None
    candidates = {
        "stopped": status == "stopped",
        "delayed": status == "delayed",
        "newly_stopped": (status == "stopped") & (was != "stopped") & had_previous,
        "newly_delayed": (status == "delayed") & (was != "delayed") & had_previous,
        "regressed": (was == "completed") & (status != "completed"),
    }
    pieces = [merged.loc[mask, COLUMNS[:4] + ["explanation"]].assign(flag=name) for name, mask in candidates.items()]
    gone = before[~before["activity_id"].isin(now["activity_id"])]
    pieces.append(gone.assign(flag="dropped")[COLUMNS[:4] + ["explanation", "flag"]])
    result = pd.concat(pieces, ignore_index=True)[COLUMNS]
    result["flag"] = pd.Categorical(result["flag"], categories=FLAGS, ordered=True)
    result["status"] = pd.Categorical(result["status"].astype(str), categories=activities["status"].cat.categories, ordered=True)
    result["actielijn"] = pd.Categorical(result["actielijn"].astype("int64"), categories=activities["actielijn"].cat.categories)
    return result.sort_values(["flag", "actielijn", "activity_id"], ignore_index=True)
