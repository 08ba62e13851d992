"""Funds per ministry and year, from the budget instruments that made them available.

Amounts given per year are spread over every year of their period; amounts given as one
total for a multi-year period are kept as that total (never divided by guesswork).
"""
from __future__ import annotations

import pandas as pd


def funds_by_year(funds: pd.DataFrame) -> pd.DataFrame:
    """Columns ministry, year (Int64; NA for a multi-year total), period, status, amount_eur."""
    per_year = funds[(funds["amount_basis"] == "per_year") | (funds["period_start"] == funds["period_end"])]
    totals = funds.drop(per_year.index)
    spans = (per_year["period_end"] - per_year["period_start"] + 1).to_numpy()
    expanded = per_year.loc[per_year.index.repeat(spans)].copy()
    offsets = expanded.groupby(level=0).cumcount().to_numpy()
    expanded["year"] = (expanded["period_start"].to_numpy() + offsets)
    expanded["period"] = expanded["year"].astype(str)
    totals = totals.assign(year=pd.NA)
    both = pd.concat([expanded, totals], ignore_index=True)
    both["year"] = both["year"].astype("Int64")
    summed = both.groupby(["ministry", "year", "period", "status"], dropna=False, sort=True, observed=True)["amount_eur"].sum()
    return summed.reset_index().sort_values(["year", "ministry", "status"], na_position="last", ignore_index=True)


def funds_table(funds: pd.DataFrame) -> pd.DataFrame:
    """Wide overview for a briefing: one row per ministry and status, one column per year or period."""
    tidy = funds_by_year(funds)
    wide = tidy.pivot_table(index=["ministry", "status"], columns="period", values="amount_eur", aggfunc="sum", fill_value=0.0, observed=True)
    ordered = sorted(wide.columns, key=lambda p: (len(p) > 4, p))
    wide = wide[ordered]
    wide["totaal"] = wide.sum(axis=1)
    return wide.reset_index()
