"""Analysis functions on the small fixture, whose answers were worked out by hand."""
from __future__ import annotations

import pandas as pd

from nap_analysis.analysis.flags import flags
from nap_analysis.analysis.funds import funds_by_year, funds_table
from nap_analysis.analysis.milestones import slippage
from nap_analysis.analysis.progress import basis_counts, progress, progress_compare


def _counts(table, line):
    rows = table[table["actielijn"] == line]
    return dict(zip(rows["status"].astype(str), rows["n"]))


def test_progress_by_hand(small):
    table = progress(small.activities, 2025)
    # every (line, status) pair present, lines 1-3 plus total
    assert len(table) == 4 * 5
    assert _counts(table, "1") == {"completed": 1, "in_progress": 0, "delayed": 1, "stopped": 0, "not_started": 0}
    assert _counts(table, "2") == {"completed": 0, "in_progress": 1, "delayed": 0, "stopped": 1, "not_started": 0}
    assert _counts(table, "3") == {"completed": 0, "in_progress": 1, "delayed": 1, "stopped": 0, "not_started": 0}
    assert _counts(table, "total") == {"completed": 1, "in_progress": 2, "delayed": 2, "stopped": 1, "not_started": 0}
    shares = table.groupby("actielijn", observed=True)["share"].sum()
    assert (shares.round(12) == 1).all()
    total = table[table["actielijn"] == "total"].set_index(table[table["actielijn"] == "total"]["status"].astype(str))["share"]
    assert total["in_progress"] == 2 / 6


def test_progress_2024_and_compare(small):
    assert _counts(progress(small.activities, 2024), "total") == {
        "completed": 2, "in_progress": 2, "delayed": 1, "stopped": 0, "not_started": 1}
    both = progress_compare(small.activities, 2025, 2024)
    assert sorted(both["report_year"].unique()) == [2024, 2025]
    assert len(both) == 2 * 20


def test_flags_by_hand(small):
    table = flags(small.activities, 2025, 2024)
    got = sorted(zip(table["flag"].astype(str), table["activity_id"]))
    assert got == sorted([
        ("stopped", "A3"), ("newly_stopped", "A3"),
        ("delayed", "A2"), ("delayed", "A7"), ("newly_delayed", "A2"), ("newly_delayed", "A7"),
        ("regressed", "A4"), ("dropped", "A6"),
    ])
    stopped = table[table["flag"] == "newly_stopped"].iloc[0]
    assert stopped["explanation"] == "Geen verdere stappen"
    dropped = table[table["flag"] == "dropped"].iloc[0]
    assert dropped["status"] == "delayed"  # its last known status


def test_flags_first_year_has_no_changes(small):
    table = flags(small.activities, 2024, None)
    assert set(table["flag"].astype(str)) == {"delayed"}
    assert list(table["activity_id"]) == ["A6"]


def test_basis_counts(small):
    counts = dict(zip(basis_counts(small.activities, 2025)["status_basis"], basis_counts(small.activities, 2025)["n"]))
    assert counts == {"stated": 3, "inferred": 1, "illustrative": 2}


def test_funds_by_year_spreads_only_per_year_amounts(small):
    tidy = funds_by_year(small.funds)
    ocw = tidy[tidy["ministry"] == "OCW"].set_index("year")["amount_eur"]
    assert ocw.to_dict() == {2022: 2_050_000, 2023: 2_549_000, 2024: 2_549_000, 2025: 2_549_000}
    szw = tidy[tidy["ministry"] == "SZW"]
    assert len(szw) == 1 and pd.isna(szw["year"].iloc[0]) and szw["period"].iloc[0] == "2023-2025"
    assert szw["amount_eur"].iloc[0] == 800_000 and szw["status"].iloc[0] == "reserved"
    wide = funds_table(small.funds).set_index("ministry")
    assert wide.loc["OCW", "totaal"] == 2_050_000 + 3 * 2_549_000


def test_slippage_in_days(small):
    table = slippage(small.milestones).set_index("milestone")
    assert table.loc["MR en verzending", "slip_days"] == 42  # 2 Dec 2022 -> 13 Jan 2023
    assert table.loc["BWO", "slip_days"] == -1
    assert pd.isna(table.loc["Conferentie", "slip_days"])
    assert list(slippage(small.milestones)["milestone"]) == ["BWO", "MR en verzending", "Conferentie"]
