"""Funds as the memos give them: per ministry and budget instrument, amounts as stated.

An amount given per year is spread over the years of its period; an amount given as one total
for a period (or without a period, as the Voorjaarsnota 2022 gives the bureau of the
Regeringscommissaris) is kept as that total and never divided by guesswork. Ministries
without extra funds are rows with status ``no_funds`` and no amount.
"""

from __future__ import annotations

import pandas as pd


def _years(row) -> int | None:
    if pd.isna(row["period_start"]):
        return None
    return int(row["period_end"]) - int(row["period_start"]) + 1


def funds_by_instrument(funds: pd.DataFrame) -> pd.DataFrame:
    """One row per fund line with its total: columns ministry, instrument, purpose, period,
    amount_basis, amount_eur (as stated), years (of the period, NA without one), total_eur
    (per-year amounts times the years; a stated total as it is; NA for status no_funds), status,
    interpretation, source (and purpose_en, interpretation_en where the data have them). Rows keep
    the file's order within ministry and instrument."""
    table = funds.copy()
    years = table.apply(_years, axis=1).astype("Int64")
    per_year = table["amount_basis"] == "per_year"
    total = table["amount_eur"].where(~per_year, table["amount_eur"] * years.astype("float64"))
    total = total.where(~(per_year & years.isna()), table["amount_eur"])  # per year without a period: as stated
    table["years"] = years
    table["total_eur"] = total.astype("float64")
    columns = [
        "ministry",
        "instrument",
        "purpose",
        "period",
        "amount_basis",
        "amount_eur",
        "years",
        "total_eur",
        "status",
        "interpretation",
        "source",
    ]
    columns += [c for c in ("purpose_en", "interpretation_en") if c in table]  # our English, where the data have it
    return table[columns].reset_index(drop=True)


def instrument_totals(funds: pd.DataFrame) -> pd.DataFrame:
    """Per ministry and instrument the sum of its lines (the Voorjaarsnota 2022 total of its three
    parts): columns ministry, instrument, status, parts, total_eur; instruments with money only."""
    lines = funds_by_instrument(funds)
    lines = lines[lines["total_eur"].notna()]
    grouped = lines.groupby(["ministry", "instrument", "status"], sort=False, dropna=False)
    out = grouped["total_eur"].agg(parts="size", total_eur="sum").reset_index()
    return out.astype({"parts": "int64", "total_eur": "float64"})


def funds_by_year(funds: pd.DataFrame) -> pd.DataFrame:
    """Amounts per calendar year, only where the source gives them per year: columns ministry,
    instrument, year (int), status, amount_eur. Totals over a period are not spread."""
    rows = funds[(funds["amount_basis"] == "per_year") & funds["period_start"].notna() & funds["amount_eur"].notna()]
    if rows.empty:
        return pd.DataFrame(
            {
                "ministry": pd.Series(dtype="object"),
                "instrument": pd.Series(dtype="object"),
                "year": pd.Series(dtype="int64"),
                "status": pd.Series(dtype="object"),
                "amount_eur": pd.Series(dtype="float64"),
            }
        )
    spans = (rows["period_end"] - rows["period_start"] + 1).astype("int64").to_numpy()
    expanded = rows.loc[rows.index.repeat(spans)].copy()
    offsets = expanded.groupby(level=0).cumcount().to_numpy()
    expanded["year"] = expanded["period_start"].astype("int64").to_numpy() + offsets
    out = expanded[["ministry", "instrument", "year", "status", "amount_eur"]].astype({"year": "int64"})
    return out.sort_values(["year", "ministry"], ignore_index=True)
