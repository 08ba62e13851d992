"""Analysis functions on the small fixture, whose answers were worked out by hand."""

from __future__ import annotations

import pandas as pd

from nap_analysis.analysis.flags import flags
from nap_analysis.analysis.funds import funds_by_instrument, funds_by_year, instrument_totals
from nap_analysis.analysis.judgement import on_course
from nap_analysis.analysis.milestones import slippage
from nap_analysis.analysis.progress import basis_counts, progress, progress_compare, status_changes


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
    total = table[table["actielijn"] == "total"].set_index(table[table["actielijn"] == "total"]["status"].astype(str))[
        "share"
    ]
    assert total["in_progress"] == 2 / 6


def test_progress_2024_and_compare(small):
    assert _counts(progress(small.activities, 2024), "total") == {
        "completed": 2,
        "in_progress": 2,
        "delayed": 1,
        "stopped": 0,
        "not_started": 1,
    }
    both = progress_compare(small.activities, 2025, 2024)
    assert sorted(both["report_year"].unique()) == [2024, 2025]
    assert len(both) == 2 * 20


def test_flags_by_hand(small):
    table = flags(small.activities, 2025, 2024)
    got = sorted(zip(table["flag"].astype(str), table["activity_id"]))
    assert got == sorted(
        [
            ("stopped", "A3"),
            ("newly_stopped", "A3"),
            ("delayed", "A2"),
            ("delayed", "A7"),
            ("newly_delayed", "A2"),
            ("newly_delayed", "A7"),
            ("regressed", "A4"),
            ("dropped", "A6"),
        ]
    )
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
    assert "SZW" not in set(tidy["ministry"])  # a total over 2023-2025 is never spread over the years


def test_funds_by_instrument_keeps_what_the_source_states(small):
    lines = funds_by_instrument(small.funds).set_index("instrument")
    assert lines.loc["Ontwerpbegroting 2023", "total_eur"] == 3 * 2_549_000  # per year, times the three years
    assert lines.loc["Ontwerpbegroting 2023", "amount_eur"] == 2_549_000
    assert lines.loc["Begroting SZW", "total_eur"] == 800_000  # a stated total stays itself
    totals = instrument_totals(small.funds).set_index("instrument")["total_eur"]
    assert totals.to_dict() == {
        "Voorjaarsnota 2022": 2_050_000,
        "Ontwerpbegroting 2023": 7_647_000,
        "Begroting SZW": 800_000,
    }


def test_funds_of_the_bundled_data_give_the_memos_totals(bundled):
    """The seeds: Voorjaarsnota 2022 EUR 10.958.500 in three parts; EUR 2.549 mln a year 2023-2025."""
    totals = instrument_totals(bundled.funds).set_index(["ministry", "instrument"])
    assert totals.loc[("OCW", "Voorjaarsnota 2022"), "total_eur"] == 10_958_500
    assert totals.loc[("OCW", "Voorjaarsnota 2022"), "parts"] == 3
    lines = funds_by_instrument(bundled.funds)
    ob = lines[lines["instrument"] == "Ontwerpbegroting 2023"].iloc[0]
    assert (ob["amount_eur"], ob["amount_basis"], ob["period"]) == (2_549_000, "per_year", "2023-2025")
    none = lines[lines["status"] == "no_funds"]
    assert sorted(none["ministry"]) == ["JenV", "VWS"] and none["total_eur"].isna().all()


def test_status_changes_by_hand(small):
    changes = status_changes(small.activities, 2025, 2024)
    got = dict(zip(changes["activity_id"], changes["change"].astype(str)))
    assert got == {
        "A2": "delayed",
        "A3": "stopped",
        "A4": "regressed",
        "A5": "started",
        "A6": "dropped",
        "A7": "appeared",
    }  # A1 stayed completed: no row
    assert status_changes(small.activities, 2024, None).empty


def test_on_course_judges_every_line_by_its_running_activities(small):
    judged = on_course(progress(small.activities, 2025), 0.25).set_index("actielijn")
    assert judged.loc["1", "running"] == 1 and judged.loc["1", "delayed"] == 1  # A1 completed is not running
    assert list(judged["on_course"]) == [False, True, False]
    assert judged.attrs["max_delayed_share"] == 0.25
    assert list(on_course(progress(small.activities, 2025), 0.6)["on_course"]) == [False, True, True]


def test_slippage_in_days(small):
    table = slippage(small.milestones).set_index("milestone")
    assert not table["approximate"].any()
    assert table.loc["MR en verzending", "slip_days"] == 42  # 2 Dec 2022 -> 13 Jan 2023
    assert table.loc["BWO", "slip_days"] == -1
    assert pd.isna(table.loc["Conferentie", "slip_days"])
    assert list(slippage(small.milestones)["milestone"]) == ["BWO", "MR en verzending", "Conferentie"]


def test_slippage_from_a_month_is_in_months_and_approximate(bundled):
    table = slippage(bundled.milestones).set_index("milestone")
    conference = table.loc["Conferentie lancering NAP"]  # planned 'PM-dec' 2022, held 22 March 2023
    assert conference["planned_precision"] == "month" and conference["approximate"]
    assert conference["slip_months"] == 3 and pd.isna(conference["slip_days"])
    sent = table.loc["MR en verzending NAP aan Tweede Kamer"]
    assert sent["slip_days"] == 42 and not sent["approximate"]


def _rows(*rows):
    return pd.DataFrame(rows, columns=["activity_id", "report_year", "status_basis", "origin"])


def test_footing_names_the_made_up_rows_and_the_weakest_basis_of_each_item():
    from nap_analysis.analysis.footing import footing

    rows = _rows(
        ("A1", 2024, "illustrative", "nap"),
        ("A1", 2025, "inferred", "nap"),  # known two ways: counts as its weakest, illustrative
        ("A2", 2025, "stated", "nap"),
        ("A3", 2025, "illustrative", "made_up"),
        ("A4", 2025, "inferred", "nap"),
    )
    found = footing(rows)
    assert found.ids == ("A1", "A2", "A3", "A4") and found.made_up == ("A3",)
    assert found.unofficial == {"inferred": ("A4",), "illustrative": ("A1",)}
    assert not found.only_made_up and not found.official
    assert footing(rows[rows["activity_id"] == "A3"]).only_made_up  # the rule of the Kernpunten
    assert footing(rows[rows["activity_id"] == "A2"]).official
    assert not footing(rows.iloc[:0]).only_made_up  # a claim on no rows is not made up
    both = footing(rows[rows["activity_id"] == "A3"]) | footing(rows[rows["activity_id"] == "A2"])
    assert both.ids == ("A3", "A2") and both.made_up == ("A3",) and not both.only_made_up


def test_the_projection_lists_the_activities_its_pace_is_fitted_on(bundled):
    from nap_analysis.analysis.projection import project_completion

    projection = project_completion(bundled.activities)
    pairs = projection.at_risk_pairs
    assert len(pairs) == projection.at_risk == 25
    assert sorted(pairs.loc[pairs["completed"], "activity_id"]) == ["A07", "A09", "A24", "A25"]
    assert projection.completed_at_risk == 4
