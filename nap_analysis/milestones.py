"""Planned against actual milestones: how many days each step slipped."""
from __future__ import annotations

import pandas as pd


def slippage(milestones: pd.DataFrame) -> pd.DataFrame:
    """Milestones in planned order with ``slip_days`` (actual − planned; NA while not yet done)."""
    table = milestones.copy()
    table["slip_days"] = (table["actual"] - table["planned"]).dt.days.astype("Int64")
    return table.sort_values(["planned", "milestone"], ignore_index=True)
