"""Statistics for the NAP progress analysis: uncertainty and change.

How statuses move between two reports is :mod:`.transitions`; the projection of the completed
share is :mod:`.projection`; both use the helpers here.

Pure functions: tables in, tables (or small result objects) out; no files, no plotting.
Every share and proportion that leaves this module is in **percent (0-100)** and every
difference in **percentage points**, so a briefing never mixes fractions and percents.

Why these methods (short, for the reader of a briefing):

- Wilson intervals for single percentages, because they stay inside 0-100 and remain
  informative at 0% and 100% and for small samples, where the textbook Wald interval
  collapses to a point.
- Wald (unpooled) intervals for the difference between two years, and the pooled
  two-proportion z-test for "did it change", as in every statistics textbook; the two
  monitor waves are independent samples.
- Benjamini-Hochberg over all tested indicator changes, because a briefing that lists
  dozens of changes would otherwise call some of them significant by chance alone.
- A chi-square test (with a seeded Monte Carlo permutation p-value when expected counts
  are small) for "are delays concentrated in some action lines".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.vocabulary import ACTIELIJNEN
from .progress import select_year

__all__ = [
    "INDICATOR_CSV_COLUMNS",
    "INDICATOR_CHANGE_COLUMNS",
    "SIGNIFICANCE_LEVEL",
    "wilson_interval",
    "indicator_intervals",
    "indicator_changes",
    "DelayTest",
    "delay_independence",
]


#: False discovery rate at which an indicator change is called significant.
SIGNIFICANCE_LEVEL = 0.05

#: All columns of :func:`indicator_changes`, in this order. ``reason`` is last: a code saying
#: why a change has no interval or p-value (:data:`UNTESTED_REASONS`), empty for a test.
INDICATOR_CHANGE_COLUMNS: list[str] = [
    "monitor",
    "indicator",
    "group",
    "year_from",
    "year_to",
    "pct_from",
    "pct_to",
    "n_from",
    "n_to",
    "diff_pp",
    "ci_low_pp",
    "ci_high_pp",
    "p_value",
    "q_value",
    "significant",
    "reason",
]
#: What the command line prints: the same, without the sample sizes.
INDICATOR_CSV_COLUMNS: list[str] = [c for c in INDICATOR_CHANGE_COLUMNS if c not in ("n_from", "n_to")]

#: Codes of ``reason`` in :func:`indicator_changes`.
UNTESTED_REASONS: tuple[str, ...] = ("no_n_from", "no_n_to", "no_n_both", "no_spread")

_KEYS = ["monitor", "indicator", "group"]
_DELAYED = ("delayed", "stopped")
_MC_CHUNK = 5000  # resamples per vectorised block; fixed so results never depend on memory


# --------------------------------------------------------------------------- helpers
# The five statistical functions below are built on scipy.special instead of taken from
# scipy.stats: importing scipy.stats costs about 1 s in every kernel of a run (it loads every
# distribution), special 0.4 s. tests/test_stats.py checks each against scipy.stats.


def scipy_special():
    """scipy.special, imported where an interval or a test is computed, not with this module: its
    0.4 s (through array_api_compat it imports numpy.f2py and numpy.testing) is paid only by the
    kernel that runs the statistics notebook, not by the run's host and its other kernel."""
    from scipy import special

    return special


def _normal_quantile(q):
    """scipy.stats.norm.ppf."""
    return scipy_special().ndtri(q)


def _normal_upper_tail(x):
    """scipy.stats.norm.sf: P(Z > x)."""
    return scipy_special().ndtr(-np.asarray(x, dtype="float64"))


def beta_quantile(q, a: float, b: float):
    """scipy.stats.beta.ppf."""
    return scipy_special().betaincinv(a, b, q)


