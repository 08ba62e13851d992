"""Tests for nap_analysis.analysis.statistics against independently worked-out values.

Reference values come from published worked examples (Newcombe 1998), from arithmetic
written out in the test, or from a second route (a different scipy function, numerical
integration, a hand-coded procedure). Self-contained: fixtures are built here.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special
from scipy import stats as sps

from nap_analysis.analysis import projection, transitions
from nap_analysis.analysis import statistics as stats
from nap_analysis.data.vocabulary import ACTIVITY_STATUSES
from nap_analysis.errors import UsageError

# ----------------------------------------------------------------------------- builders


def make_indicators(rows) -> pd.DataFrame:
    """rows: (indicator, group, year, percent, n or None); monitor fixed unless given."""
    rows = [r if len(r) == 6 else ("Monitor",) + tuple(r) for r in rows]
    df = pd.DataFrame(rows, columns=["monitor", "indicator", "group", "year", "percent", "n"])
    df["year"] = df["year"].astype("int64")
    df["percent"] = df["percent"].astype("float64")
    df["n"] = pd.array(df["n"].tolist(), dtype="Int64")
    df["source"] = "test"
    return df


def make_activities(rows) -> pd.DataFrame:
    """rows: (activity_id, report_year, actielijn, status)."""
    df = pd.DataFrame(rows, columns=["activity_id", "report_year", "actielijn", "status"])
    df["report_year"] = df["report_year"].astype("int64")
    df["actielijn"] = pd.Categorical(df["actielijn"], categories=[1, 2, 3, 4, 5])
    df["title"] = "titel " + df["activity_id"]
    df["owner"] = "OCW"
    df["status"] = pd.Categorical(df["status"], categories=list(ACTIVITY_STATUSES), ordered=True)
    df["status_basis"] = pd.Categorical(["stated"] * len(df), categories=["stated", "inferred", "illustrative"])
    df["explanation"] = ""
    df["source"] = "test"
    return df


# Two reports. 2024 -> 2025:
#   A completed   -> completed
#   B in_progress -> completed
#   C delayed     -> delayed
#   D in_progress -> completed
#   E not_started -> stopped
#   X in_progress -> (absent: disappeared)
#   G (absent)    -> in_progress (appeared)
#   H (absent)    -> stopped (appeared)
TWO_YEARS = [
    ("A", 2024, 1, "completed"),
    ("B", 2024, 1, "in_progress"),
    ("C", 2024, 2, "delayed"),
    ("D", 2024, 3, "in_progress"),
    ("E", 2024, 4, "not_started"),
    ("X", 2024, 5, "in_progress"),
    ("A", 2025, 1, "completed"),
    ("B", 2025, 1, "completed"),
    ("C", 2025, 2, "delayed"),
    ("D", 2025, 3, "completed"),
    ("E", 2025, 4, "stopped"),
    ("G", 2025, 5, "in_progress"),
    ("H", 2025, 5, "stopped"),
]


@pytest.fixture
def two_years() -> pd.DataFrame:
    return make_activities(TWO_YEARS)


# ----------------------------------------------------------------------------- Wilson


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    [
        # Newcombe (1998), Stat Med 17:857-872, Table I, method 3 (Wilson score, no cc).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe_table(x, n, low, high):
    lo, hi = stats.wilson_interval(100 * x / n, n)
    assert lo == pytest.approx(100 * low, abs=0.006)
    assert hi == pytest.approx(100 * high, abs=0.006)


def test_wilson_at_zero_and_hundred_small_sample():
    # n = 5, z = 1.959964: at 0% the Wilson upper bound is z^2 / (n + z^2)
    # = 3.841459 / 8.841459 = 0.434482 -> 43.4482%; at 100% the lower bound mirrors it.
    lo, hi = stats.wilson_interval(np.array([0.0, 100.0]), np.array([5, 5]))
    assert lo[0] == pytest.approx(0.0, abs=1e-9)
    assert hi[0] == pytest.approx(43.4482, abs=1e-3)
    assert lo[1] == pytest.approx(100 - 43.4482, abs=1e-3)
    assert hi[1] == pytest.approx(100.0, abs=1e-9)
    assert np.all((lo >= 0) & (hi <= 100) & (hi - lo > 40))  # inside [0,100], not a point


def test_wilson_missing_n_gives_nan_and_keeps_series_index():
    pct = pd.Series([30.0, 30.0, 30.0], index=["a", "b", "c"])
    n = pd.array([100, None, 0], dtype="Int64")
    lo, hi = stats.wilson_interval(pct, n)
    assert list(lo.index) == ["a", "b", "c"]
    assert not np.isnan(lo["a"]) and not np.isnan(hi["a"])
    assert lo[["b", "c"]].isna().all() and hi[["b", "c"]].isna().all()


def test_wilson_confidence_level_widens():
    lo95, hi95 = stats.wilson_interval(40.0, 50)
    lo99, hi99 = stats.wilson_interval(40.0, 50, confidence=0.99)
    assert lo99 < lo95 < 40 < hi95 < hi99
    with pytest.raises(ValueError):
        stats.wilson_interval(40.0, 50, confidence=95)


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0, max_value=100), st.integers(min_value=1, max_value=100_000))
def test_wilson_property_bounds(pct, n):
    lo, hi = stats.wilson_interval(pct, n)
    assert 0.0 <= lo <= pct + 1e-9
    assert pct - 1e-9 <= hi <= 100.0
    assert hi > lo


def test_indicator_intervals_adds_columns():
    ind = make_indicators([("x", "alle", 2022, 100 * 81 / 263, 263), ("x", "alle", 2024, 20.0, None)])
    out = stats.indicator_intervals(ind)
    assert list(out.columns) == list(ind.columns) + ["ci_low", "ci_high"]
    assert out["ci_low"].dtype == "float64" and out["ci_high"].dtype == "float64"
    assert out.loc[0, "ci_low"] == pytest.approx(25.53, abs=0.006)
    assert out.loc[0, "ci_high"] == pytest.approx(36.62, abs=0.006)
    assert np.isnan(out.loc[1, "ci_low"]) and np.isnan(out.loc[1, "ci_high"])


# ----------------------------------------------------------------------------- indicator changes


def newcombe_pair() -> pd.DataFrame:
    # 2022: 48/80 = 60%; 2024: 56/70 = 80%  (Newcombe 1998, Table II, example (a), reversed
    # so that the later year is the larger proportion and diff_pp = +20).
    return make_indicators([("x", "alle", 2022, 60.0, 80), ("x", "alle", 2024, 80.0, 70)])


def test_change_wald_interval_newcombe_example():
    row = stats.indicator_changes(newcombe_pair()).iloc[0]
    # Newcombe Table II, method 1 (Wald, no cc) for 56/70 - 48/80: 0.0575 to 0.3425.
    # Hand: se = sqrt(.8*.2/70 + .6*.4/80) = sqrt(.0022857 + .0030000) = .072703;
    # 1.959964 * .072703 = .142495 -> .2 -/+ .1425.
    assert row["diff_pp"] == pytest.approx(20.0)
    assert row["ci_low_pp"] == pytest.approx(5.75, abs=0.006)
    assert row["ci_high_pp"] == pytest.approx(34.25, abs=0.006)


def test_change_z_test_by_hand():
    row = stats.indicator_changes(newcombe_pair()).iloc[0]
    # Pooled p = (48 + 56) / (80 + 70) = 104/150 = 0.693333
    # SE = sqrt(0.693333 * 0.306667 * (1/80 + 1/70)) = sqrt(0.212622 * 0.0267857) = 0.0754668
    # z = 0.2 / 0.0754668 = 2.65017;  two-sided p = erfc(z / sqrt 2) = 0.0080451
    pooled = 104 / 150
    se = math.sqrt(pooled * (1 - pooled) * (1 / 80 + 1 / 70))
    z = 0.2 / se
    assert z == pytest.approx(2.65017, abs=1e-4)
    assert row["p_value"] == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-9)
    assert row["p_value"] == pytest.approx(0.0080451, abs=1e-6)
    assert row["q_value"] == pytest.approx(row["p_value"])  # one test: BH changes nothing
    assert bool(row["significant"]) is True
    assert row["reason"] == ""


@pytest.mark.parametrize(
    ("pct1", "n1", "pct2", "n2"),
    [(60.0, 80, 80.0, 70), (12.3, 1000, 14.1, 900), (40.0, 5, 80.0, 5), (3.5, 24000, 3.3, 24000)],
)
def test_z_test_equals_uncorrected_chi_square(pct1, n1, pct2, n2):
    # Second route: the pooled two-proportion z-test is the 2x2 Pearson chi-square
    # without continuity correction (z^2 = X^2), also for non-integer counts.
    out = stats.indicator_changes(make_indicators([("x", "g", 2020, pct1, n1), ("x", "g", 2022, pct2, n2)]))
    x1, x2 = pct1 / 100 * n1, pct2 / 100 * n2
    table = np.array([[x1, n1 - x1], [x2, n2 - x2]])
    ref = sps.chi2_contingency(table, correction=False)
    assert out.loc[0, "p_value"] == pytest.approx(ref.pvalue, rel=1e-8, abs=1e-15)


def test_change_missing_n_no_test_and_note_names_year():
    ind = make_indicators(
        [
            ("a", "g", 2022, 10.0, 500),
            ("a", "g", 2024, 12.0, None),  # 2024 lacks n
            ("b", "g", 2020, 10.0, None),  # 2020 lacks n
            ("b", "g", 2022, 12.0, 500),
            ("c", "g", 2020, 10.0, None),  # both lack n
            ("c", "g", 2022, 12.0, None),
        ]
    )
    out = stats.indicator_changes(ind).set_index("indicator")
    for ind_name in "abc":
        row = out.loc[ind_name]
        assert np.isnan(row["ci_low_pp"]) and np.isnan(row["ci_high_pp"])
        assert np.isnan(row["p_value"]) and np.isnan(row["q_value"])
        assert bool(row["significant"]) is False
        assert row["diff_pp"] == pytest.approx(2.0)  # the difference itself is still shown
    assert out.loc["a", "reason"] == "no_n_to"  # 2024, the later year, lacks n
    assert out.loc["b", "reason"] == "no_n_from"
    assert out.loc["c", "reason"] == "no_n_both"
    assert out["n_from"].dtype == "Int64" and out["n_to"].dtype == "Int64"
    assert out.loc["a", "n_to"] is pd.NA


def test_change_single_measurement_gives_no_row_and_three_give_two():
    ind = make_indicators(
        [
            ("once", "g", 2022, 50.0, 100),
            ("thrice", "g", 2024, 30.0, 100),
            ("thrice", "g", 2020, 10.0, 100),
            ("thrice", "g", 2022, 20.0, 100),
        ]
    )
    out = stats.indicator_changes(ind)
    assert list(out["indicator"]) == ["thrice", "thrice"]
    assert list(zip(out["year_from"], out["year_to"])) == [(2020, 2022), (2022, 2024)]
    assert list(out["diff_pp"]) == pytest.approx([10.0, 10.0])


def test_change_columns_dtypes_and_deterministic_order():
    ind = make_indicators(
        [
            ("M2", "y", "vrouwen", 2020, 10.0, 300),
            ("M2", "y", "vrouwen", 2022, 15.0, 300),
            ("M1", "z", "mannen", 2022, 40.0, 200),
            ("M1", "z", "mannen", 2024, 45.0, 200),
            ("M1", "a", "alle", 2022, 5.0, None),
            ("M1", "a", "alle", 2024, 6.0, 1000),
        ]
    )
    out = stats.indicator_changes(ind)
    shuffled = stats.indicator_changes(ind.sample(frac=1.0, random_state=3))
    pd.testing.assert_frame_equal(out, shuffled)
    assert list(out.columns) == stats.INDICATOR_CHANGE_COLUMNS
    assert set(stats.INDICATOR_CSV_COLUMNS) <= set(out.columns)
    assert stats.INDICATOR_CSV_COLUMNS == [
        "monitor",
        "indicator",
        "group",
        "year_from",
        "year_to",
        "pct_from",
        "pct_to",
        "diff_pp",
        "ci_low_pp",
        "ci_high_pp",
        "p_value",
        "q_value",
        "significant",
        "reason",
    ]
    assert list(zip(out["monitor"], out["indicator"])) == [("M1", "a"), ("M1", "z"), ("M2", "y")]
    assert out["year_from"].dtype == "int64" and out["year_to"].dtype == "int64"
    assert out["significant"].dtype == bool
    for col in ["pct_from", "pct_to", "diff_pp", "ci_low_pp", "ci_high_pp", "p_value", "q_value"]:
        assert out[col].dtype == "float64", col


def hand_bh(ps: list[float]) -> list[float]:
    """Benjamini-Hochberg written out: q_(i) = min_{j>=i} p_(j) * m / j, capped at 1."""
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    q = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, ps[i] * m / rank)
        q[i] = running
    return q


def test_hand_bh_on_small_list():
    # Worked: sorted p .005 .01 .03 .04, m = 4 -> p*m/rank = .02 .02 .04 .04
    assert hand_bh([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert list(sps.false_discovery_control([0.01, 0.04, 0.03, 0.005], method="bh")) == pytest.approx(
        [0.02, 0.04, 0.04, 0.02]
    )


def test_q_values_are_bh_over_tested_rows_only():
    ind = make_indicators(
        [
            ("a", "g", 2022, 50.0, 200),
            ("a", "g", 2024, 60.0, 200),
            ("b", "g", 2022, 50.0, 200),
            ("b", "g", 2024, 55.0, 200),
            ("c", "g", 2022, 30.0, 500),
            ("c", "g", 2024, 36.0, 500),
            ("d", "g", 2022, 10.0, 100),
            ("d", "g", 2024, 20.0, 100),
            ("e", "g", 2022, 10.0, 400),
            ("e", "g", 2024, 14.5, 400),
            ("u", "g", 2022, 10.0, None),
            ("u", "g", 2024, 90.0, 100),  # untested
        ]
    )
    out = stats.indicator_changes(ind)
    tested = out["p_value"].notna()
    assert tested.sum() == 5
    expected = hand_bh(out.loc[tested, "p_value"].tolist())  # m = 5, not 6
    assert out.loc[tested, "q_value"].tolist() == pytest.approx(expected, rel=1e-12)
    assert out.loc[~tested, "q_value"].isna().all()
    assert (out["significant"] == (out["q_value"] < 0.05)).all()
    # at least one change has p < .05 but q >= .05: significance follows q, not p
    borderline = out[(out["p_value"] < 0.05) & (out["q_value"] >= 0.05)]
    assert len(borderline) >= 1 and not borderline["significant"].any()


def test_change_both_zero_percent_is_no_difference():
    out = stats.indicator_changes(make_indicators([("x", "g", 2022, 0.0, 50), ("x", "g", 2024, 0.0, 60)]))
    row = out.iloc[0]
    assert row["diff_pp"] == 0.0 and row["p_value"] == 1.0 and not row["significant"]
    assert row["reason"] == "no_spread"


def test_change_small_samples_are_not_significant():
    # n = 5 each: 40% -> 80% (2/5 -> 4/5). Hand: pooled .6, se = sqrt(.24 * .4) = .309839,
    # z = .4 / .309839 = 1.29099, p = erfc(1.29099 / sqrt 2) = 0.19671.
    out = stats.indicator_changes(make_indicators([("x", "g", 2022, 40.0, 5), ("x", "g", 2024, 80.0, 5)]))
    assert out.loc[0, "p_value"] == pytest.approx(0.19671, abs=1e-5)
    assert not out.loc[0, "significant"]


def test_change_empty_and_duplicates():
    empty = stats.indicator_changes(make_indicators([]))
    assert empty.empty and list(empty.columns) == stats.INDICATOR_CHANGE_COLUMNS
    with pytest.raises(ValueError):
        stats.indicator_changes(make_indicators([("x", "g", 2022, 1.0, 5), ("x", "g", 2022, 2.0, 5)]))


# ----------------------------------------------------------------------------- transitions


def test_status_transitions_hand_fixture(two_years):
    out = transitions.status_transitions(two_years, 2024, 2025)
    assert len(out) == 6 * 6  # every combination, zeros included
    assert list(out["status_from"].cat.categories) == list(ACTIVITY_STATUSES) + ["absent"]
    assert out["status_from"].cat.ordered and out["status_to"].cat.ordered
    assert out["n"].dtype == "int64"
    nonzero = {(str(a), str(b)): int(n) for a, b, n in out.itertuples(index=False) if n}
    assert nonzero == {
        ("completed", "completed"): 1,  # A
        ("in_progress", "completed"): 2,  # B, D
        ("delayed", "delayed"): 1,  # C
        ("not_started", "stopped"): 1,  # E
        ("in_progress", "absent"): 1,  # X disappeared
        ("absent", "in_progress"): 1,  # G appeared
        ("absent", "stopped"): 1,  # H appeared
    }
    assert out["n"].sum() == 8  # A B C D E X G H


def test_transition_matrix_is_complete_crosstab(two_years):
    wide = transitions.transition_matrix(two_years, 2024, 2025)
    order = list(ACTIVITY_STATUSES) + ["absent"]
    assert list(wide.index) == order and list(wide.columns) == order
    assert (wide.dtypes == "int64").all()
    assert wide.loc["in_progress", "completed"] == 2
    assert wide.loc["absent", "stopped"] == 1
    assert wide.loc["in_progress", "absent"] == 1
    assert wide.to_numpy().sum() == 8
    assert wide.loc["stopped"].sum() == 0


def test_transitions_unknown_year_is_usage_error(two_years):
    with pytest.raises(UsageError, match="2023"):
        transitions.status_transitions(two_years, 2023, 2025)


# ----------------------------------------------------------------------------- completed share


def test_completed_share_change_hand(two_years):
    out = transitions.completed_share_change(two_years, 2024, 2025).set_index("actielijn")
    assert list(out.index) == ["1", "2", "3", "4", "5", "total"]
    # line 1: 2024 A of {A,B} = 50%; 2025 {A,B} both completed = 100%
    assert out.loc["1", ["share_from", "share_to", "change_pp"]].tolist() == pytest.approx([50.0, 100.0, 50.0])
    # line 5: 2024 X (0/1); 2025 G, H (0/2)
    assert out.loc["5", ["n_from", "n_to"]].tolist() == [1, 2]
    # total: 2024 1/6 = 16.667%; 2025 3/7 = 42.857%; change 26.190 pp
    assert out.loc["total", "share_from"] == pytest.approx(100 / 6)
    assert out.loc["total", "share_to"] == pytest.approx(300 / 7)
    assert out.loc["total", "change_pp"] == pytest.approx(300 / 7 - 100 / 6)
    assert out["n_from"].dtype == "int64"
    # without stopped: 2025 total is 3/5 = 60%
    excl = transitions.completed_share_change(two_years, 2024, 2025, exclude_stopped=True).set_index("actielijn")
    assert excl.loc["total", "share_to"] == pytest.approx(60.0)
    assert excl.loc["4", "n_to"] == 0 and np.isnan(excl.loc["4", "share_to"])


# ----------------------------------------------------------------------------- delays by line


def lines_fixture(delayed_per_line, size=6, year=2025):
    rows = []
    for line, k in zip(range(1, 6), delayed_per_line):
        for i in range(size):
            rows.append((f"{line}-{i}", year, line, "delayed" if i < k else "in_progress"))
    return make_activities(rows)


def test_delays_all_in_one_line():
    res = stats.delay_independence(lines_fixture([6, 0, 0, 0, 0]), 2025)
    # Hand: N = 30, 6 delayed. Expected per line: delayed 6*6/30 = 1.2, other 4.8.
    # Line 1: (6-1.2)^2/1.2 + (0-4.8)^2/4.8 = 19.2 + 4.8 = 24; lines 2-5: 1.2 + 0.3 = 1.5 each.
    # X^2 = 24 + 4 * 1.5 = 30, dof = 4; for 4 dof the survival function is e^{-x/2}(1 + x/2)
    # so p = 16 e^{-15} = 4.894e-6.
    assert res.tested
    assert res.statistic == pytest.approx(30.0)
    assert res.dof == 4
    assert res.min_expected == pytest.approx(1.2)
    assert res.p_asymptotic == pytest.approx(16 * math.exp(-15), rel=1e-9)
    assert res.used == "monte_carlo"  # expected counts < 5
    assert res.p_value == res.p_monte_carlo
    assert res.p_value < 0.001
    assert res.used == "monte_carlo"
    assert res.table.loc[1, "delayed_or_stopped"] == 6 and res.table.loc[2, "other"] == 6


def test_delays_spread_evenly():
    res = stats.delay_independence(lines_fixture([1, 1, 1, 1, 1]), 2025)
    assert res.statistic == pytest.approx(0.0)
    assert res.p_value == pytest.approx(1.0)
    assert res.p_asymptotic == pytest.approx(1.0)


def test_delays_large_counts_use_asymptotic():
    res = stats.delay_independence(lines_fixture([5, 6, 7, 5, 7], size=20), 2025)
    # Expected: 30/100 * 20 = 6 delayed, 14 other per line (all >= 5).
    # X^2 = sum (d-6)^2 * (1/6 + 1/14) = 4 * 20/84 = 0.952381; p = e^{-X^2/2}(1 + X^2/2) = 0.91693
    assert res.min_expected == pytest.approx(6.0)
    assert res.statistic == pytest.approx(80 / 84)
    assert res.used == "asymptotic"
    assert res.p_value == res.p_asymptotic == pytest.approx(0.9169286, abs=1e-6)
    assert res.used == "asymptotic"


def test_delays_monte_carlo_agrees_with_scipy_permutation():
    acts = lines_fixture([4, 1, 1, 0, 1])
    res = stats.delay_independence(acts, 2025)
    # Second route: scipy's own permutation test on the same table.
    ref = sps.chi2_contingency(
        res.table.to_numpy(),
        correction=False,
        method=sps.PermutationMethod(n_resamples=5000, rng=np.random.default_rng(1)),
    )
    assert res.statistic == pytest.approx(ref.statistic)
    assert 0.005 < res.p_monte_carlo < 0.5
    assert res.p_monte_carlo == pytest.approx(ref.pvalue, abs=0.03)


def test_delays_monte_carlo_deterministic_given_seed():
    acts = lines_fixture([4, 1, 1, 0, 1])
    a = stats.delay_independence(acts, 2025, seed=7, n_resamples=4000)
    b = stats.delay_independence(acts, 2025, seed=7, n_resamples=4000)
    c = stats.delay_independence(acts, 2025, seed=8, n_resamples=4000)
    assert a.p_monte_carlo == b.p_monte_carlo
    assert a.p_monte_carlo != c.p_monte_carlo
    assert abs(a.p_monte_carlo - c.p_monte_carlo) < 0.05


@pytest.mark.parametrize(
    ("rows", "word"),
    [
        ([(f"a{i}", 2025, i % 5 + 1, "in_progress") for i in range(10)], "none_delayed"),
        ([(f"a{i}", 2025, i % 5 + 1, "stopped") for i in range(10)], "all_delayed"),
        ([(f"a{i}", 2025, 3, "delayed" if i < 2 else "completed") for i in range(10)], "one_line"),
    ],
)
def test_delays_degenerate_no_test(rows, word):
    res = stats.delay_independence(make_activities(rows), 2025)
    assert not res.tested
    assert np.isnan(res.p_value) and np.isnan(res.statistic)
    assert res.reason == word
    assert res.table.to_numpy().sum() == 10


# ----------------------------------------------------------------------------- projection


def test_projection_one_report_not_possible(two_years):
    res = projection.project_completion(two_years[two_years["report_year"] == 2024])
    assert res.possible is False
    assert res.reason == "one_report"
    assert np.isnan(res.expected_share) and np.isnan(res.low) and np.isnan(res.high)
    assert res.history["report_year"].tolist() == [2024]


def test_projection_nothing_incomplete_not_possible():
    acts = make_activities([("A", 2024, 1, "in_progress"), ("A", 2025, 1, "completed"), ("B", 2025, 2, "stopped")])
    res = projection.project_completion(acts)
    assert res.possible is False and res.reason == "all_completed"


def test_projection_two_years_by_hand(two_years):
    res = projection.project_completion(two_years, end=date(2026, 12, 31))
    assert res.possible
    # History (each report's snapshot, stopped excluded):
    #   2024: A of {A,B,C,D,E,X} -> 1/6 = 16.667%, n = 6;  2025: A,B,D of {A,B,C,D,G} -> 60%, n = 5
    assert res.history["share_completed"].tolist() == pytest.approx([100 / 6, 60.0])
    assert res.history["n"].tolist() == [6, 5]
    # Activities of the last report: A B C D E G H. At risk in 2024 (not completed, not
    # stopped) and present in 2025: B, C, D, E; E is stopped in 2025 -> left out. m = 3.
    # Completed in 2025 among B, C, D: B, D -> k = 2. Posterior Beta(2.5, 1.5), mean 0.625.
    assert (res.completed_at_risk, res.at_risk) == (2, 3)
    assert res.rate == pytest.approx(0.625)
    # s = 3/5 = 0.6. t = days(2025-04-01 .. 2026-12-31) / 365.25
    #   = (365 + 30+31+30+31+31+30+31+30+30) / 365.25 = 639 / 365.25 = 1.7494867
    t = 639 / 365.25
    assert res.years_ahead == pytest.approx(t)
    assert res.share_last == pytest.approx(60.0)
    # E[(1-r)^t] = B(2.5, 1.5+t) / B(2.5, 1.5) = G(1.5+t) G(4) / (G(1.5) G(4+t))
    #   = 2.5479265 * 6 / (0.8862269 * 78.7173859) = 0.2191405
    # expected share = 100 * (1 - 0.4 * 0.2191405) = 91.23438
    decay = math.gamma(1.5 + t) * math.gamma(4) / (math.gamma(1.5) * math.gamma(4 + t))
    assert decay == pytest.approx(0.2191405, abs=1e-7)
    assert res.expected_share == pytest.approx(91.23438, abs=1e-4)
    # Second route: numerical integration of the projection over the Beta posterior.
    mean_by_quad, _ = integrate.quad(lambda r: (1 - 0.4 * (1 - r) ** t) * sps.beta.pdf(r, 2.5, 1.5), 0, 1)
    assert res.expected_share == pytest.approx(100 * mean_by_quad, abs=1e-6)
    # The 90% bounds map back to rates whose Beta CDF (regularised incomplete beta) is 5% / 95%.
    assert res.confidence == 0.90
    for bound, prob in [(res.low, 0.05), (res.high, 0.95)]:
        r = 1 - ((1 - bound / 100) / 0.4) ** (1 / t)
        assert special.betainc(2.5, 1.5, r) == pytest.approx(prob, abs=1e-9)
    assert 60.0 < res.low < res.expected_share < res.high < 100.0


def test_projection_counts_only_activities_of_last_report():
    # Y runs in 2023 and is completed in 2024, but is gone in 2025: its transition must not
    # count. Z: in_progress 2023 -> in_progress 2024 -> completed 2025.
    # Pairs over Z only (A is completed throughout): 2023->2024: at risk Z, not completed
    # (k=0, m=1); 2024->2025: at risk Z, completed (k=1, m=1). Total k = 1, m = 2.
    # With Y counted it would be k = 2, m = 3.
    acts = make_activities(
        [
            ("A", 2023, 1, "completed"),
            ("Y", 2023, 2, "in_progress"),
            ("Z", 2023, 3, "in_progress"),
            ("A", 2024, 1, "completed"),
            ("Y", 2024, 2, "completed"),
            ("Z", 2024, 3, "in_progress"),
            ("A", 2025, 1, "completed"),
            ("Z", 2025, 3, "completed"),
            ("W", 2025, 4, "delayed"),
        ]
    )
    res = projection.project_completion(acts, end=date(2026, 4, 1))
    assert (res.completed_at_risk, res.at_risk) == (1, 2)
    assert res.share_last == pytest.approx(200 / 3)  # A, Z of A, Z, W
    assert res.years_ahead == pytest.approx(365 / 365.25)


def test_projection_end_before_last_report_is_no_projection(two_years):
    """A report after the end of the NAP (a 2027 annex) has an outcome, not a projection: no crash."""
    res = projection.project_completion(two_years, end=date(2025, 1, 1))
    assert not res.possible
    assert res.reason == "after_end"


def test_the_scipy_special_routes_equal_scipy_stats():
    """stats uses scipy.special (0.4 s to import) instead of scipy.stats (1.4 s, in every kernel):
    each replacement must give what the scipy.stats function gives."""
    rng = np.random.default_rng(2025)
    q = np.concatenate([rng.uniform(1e-9, 1 - 1e-9, 400), [0.5, 0.95, 0.975, 0.05]])
    assert np.allclose(stats._normal_quantile(q), sps.norm.ppf(q), rtol=1e-12, atol=1e-12)
    x = np.concatenate([rng.normal(0, 4, 400), [0.0, 1.96, 8.0, -8.0]])
    assert np.allclose(stats._normal_upper_tail(x), sps.norm.sf(x), rtol=1e-10, atol=1e-300)
    for a, b in [(0.5, 0.5), (2.5, 1.5), (7.5, 30.5), (120.5, 3.5)]:
        assert np.allclose(stats.beta_quantile(q, a, b), sps.beta.ppf(q, a, b), rtol=1e-9, atol=1e-12)
    for _ in range(300):
        p = rng.uniform(size=int(rng.integers(1, 40)))
        if rng.random() < 0.5:
            p = np.round(p, 1)  # ties
        assert np.allclose(stats.benjamini_hochberg(p), sps.false_discovery_control(p, method="bh"), rtol=1e-12)
    for _ in range(300):
        table = rng.integers(1, 60, size=(int(rng.integers(2, 10)), int(rng.integers(2, 4)))).astype("float64")
        ours, ref = stats._chi_square_independence(table), sps.chi2_contingency(table, correction=False)
        assert ours.statistic == pytest.approx(ref.statistic, rel=1e-12)
        assert ours.pvalue == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-300)
        assert ours.dof == ref.dof
        assert np.allclose(ours.expected_freq, ref.expected_freq, rtol=1e-12)


def test_the_library_does_not_import_scipy_stats():
    """The 1 s import this saves per kernel would come back unnoticed with one stray import; and
    scipy.special (0.4 s) comes in only with the first interval, not with the library."""
    import subprocess
    import sys

    shown = "print(sorted(m for m in ('scipy.special', 'scipy.stats') if m in sys.modules))"
    code = (
        "import sys, nap_analysis.briefing.sections, nap_analysis.analysis.statistics as s, nap_analysis.pipeline.run; "
        f"{shown}; print(round(float(s.beta_quantile(0.5, 2.0, 2.0)), 6)); {shown}"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["[]", "0.5", "['scipy.special']"]
