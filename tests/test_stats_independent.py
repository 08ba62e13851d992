"""`nap-analysis indicators --format csv` on the bundled data against an independent computation.

Done-when of the issue: the intervals and p-values the command prints match an independent
computation to 4 decimals. Everything expected here is computed in this file from the raw
``data/indicators.csv`` (read with the ``csv`` module, not with ``nap_analysis.data.loader``) and
from textbook formulas written out with ``math``: no ``nap_analysis.analysis.statistics``, no scipy.

Methods, as ``nap_analysis.analysis.statistics.indicator_changes`` documents them:

* difference ``diff_pp = pct_to - pct_from`` in percentage points;
* its 95% interval: Wald (unpooled), ``d -/+ z * sqrt(p1 q1 / n1 + p2 q2 / n2)``;
* the two-sided two-proportion z-test with pooled SE,
  ``z = d / sqrt(p (1 - p) (1/n1 + 1/n2))`` with ``p = (x1 + x2) / (n1 + n2)``,
  ``p_value = erfc(|z| / sqrt 2)``;
* Benjamini-Hochberg step-up over the rows that have a p-value; ``significant = q < 0.05``.

Counts are ``percent / 100 * n`` (not rounded), as documented in stats.py.
"""

from __future__ import annotations

import csv
import io
import math
import subprocess
import sys
from pathlib import Path
from statistics import NormalDist

import pytest

ROOT = Path(__file__).resolve().parent.parent
INDICATORS_CSV = ROOT / "data" / "indicators.csv"

#: Two-sided 95% standard normal quantile, Phi^-1(0.975).
Z95 = 1.959963984540054
#: "Matches to 4 decimals": within half a unit of the 4th decimal.
TOL = 5e-5

CSV_HEADER_START = [
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
]


# ----------------------------------------------------------------------------- hand formulas


def hand_wald_diff(p1: float, n1: float, p2: float, n2: float, z: float = Z95) -> tuple[float, float, float]:
    """Difference p2 - p1 and its Wald (unpooled) interval, all as fractions."""
    d = p2 - p1
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    return d, d - z * se, d + z * se


def hand_pooled_z_p(p1: float, n1: float, p2: float, n2: float) -> float:
    """Two-sided p of the pooled two-proportion z-test: erfc(|z| / sqrt 2)."""
    x1, x2 = p1 * n1, p2 * n2
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0.0:
        return 1.0
    z = (p2 - p1) / se
    return math.erfc(abs(z) / math.sqrt(2))


from test_stats import hand_bh  # noqa: E402  (one hand-written BH step-up for both modules)