def benjamini_hochberg(p_values) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values), as scipy.stats.false_discovery_control(method="bh")."""
    p = np.asarray(p_values, dtype="float64")
    order = np.argsort(p, kind="stable")
    scaled = p[order] * p.size / np.arange(1, p.size + 1)
    q = np.empty_like(p)
    q[order] = np.clip(np.minimum.accumulate(scaled[::-1])[::-1], 0.0, 1.0)
    return q


@dataclass(frozen=True)
class _ChiSquare:
    statistic: float
    pvalue: float
    dof: int
    expected_freq: np.ndarray


def _chi_square_independence(observed: np.ndarray) -> _ChiSquare:
    """Pearson's chi-square test of independence without continuity correction, as
    scipy.stats.chi2_contingency(observed, correction=False); every expected count must be > 0."""
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    statistic = float(((observed - expected) ** 2 / expected).sum())
    dof = (observed.shape[0] - 1) * (observed.shape[1] - 1)
    return _ChiSquare(statistic, float(scipy_special().chdtrc(dof, statistic)), dof, expected)


def _z(confidence: float) -> float:
    """Two-sided standard normal quantile for a confidence level."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    return float(_normal_quantile(0.5 + confidence / 2.0))


def _as_float(values) -> np.ndarray:
    """Numbers (also nullable Int64 with NA, lists with None) as a float64 array with NaN."""
    if isinstance(values, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray)):
        return values.to_numpy(dtype="float64", na_value=np.nan)
    try:
        return np.asarray(values, dtype="float64")
    except TypeError:  # pd.NA inside a list or object array
        return (
            pd.array(np.asarray(values, dtype=object).ravel(), dtype="Float64")
            .to_numpy(dtype="float64", na_value=np.nan)
            .reshape(np.shape(values))
        )


def check_unique(frame: pd.DataFrame, keys: list[str], what: str) -> None:
    """Refuse duplicated keys: a pair or a snapshot would silently be ambiguous."""
    dup = frame.duplicated(keys, keep=False)
    if dup.any():
        shown = frame.loc[dup, keys].drop_duplicates().head(5).to_dict("records")
        raise ValueError(f"{what}: dubbele rijen voor {keys}: {shown}")


def status_codes(activities: pd.DataFrame) -> pd.Series:
    """Status codes as plain strings (the categorical carries no extra meaning here)."""
    return activities["status"].astype("object")


# --------------------------------------------------------------------------- 1-2: Wilson


def wilson_interval(percent, n, confidence: float = 0.95):
    """Wilson score interval (Wilson 1927) for a percentage from a sample of size ``n``.

    Vectorised over arrays/Series (broadcasting ``percent`` against ``n``). Returns
    ``(low, high)`` in percent, clipped to [0, 100]; NaN where ``n`` is missing or not
    positive. Unlike the Wald interval it is not degenerate at 0% and 100%. A Series
    ``percent`` gives Series back (same index); two scalars give two floats.
    """
    z = _z(confidence)
    p = _as_float(percent) / 100.0
    size = _as_float(n)
    size = np.where(size > 0, size, np.nan)
    z2n = z * z / size
    centre = (p + z2n / 2.0) / (1.0 + z2n)
    half = z / (1.0 + z2n) * np.sqrt(p * (1.0 - p) / size + z2n / (4.0 * size))
    low = np.clip((centre - half) * 100.0, 0.0, 100.0)
    high = np.clip((centre + half) * 100.0, 0.0, 100.0)
    if isinstance(percent, pd.Series):
        return (
            pd.Series(low, index=percent.index, dtype="float64", name="ci_low"),
            pd.Series(high, index=percent.index, dtype="float64", name="ci_high"),
        )
    if np.ndim(low) == 0:
        return float(low), float(high)
    return low.astype("float64"), high.astype("float64")


