"""Planned against actual milestones: how far each step slipped, and how precisely that is known."""

from __future__ import annotations

import numpy as np
import pandas as pd


def slippage(milestones: pd.DataFrame) -> pd.DataFrame:
    """Milestones in planned order with the slip.

    Adds ``slip_days`` (actual − planned, when both are known to the day), ``slip_months``
    (whole calendar months between them, when either is known only to the month) and
    ``approximate`` (True when the slip rests on a month-precision date). A step that has not
    (yet) happened, or whose date is unknown, has no slip.
    """
    table = milestones.copy()
    for column in ("planned_precision", "actual_precision"):
        if column not in table:
            # numpy's stubs take no None as the other value; at run time it makes an object array of "day" and None
            table[column] = np.where(table[column.split("_")[0]].notna(), "day", None)  # type: ignore[call-overload]
    if "phase" not in table:
        table["phase"] = ""
    both = table["planned"].notna() & table["actual"].notna()
    approximate = both & ((table["planned_precision"] == "month") | (table["actual_precision"] == "month"))
    days = (table["actual"] - table["planned"]).dt.days.astype("Int64")
    months = (
        (table["actual"].dt.year - table["planned"].dt.year) * 12
        + (table["actual"].dt.month - table["planned"].dt.month)
    ).astype("Int64")
    table["slip_days"] = days.where(both & ~approximate)
    table["slip_months"] = months.where(approximate)
    table["approximate"] = approximate.astype(bool)
    return table.sort_values(["planned", "milestone"], ignore_index=True)


def report_milestones(milestones: pd.DataFrame, since=None, until=None) -> pd.DataFrame:
    """The steps of one report's cycle: planned after the previous report (``since``) and not after
    this one (``until``); either bound left out where it is not known. The 2025 report's planning is
    its own cycle, not the drafting of the NAP in 2022."""
    planned = milestones["planned"]
    keep = pd.Series(True, index=milestones.index)
    if since is not None:
        keep &= planned > pd.Timestamp(since)
    if until is not None:
        keep &= planned <= pd.Timestamp(until)
    return milestones[keep].reset_index(drop=True)
