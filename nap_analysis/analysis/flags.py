"""Flags: what a reader of the annex must not miss.

Delayed and stopped activities of a year with their explanation, and what changed since
the previous report: newly delayed, newly stopped, moved back from completed (regressed)
and disappeared from the annex (dropped).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .progress import previous_year, select_year

FLAGS: tuple[str, ...] = ("stopped", "newly_stopped", "delayed", "newly_delayed", "regressed", "dropped")
COLUMNS = ["activity_id", "actielijn", "title", "status", "flag", "explanation"]


def _as_text(status: pd.Series) -> pd.Series:
    """Status as text for comparing with codes; a Categorical is compared on its few categories."""
    if isinstance(status.dtype, pd.CategoricalDtype):
        words = status.cat.categories.astype(str)
        return pd.Series(
            pd.Categorical.from_codes(status.cat.codes, categories=words) if words.is_unique else status.astype(str)
        )
    return status.astype(str)


def flags(activities: pd.DataFrame, year: int, previous: int | None = None) -> pd.DataFrame:
    """One row per (activity, flag): columns activity_id, actielijn, title, status, flag, explanation.

    ``previous`` defaults to the report year before ``year`` present in the data; where there
    is none, only the delayed and stopped flags can be given.
    """
    now = select_year(activities, year)
    if previous is None:
        previous = previous_year(activities, year)
    before = activities[activities["report_year"] == previous] if previous is not None else activities.iloc[0:0]
    # Match activities on integer codes of their ids (one factorize of both years) instead of
    # merging on the id strings; a left merge on the codes keeps merge's semantics exactly
    # (also for an id that occurs twice in the previous year).
    codes, _ = pd.factorize(
        pd.concat([now["activity_id"], before["activity_id"]], ignore_index=True), use_na_sentinel=False
    )
    now_codes, before_codes = codes[: len(now)], codes[len(now) :]
    pairs = pd.DataFrame({"key": now_codes, "row": np.arange(len(now))}).merge(
        pd.DataFrame({"key": before_codes, "before_row": np.arange(len(before))}), on="key", how="left"
    )
    rows = pairs["row"].to_numpy()
    before_rows = pairs["before_row"].fillna(-1).to_numpy(dtype="int64")
    status = _as_text(pd.Series(now["status"].array.take(rows)))
    was = _as_text(pd.Series(before["status"].array.take(before_rows, allow_fill=True)))
    was = was.where(before_rows >= 0)
    had_previous = previous is not None
    candidates = {
        "stopped": status == "stopped",
        "delayed": status == "delayed",
        "newly_stopped": (status == "stopped") & (was != "stopped") & had_previous,
        "newly_delayed": (status == "delayed") & (was != "delayed") & had_previous,
        "regressed": (was == "completed") & (status != "completed"),
    }
    shown = now[COLUMNS[:4] + ["explanation"]]
    pieces = [shown.iloc[rows[mask.to_numpy(dtype=bool)]].assign(flag=name) for name, mask in candidates.items()]
    gone = before[~np.isin(before_codes, now_codes)]
    pieces.append(gone.assign(flag="dropped")[COLUMNS[:4] + ["explanation", "flag"]])
    result = pd.concat(pieces, ignore_index=True)[COLUMNS]
    result["flag"] = pd.Categorical(result["flag"], categories=FLAGS, ordered=True)
    result["status"] = pd.Categorical(
        result["status"].astype(str), categories=activities["status"].cat.categories, ordered=True
    )
    result["actielijn"] = pd.Categorical(
        result["actielijn"].astype("int64"), categories=activities["actielijn"].cat.categories
    )
    return result.sort_values(["flag", "actielijn", "activity_id"], ignore_index=True)