def indicator_intervals(indicators: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """The indicator table plus ``ci_low``/``ci_high``: Wilson interval in percent (NaN without n)."""
    out = indicators.copy()
    low, high = wilson_interval(out["percent"].to_numpy(dtype="float64"), out["n"], confidence)
    out["ci_low"] = pd.Series(low, index=out.index, dtype="float64")
    out["ci_high"] = pd.Series(high, index=out.index, dtype="float64")
    return out


# --------------------------------------------------------------------------- 3: changes


def _empty_changes(indicators: pd.DataFrame) -> pd.DataFrame:
    """An empty change table with the documented dtypes."""
    dtypes = {
        "monitor": indicators["monitor"].dtype if "monitor" in indicators else "object",
        "indicator": indicators["indicator"].dtype if "indicator" in indicators else "object",
        "group": indicators["group"].dtype if "group" in indicators else "object",
        "year_from": "int64",
        "year_to": "int64",
        "pct_from": "float64",
        "pct_to": "float64",
        "n_from": "Int64",
        "n_to": "Int64",
        "diff_pp": "float64",
        "ci_low_pp": "float64",
        "ci_high_pp": "float64",
        "p_value": "float64",
        "q_value": "float64",
        "significant": "bool",
        "reason": "str",
    }
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in dtypes.items()})


def indicator_changes(indicators: pd.DataFrame) -> pd.DataFrame:
    """Change between consecutive measurements of each (monitor, indicator, group).

    One row per consecutive pair of years; an indicator measured once gives no row.
    Counts are reconstructed as ``percent / 100 * n`` and deliberately **not rounded**:
    published percentages are themselves rounded, so rounding the count would only add a
    second rounding. ``diff_pp = pct_to - pct_from``; ``ci_low_pp``/``ci_high_pp`` is the
    95% Wald (unpooled) interval of the difference of two independent proportions;
    ``p_value`` the two-sided two-proportion z-test with pooled standard error;
    ``q_value`` Benjamini-Hochberg over the rows that have a p-value;
    ``significant`` is ``q_value < 0.05``. Where ``n`` is unknown for either year there is
    no interval, p or q (NaN), ``significant`` is False and ``reason`` says which year lacks a
    sample size (``no_n_from``, ``no_n_to``, ``no_n_both``); ``no_spread`` marks two
    measurements of 0% or of 100% (p = 1 by convention). Empty for an ordinary test.
    Sorted by monitor, indicator, group, year_from.
    """
    if indicators.empty:
        return _empty_changes(indicators)
    check_unique(indicators, _KEYS + ["year"], "indicatoren")

    base = indicators[_KEYS + ["year", "percent", "n"]].copy()
    base["n"] = base["n"].astype("Int64")
    base = base.sort_values(_KEYS + ["year"], kind="mergesort").reset_index(drop=True)
    nxt = base.groupby(_KEYS, sort=False, dropna=False)[["year", "percent", "n"]].shift(-1)
    has_next = nxt["year"].notna().to_numpy()

    out = pd.DataFrame(
        {
            "monitor": base.loc[has_next, "monitor"].to_numpy(),
            "indicator": base.loc[has_next, "indicator"].to_numpy(),
            "group": base.loc[has_next, "group"].to_numpy(),
            "year_from": base.loc[has_next, "year"].to_numpy(dtype="int64"),
            "year_to": nxt.loc[has_next, "year"].to_numpy(dtype="int64"),
            "pct_from": base.loc[has_next, "percent"].to_numpy(dtype="float64"),
            "pct_to": nxt.loc[has_next, "percent"].to_numpy(dtype="float64"),
            "n_from": pd.array(base.loc[has_next, "n"].to_numpy(dtype=object), dtype="Int64"),
            "n_to": pd.array(nxt.loc[has_next, "n"].to_numpy(dtype=object), dtype="Int64"),
        }
    )
    if out.empty:
        return _empty_changes(indicators)
    for col in _KEYS:  # keep the caller's dtype for the key columns
        out[col] = out[col].astype(indicators[col].dtype)

    p1 = out["pct_from"].to_numpy() / 100.0
    p2 = out["pct_to"].to_numpy() / 100.0
    n1 = out["n_from"].to_numpy(dtype="float64", na_value=np.nan)
    n2 = out["n_to"].to_numpy(dtype="float64", na_value=np.nan)
    n1 = np.where(n1 > 0, n1, np.nan)
    n2 = np.where(n2 > 0, n2, np.nan)
    z = _z(0.95)

    diff = p2 - p1
    se_wald = np.sqrt(p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2)
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se_pool = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    no_spread = se_pool == 0.0  # both years 0% or both 100%: no difference to test
    with np.errstate(divide="ignore", invalid="ignore"):
        zstat = np.where(no_spread, 0.0, diff / se_pool)
    p_value = np.where(np.isnan(se_pool), np.nan, 2.0 * _normal_upper_tail(np.abs(zstat)))

    out["diff_pp"] = (diff * 100.0).astype("float64")
    out["ci_low_pp"] = ((diff - z * se_wald) * 100.0).astype("float64")
    out["ci_high_pp"] = ((diff + z * se_wald) * 100.0).astype("float64")
    out["p_value"] = p_value.astype("float64")

    tested = ~np.isnan(p_value)
    q = np.full(len(out), np.nan, dtype="float64")
    if tested.any():
        q[tested] = benjamini_hochberg(p_value[tested])
    out["q_value"] = q
    out["significant"] = np.asarray(q < SIGNIFICANCE_LEVEL, dtype=bool)  # NaN < x is False

    miss1, miss2 = np.isnan(n1), np.isnan(n2)
    reason = np.select(
        [miss1 & miss2, miss1, miss2, tested & no_spread],
        ["no_n_both", "no_n_from", "no_n_to", "no_spread"],
        default="",
    )
    out["reason"] = pd.Series(reason, index=out.index, dtype="str")

    out = out.sort_values(_KEYS + ["year_from"], kind="mergesort").reset_index(drop=True)
    return out[INDICATOR_CHANGE_COLUMNS]


