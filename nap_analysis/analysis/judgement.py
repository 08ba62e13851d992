"""Judgements that say what they rest on: is an action line on course?

The yardstick is configuration (``settings.csv``, default in :data:`nap_analysis.data.contract.SETTINGS`)
and is returned with the result, so the briefing can state it beside the judgement.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import vocabulary as v


def on_course(progress: pd.DataFrame, max_delayed_share: float) -> pd.DataFrame:
    """Every action line judged: columns actielijn, n, completed, stopped, running, delayed,
    delayed_share, on_course.

    ``progress`` is :func:`nap_analysis.analysis.progress.progress` of one year. Running
    activities are those neither completed nor stopped (in progress, delayed, not started); a
    line is on course when fewer than ``max_delayed_share`` of them are delayed. A line with
    nothing running has ``on_course`` NA: there is nothing left to judge.
    """
    wide = (
        progress[progress["actielijn"].astype(str) != v.TOTAL]
        .pivot_table(index="actielijn", columns="status", values="n", aggfunc="sum", observed=False)
        .reindex(columns=list(v.ACTIVITY_STATUSES), fill_value=0)
        .fillna(0)
        .astype("int64")
    )
    n = wide.sum(axis=1)
    running = n - wide["completed"] - wide["stopped"]
    share = (wide["delayed"] / running.where(running > 0)).astype("float64")
    judged = pd.array(np.where(running > 0, share < max_delayed_share, False), dtype="boolean")
    judged[(running == 0).to_numpy()] = pd.NA
    out = pd.DataFrame(
        {
            "actielijn": wide.index.astype(str),
            "n": n.to_numpy(),
            "completed": wide["completed"].to_numpy(),
            "stopped": wide["stopped"].to_numpy(),
            "running": running.to_numpy(),
            "delayed": wide["delayed"].to_numpy(),
            "delayed_share": share.to_numpy(),
            "on_course": judged,
        }
    )
    out = out[out["n"] > 0].reset_index(drop=True)
    out.attrs["max_delayed_share"] = float(max_delayed_share)
    return out