def hand_wilson(x: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson (1927) score interval for x successes out of n, as fractions."""
    p = x / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def test_hand_formulas_against_textbook_values():
    # The quantile itself, a second route (stdlib, not scipy).
    assert NormalDist().inv_cdf(0.975) == pytest.approx(Z95, abs=1e-12)
    # Newcombe (1998b), Stat Med 17:873-890, Table II example (a): 56/70 - 48/80,
    # method 1 (Wald, no continuity correction): 0.0575 to 0.3425.
    d, lo, hi = hand_wald_diff(48 / 80, 80, 56 / 70, 70)
    assert d == pytest.approx(0.2)
    assert (round(lo, 4), round(hi, 4)) == (0.0575, 0.3425)
    # Same data, pooled z: p = 104/150, z = 2.65017, p = 0.0080451 (worked in test_stats.py).
    assert hand_pooled_z_p(48 / 80, 80, 56 / 70, 70) == pytest.approx(0.0080451, abs=1e-7)
    # BH worked by hand: sorted .005 .01 .03 .04, m = 4 -> .02 .02 .04 .04.
    assert hand_bh([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    # Step-up, not step-down: the minimum runs from the largest p downwards.
    assert hand_bh([0.04, 0.041]) == pytest.approx([0.041, 0.041])


# ----------------------------------------------------------------------------- the bundled data, by hand


def _number(text: str) -> float | None:
    text = text.strip()
    return float(text) if text else None


def raw_indicators() -> dict[tuple[str, str, str], list[tuple[int, float, float | None]]]:
    """data/indicators.csv read with the csv module: key -> [(year, percent, n or None)] by year."""
    with INDICATORS_CSV.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows, "data/indicators.csv is empty"
    series: dict[tuple[str, str, str], list[tuple[int, float, float | None]]] = {}
    for row in rows:
        key = (row["monitor"].strip(), row["indicator"].strip(), row["group"].strip())
        series.setdefault(key, []).append((int(row["year"]), float(row["percent"]), _number(row["n"])))
    return {key: sorted(values) for key, values in series.items()}


def expected_changes() -> list[dict]:
    """Consecutive measurement pairs with the hand computation (p, CI) filled where both n known."""
    pairs = []
    for key, values in raw_indicators().items():
        for (y1, pct1, n1), (y2, pct2, n2) in zip(values, values[1:]):
            row = {
                "key": key,
                "year_from": y1,
                "year_to": y2,
                "pct_from": pct1,
                "pct_to": pct2,
                "n_from": n1,
                "n_to": n2,
                "diff_pp": pct2 - pct1,
            }
            if n1 and n2:
                d, lo, hi = hand_wald_diff(pct1 / 100, n1, pct2 / 100, n2)
                row.update(
                    ci_low_pp=100 * lo, ci_high_pp=100 * hi, p_value=hand_pooled_z_p(pct1 / 100, n1, pct2 / 100, n2)
                )
            pairs.append(row)
    tested = [r for r in pairs if "p_value" in r]
    for row, q in zip(tested, hand_bh([r["p_value"] for r in tested])):
        row["q_value"] = q
        row["significant"] = q < 0.05
    return pairs


# ----------------------------------------------------------------------------- the command's output


def _command() -> list[str]:
    script = Path(sys.executable).with_name("nap-analysis")
    return [str(script)] if script.exists() else [sys.executable, "-m", "nap_analysis.cli"]


@pytest.fixture(scope="module")
def printed() -> list[dict[str, str]]:
    """`nap-analysis indicators --format csv-en` on the bundled data, as a real subprocess."""
    done = subprocess.run(
        _command() + ["indicators", "--format", "csv-en"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    text = done.stdout
    header = text.splitlines()[0]
    # csv-en: ',' separated, '.' as decimal point (plain csv is the ';'/decimal-comma dialect of tables/).
    assert header.split(",")[: len(CSV_HEADER_START)] == CSV_HEADER_START, header
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows, "the command printed no rows"
    return rows


def _key(row: dict[str, str]) -> tuple:
    return (row["monitor"], row["indicator"], row["group"], int(row["year_from"]), int(row["year_to"]))


def _value(row: dict[str, str], column: str) -> float:
    text = row[column]
    assert "," not in text, f"{column}: decimal comma in {text!r}"
    return float(text)


def test_in_process_cli_prints_the_same(printed, cli):
    result = cli("indicators", "--format", "csv-en")
    assert result.code == 0, result.err
    assert list(csv.DictReader(io.StringIO(result.out))) == printed


def test_every_consecutive_pair_is_printed_once(printed):
    expected = sorted((*e["key"], e["year_from"], e["year_to"]) for e in expected_changes())
    got = sorted(_key(r) for r in printed)
    assert got == expected
    assert len(set(got)) == len(got)


def test_bundled_data_has_tested_and_untested_changes():
    # Guards the two tests below against passing vacuously on changed data.
    pairs = expected_changes()
    assert sum("p_value" in e for e in pairs) >= 3
    assert sum("p_value" not in e for e in pairs) >= 1


def test_tested_rows_match_hand_computation_to_4_decimals(printed):
    by_key = {_key(r): r for r in printed}
    checked = 0
    for exp in expected_changes():
        if "p_value" not in exp:
            continue
        row = by_key[(*exp["key"], exp["year_from"], exp["year_to"])]
        where = f"{exp['key'][1]} ({exp['key'][2]}) {exp['year_from']}->{exp['year_to']}"
        for column in ("pct_from", "pct_to", "diff_pp", "ci_low_pp", "ci_high_pp", "p_value", "q_value"):
            got = _value(row, column)
            assert abs(got - exp[column]) < TOL, f"{where}: {column} printed {got!r}, by hand {exp[column]!r}"
        assert row["significant"] == str(exp["significant"]), where
        # The interval is centred on the difference and contains it.
        assert _value(row, "ci_low_pp") < _value(row, "diff_pp") < _value(row, "ci_high_pp"), where
        checked += 1
    assert checked >= 3


def test_untested_rows_have_no_test_and_say_why(printed):
    by_key = {_key(r): r for r in printed}
    checked = 0
    for exp in expected_changes():
        if "p_value" in exp:
            continue
        row = by_key[(*exp["key"], exp["year_from"], exp["year_to"])]
        # The difference itself is still printed ...
        assert abs(_value(row, "diff_pp") - exp["diff_pp"]) < TOL
        # ... but no interval, no p, no q, and never 'significant'.
        for column in ("ci_low_pp", "ci_high_pp", "p_value", "q_value"):
            assert row[column] == "", f"{column} = {row[column]!r} although n is unknown"
        assert row["significant"] == "False"
        # The reason: which year lacks a sample size, and that no test was made.
        missing = [side for side, n in (("from", exp["n_from"]), ("to", exp["n_to"])) if not n]
        reason = row.get("reason")
        assert reason is not None, "the CSV has no column saying why a change was not tested"
        assert reason == ("no_n_both" if len(missing) == 2 else f"no_n_{missing[0]}"), reason
        checked += 1
    assert checked >= 1


def test_tested_rows_have_an_empty_reason(printed):
    for row in printed:
        if row["p_value"] != "":
            assert row.get("reason", "") == "", row


# ----------------------------------------------------------------------------- textbook checks (library)

# Published Wilson score intervals (method 3, no continuity correction) from
# Newcombe RG (1998a), "Two-sided confidence intervals for the single proportion: comparison of
# seven methods", Stat Med 17:857-872, Table I: 81/263, 15/148, 0/20, 1/29, 29/29.
NEWCOMBE_TABLE_I = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
    (29, 29, 0.8830, 1.0000),
]
# 0/10 and 10/10: Wilson's closed forms at the boundary, upper(0/n) = z^2 / (n + z^2) and
# lower(n/n) = n / (n + z^2) (Wilson 1927; e.g. Wikipedia, "Binomial proportion confidence
# interval", Wilson score interval): 3.841459 / 13.841459 = 0.27753, 10 / 13.841459 = 0.72247.
BOUNDARY = [(0, 10, 0.0, 0.2775), (10, 10, 0.7225, 1.0)]


@pytest.mark.parametrize(("x", "n", "low", "high"), NEWCOMBE_TABLE_I + BOUNDARY)
def test_wilson_published_values(x, n, low, high):
    from nap_analysis.analysis.statistics import wilson_interval

    # the hand formula reproduces the published table ...
    h_lo, h_hi = hand_wilson(x, n)
    assert (round(h_lo, 4), round(h_hi, 4)) == (low, high)
    # ... and so does the library (percent in, percent out)
    lo, hi = wilson_interval(100 * x / n, n)
    assert abs(lo / 100 - low) < TOL and abs(hi / 100 - high) < TOL, (lo, hi)


def test_wilson_boundaries_closed_form():
    from nap_analysis.analysis.statistics import wilson_interval

    z2 = Z95 * Z95
    for n in (1, 3, 10, 50):
        lo, hi = wilson_interval(0.0, n)  # 0%: starts at 0 and is not degenerate (Wald: [0, 0])
        assert lo == pytest.approx(0.0, abs=1e-9)
        assert hi == pytest.approx(100 * z2 / (n + z2), abs=1e-9)
        lo, hi = wilson_interval(100.0, n)  # 100%: ends at 100, not degenerate either
        assert hi == pytest.approx(100.0, abs=1e-9)
        assert lo == pytest.approx(100 * n / (n + z2), abs=1e-9)
        assert hi - lo > 1.0


def test_wilson_small_sample():
    from nap_analysis.analysis.statistics import wilson_interval

    # 2 of 5 (40%), by hand: z^2/n = 0.768292, centre = (0.4 + 0.384146) / 1.768292 = 0.443448,
    # half = 1.959964 / 1.768292 * sqrt(0.048 + 0.038415) = 0.325827 -> 0.1176 to 0.7693
    # (the Wald interval would be -0.0294 to 0.8294, below 0).
    lo, hi = wilson_interval(40.0, 5)
    assert abs(lo - 11.76) < 0.005 and abs(hi - 76.93) < 0.005
    h_lo, h_hi = hand_wilson(2, 5)
    assert abs(lo / 100 - h_lo) < 1e-12 and abs(hi / 100 - h_hi) < 1e-12