# --------------------------------------------------------------------------- 6: delays by line


@dataclass(frozen=True)
class DelayTest:
    """Result of :func:`delay_independence`: are delays independent of the action line?

    ``table`` has one row per action line (1-5, int index, zeros included) and columns
    ``delayed_or_stopped`` and ``other``; only lines with activities enter the test.
    ``p_value`` is the Monte Carlo permutation p-value when any expected count is below 5,
    otherwise the asymptotic chi-square p-value; ``used`` says which. When no test is
    possible, ``tested`` is False, the numbers are NaN and ``reason`` says why: 'none_delayed',
    'all_delayed' or 'one_line'.
    """

    year: int
    table: pd.DataFrame
    tested: bool
    statistic: float = np.nan
    dof: int | None = None
    p_asymptotic: float = np.nan
    p_monte_carlo: float = np.nan
    min_expected: float = np.nan
    p_value: float = np.nan
    used: str = "none"  # 'asymptotic', 'monte_carlo' or 'none'
    reason: str = ""
    seed: int | None = None
    n_resamples: int = 0
    lines_tested: tuple[int, ...] = field(default_factory=tuple)


def _chi2_stats(delayed: np.ndarray, row_totals: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Pearson chi-square for tables with fixed margins; ``delayed`` is (..., lines)."""
    other = row_totals - delayed
    return ((delayed - expected[:, 0]) ** 2 / expected[:, 0]).sum(axis=-1) + (
        (other - expected[:, 1]) ** 2 / expected[:, 1]
    ).sum(axis=-1)


def _permutation_p(
    is_delayed: np.ndarray,
    line_code: np.ndarray,
    n_lines: int,
    expected: np.ndarray,
    observed_stat: float,
    seed: int,
    n_resamples: int,
) -> float:
    """Monte Carlo permutation p-value: shuffle the delay labels over the activities.

    Uses ``numpy.random.default_rng(seed)`` in fixed blocks, so the value depends only on
    the seed and the data (not on scipy's version). p = (1 + #{stat >= observed}) /
    (1 + n_resamples), which is never 0 (Phipson & Smyth 2010).
    """
    rng = np.random.default_rng(seed)
    onehot = np.zeros((line_code.size, n_lines), dtype="float64")
    onehot[np.arange(line_code.size), line_code] = 1.0
    row_totals = onehot.sum(axis=0)
    tol = 1e-9 * max(1.0, abs(observed_stat))
    hits = 0
    done = 0
    while done < n_resamples:
        size = min(_MC_CHUNK, n_resamples - done)
        labels = rng.permuted(np.tile(is_delayed.astype("float64"), (size, 1)), axis=1)
        stats_ = _chi2_stats(labels @ onehot, row_totals, expected)
        hits += int(np.count_nonzero(stats_ >= observed_stat - tol))
        done += size
    return (1.0 + hits) / (1.0 + n_resamples)


def delay_independence(
    activities: pd.DataFrame, year: int, seed: int = 20250414, n_resamples: int = 20000
) -> DelayTest:
    """Chi-square test whether delayed/stopped activities are spread evenly over the lines.

    Builds the table action line x {delayed_or_stopped, other} for one report year and
    computes Pearson's chi-square (as ``scipy.stats.chi2_contingency``, no continuity
    correction). The asymptotic p-value is unreliable when expected counts are small (the
    usual rule: any expected count below 5), which is the normal situation for a programme
    with a few dozen activities; then the reported ``p_value`` is a Monte Carlo permutation
    p-value (labels shuffled over activities with a seeded numpy generator). No test when
    nothing (or everything) is delayed/stopped, or when only one line has activities.
    """
    select_year(activities, year)
    check_unique(activities, ["activity_id", "report_year"], "activiteiten")
    snap = activities[activities["report_year"].to_numpy(dtype="int64") == int(year)]
    line = snap["actielijn"].astype("Int64").to_numpy(dtype="float64", na_value=np.nan)
    is_delayed = status_codes(snap).isin(_DELAYED).to_numpy(dtype=bool)
    known = ~np.isnan(line)
    line, is_delayed = line[known].astype("int64"), is_delayed[known]

    lines = np.asarray(ACTIELIJNEN, dtype="int64")
    pos = np.searchsorted(lines, line)
    delayed_n = np.bincount(pos, weights=is_delayed, minlength=lines.size).astype("int64")
    total_n = np.bincount(pos, minlength=lines.size).astype("int64")
    table = pd.DataFrame(
        {"delayed_or_stopped": delayed_n, "other": total_n - delayed_n},
        index=pd.Index(lines, name="actielijn", dtype="int64"),
    )
    table.columns.name = "status"

    used_lines = total_n > 0
    n_delayed, n_all = int(delayed_n.sum()), int(total_n.sum())
    reason = ""
    if n_delayed == 0:
        reason = "none_delayed"
    elif n_delayed == n_all:
        reason = "all_delayed"
    elif int(used_lines.sum()) < 2:
        reason = "one_line"
    if reason:
        return DelayTest(year=int(year), table=table, tested=False, reason=reason)

    observed = table.to_numpy(dtype="float64")[used_lines]
    res = _chi_square_independence(observed)
    expected = np.asarray(res.expected_freq, dtype="float64")
    min_expected = float(expected.min())
    p_mc = _permutation_p(
        is_delayed,
        np.searchsorted(lines[used_lines], line),
        int(used_lines.sum()),
        expected,
        float(res.statistic),
        seed,
        n_resamples,
    )
    if min_expected < 5:
        used, p_value = "monte_carlo", p_mc
    else:
        used, p_value = "asymptotic", float(res.pvalue)
    return DelayTest(
        year=int(year),
        table=table,
        tested=True,
        statistic=float(res.statistic),
        dof=int(res.dof),
        p_asymptotic=float(res.pvalue),
        p_monte_carlo=float(p_mc),
        min_expected=min_expected,
        p_value=float(p_value),
        used=used,
        seed=int(seed),
        n_resamples=int(n_resamples),
        lines_tested=tuple(int(x) for x in lines[used_lines]),
    )
