"""A Beta-Binomial projection of the completed share to the end of the programme, with a Jeffreys
prior so that few activities give a wide, honest interval.

Pure functions on the loader's tidy tables; shares in percent (0-100), as in :mod:`.statistics`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from .statistics import beta_quantile, check_unique, scipy_special, status_codes

#: Interval level of the completion projection (90%: a planning range, not a proof).
PROJECTION_CONFIDENCE = 0.90
#: Why a projection is not possible (``CompletionProjection.reason``).
PROJECTION_REASONS: tuple[str, ...] = (
    "no_activities",
    "after_end",
    "one_report",
    "all_stopped",
    "all_completed",
    "no_pairs",
)
_AT_RISK = ("in_progress", "delayed", "not_started")


# --------------------------------------------------------------------------- 7: projection


@dataclass(frozen=True)
class CompletionProjection:
    """Result of :func:`project_completion`; shares in percent, rates as fractions per year.

    ``expected_share`` is the posterior mean of the completed share at ``end``; ``low`` and
    ``high`` the 90% interval (``confidence``). When ``possible`` is False these are NaN
    and ``reason`` says why (:data:`PROJECTION_REASONS`); ``history`` is always filled.
    """

    possible: bool
    history: pd.DataFrame
    end: date
    confidence: float = PROJECTION_CONFIDENCE
    expected_share: float = np.nan
    low: float = np.nan
    high: float = np.nan
    last_report_year: int | None = None
    last_report_date: date | None = None
    years_ahead: float = np.nan
    share_last: float = np.nan
    completed_at_risk: int = 0  # k
    at_risk: int = 0  # m
    rate: float = np.nan  # posterior mean of the yearly completion rate
    rate_low: float = np.nan
    rate_high: float = np.nan
    reason: str = ""
    #: the activities at risk the rate is fitted on: activity_id, report_year (the first of the pair),
    #: completed (in the next report); the rows of both years are what the outlook rests on
    at_risk_pairs: pd.DataFrame | None = None


def _history(activities: pd.DataFrame) -> pd.DataFrame:
    """Completed share (percent) of the non-stopped activities in each report's snapshot."""
    status = status_codes(activities)
    frame = pd.DataFrame(
        {
            "report_year": activities["report_year"].to_numpy(dtype="int64"),
            "completed": (status == "completed").to_numpy(dtype="int64"),
            "counted": (status != "stopped").to_numpy(dtype="int64"),
        }
    )
    agg = frame.groupby("report_year", sort=True)[["completed", "counted"]].sum()
    n = agg["counted"].to_numpy(dtype="int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(n > 0, 100.0 * agg["completed"].to_numpy() / n, np.nan)
    return pd.DataFrame(
        {
            "report_year": agg.index.to_numpy(dtype="int64"),
            "share_completed": share.astype("float64"),
            "n": n,
        }
    )


def project_completion(activities: pd.DataFrame, end: date = date(2026, 12, 31)) -> CompletionProjection:
    """Project the completed share of the programme to ``end`` (default: NAP end date).

    Why this model: with two or three reports and a few dozen activities anything richer
    would be over-fitted; a single yearly completion rate with an honest (Jeffreys)
    uncertainty is what the data can carry.

    - Only the activities in the last report count; stopped ones are left out of every
      denominator.
    - At risk: an activity that is not completed and not stopped in one report. For each
      pair of consecutive reports, m = activities at risk in the first report that appear
      in the second and are not stopped there, k = those of them completed in the second.
      Pooled over pairs, the yearly completion rate r has posterior Beta(k + 0.5, m - k + 0.5).
      Reports are assumed to be a year apart (the annual rhythm of the VGR).
    - With s the completed share in the last report and t the years from 1 April of the
      last report year to ``end`` (days / 365.25), the share at ``end`` is
      1 - (1 - s)(1 - r)^t. ``expected_share`` is its posterior mean
      1 - (1 - s) B(a, b + t) / B(a, b); because the projection increases with r, the 5%
      and 95% quantiles of r give the 90% interval.
    - ``history``: per report year (each report's own full snapshot) the completed share
      among non-stopped activities and that count n.
    """
    history = _history(activities)
    base = {"history": history, "end": end}
    if activities.empty:
        return CompletionProjection(possible=False, reason="no_activities", **base)
    check_unique(activities, ["activity_id", "report_year"], "activiteiten")
    years = history["report_year"].to_numpy(dtype="int64")
    last = int(years[-1])
    last_date = date(last, 4, 1)
    if end < last_date:  # a report after the end of the NAP: the outcome is known, not projected
        return CompletionProjection(
            possible=False,
            reason="after_end",
            **base,
        )
    t = (end - last_date).days / 365.25
    base.update(last_report_year=last, last_report_date=last_date, years_ahead=t)

    status = status_codes(activities)
    year = activities["report_year"].to_numpy(dtype="int64")
    ids = activities["activity_id"].astype("object")
    in_last = ids.isin(set(ids[year == last])).to_numpy()
    wide = pd.DataFrame(
        {"activity_id": ids[in_last].to_numpy(), "report_year": year[in_last], "status": status[in_last].to_numpy()}
    ).pivot(index="activity_id", columns="report_year", values="status")

    last_status = wide[last]
    counted = last_status != "stopped"
    n_last = int(counted.sum())
    s = float((last_status[counted] == "completed").sum() / n_last) if n_last else np.nan
    base["share_last"] = 100.0 * s if n_last else np.nan

    if years.size < 2:
        return CompletionProjection(
            possible=False,
            reason="one_report",
            **base,
        )
    if n_last == 0:
        return CompletionProjection(
            possible=False,
            reason="all_stopped",
            **base,
        )
    if s >= 1.0:
        return CompletionProjection(
            possible=False,
            reason="all_completed",
            **base,
        )

    k = m = 0
    pairs = []
    for y0, y1 in zip(years[:-1], years[1:]):  # a handful of report years, not rows
        if y0 not in wide.columns or y1 not in wide.columns:
            continue
        risk = wide[y0].isin(_AT_RISK) & wide[y1].notna() & (wide[y1] != "stopped")
        m += int(risk.sum())
        k += int((risk & (wide[y1] == "completed")).sum())
        done = wide.loc[risk, y1] == "completed"
        pairs.append(pd.DataFrame({"activity_id": done.index, "report_year": int(y0), "completed": done.to_numpy()}))
    at_risk_pairs = (
        pd.concat(pairs, ignore_index=True)
        if pairs
        else pd.DataFrame({"activity_id": [], "report_year": [], "completed": []})
    )
    base.update(completed_at_risk=k, at_risk=m, at_risk_pairs=at_risk_pairs)
    if m == 0:
        return CompletionProjection(
            possible=False,
            reason="no_pairs",
            **base,
        )

    a, b = k + 0.5, m - k + 0.5
    tail = (1.0 - PROJECTION_CONFIDENCE) / 2.0
    r_low, r_high = (float(x) for x in beta_quantile(np.array([tail, 1.0 - tail]), a, b))
    betaln = scipy_special().betaln
    mean_decay = float(np.exp(betaln(a, b + t) - betaln(a, b)))  # E[(1 - r)^t]

    def share_at(r: float) -> float:
        return 100.0 * (1.0 - (1.0 - s) * (1.0 - r) ** t)

    return CompletionProjection(
        possible=True,
        expected_share=100.0 * (1.0 - (1.0 - s) * mean_decay),
        low=share_at(r_low),
        high=share_at(r_high),
        rate=a / (a + b),
        rate_low=r_low,
        rate_high=r_high,
        **base,
    )
