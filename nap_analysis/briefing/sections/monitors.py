"""Section 6, monitor indicators: the dot-and-whisker chart, its figure, the section with the
changes that are larger than chance; the test goes to the Verantwoording.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MultipleLocator, PercentFormatter

from ..charts import (
    INK,
    MUTED,
    bar_label,
    bottom_legend,
    chart_number,
    chart_words,
    finish,
    hollow,
    house_style,
    new_figure,
    no_data,
    require_columns,
)
from ..display import SectionView
from ..format import is_missing
from ..model import BulletList, Cell, Column, KeyPoint, Paragraph, Section, Table
from ..model import Figure as FigureBlock
from ..render.figure import render
from .context import RANK, Context, skipped


def _year_styles(years: list[int]):
    """Year -> (colour, marker): older lighter, newest darkest; distinct shapes for greyscale.

    The lightest is cividis at 0.55 (3.7:1 against white; at 0.72 it was 2.4:1, too faint for a
    data point, WCAG 1.4.11)."""
    cmap = matplotlib.colormaps["cividis"]
    markers = ("o", "s", "D", "^", "v", "P", "X")
    k = len(years)
    out = {}
    for j, year in enumerate(years):
        pos = 0.0 if k == 1 else 0.55 * (1 - j / (k - 1))
        out[year] = (cmap(pos), markers[(k - 1 - j) % len(markers)])
    return out


def indicators_chart(
    intervals: pd.DataFrame,
    changes: pd.DataFrame | None,
    lang: str = "nl",
    q: float = 0.05,
) -> Figure:
    """Dot-and-whisker chart of monitor indicators: one row per indicator x group with >= 2 years.

    ``intervals``: monitor, indicator, group, year, percent (0-100), n (Int64, NA = unknown),
    ci_low, ci_high (Wilson interval in percent; NaN where n is unknown). Points without an
    interval are hollow and listed in the legend as 'n onbekend'. ``changes``: monitor,
    indicator, group, year_from, year_to, diff_pp, significant (bool), note; a significant
    change gets a bold arrow between the two points and its size at the right ('+1,8 pp *').
    One panel per monitor; long indicator names are wrapped. ``q`` only words the legend.
    """
    w = chart_words(lang)
    require_columns(intervals, ("monitor", "indicator", "group", "year", "percent"), "intervals")
    df = intervals.copy()
    for col in ("n", "ci_low", "ci_high"):
        if col not in df.columns:
            df[col] = np.nan
    df["group"] = df["group"].astype("string").fillna("")
    df["monitor"] = df["monitor"].astype(str)
    df["indicator"] = df["indicator"].astype(str)
    df["year"] = pd.to_numeric(df["year"], errors="coerce")
    df["percent"] = pd.to_numeric(df["percent"], errors="coerce").astype(float)
    df["ci_low"] = pd.to_numeric(df["ci_low"], errors="coerce").astype(float)
    df["ci_high"] = pd.to_numeric(df["ci_high"], errors="coerce").astype(float)
    df = df[df["percent"].notna() & df["year"].notna()]
    df["year"] = df["year"].astype(int)
    has_ci = df["ci_low"].notna() & df["ci_high"].notna()
    outside = has_ci & ((df["percent"] < df["ci_low"] - 1e-6) | (df["percent"] > df["ci_high"] + 1e-6))
    if outside.any():
        raise ValueError(
            "intervals: percent lies outside [ci_low, ci_high] in "
            f"{int(outside.sum())} row(s); ci_low/ci_high must be in percent, like 'percent'"
        )
    keys = ["monitor", "indicator", "group"]
    counts = df.groupby(keys, sort=False)["year"].nunique()
    rows = [key for key, count in counts.items() if count >= 2]
    monitors = list(dict.fromkeys(m for m, _, _ in rows))
    shown_years = df[df.set_index(keys).index.isin(rows)]["year"] if rows else df["year"].iloc[:0]
    styles = _year_styles(sorted(shown_years.unique().tolist()))

    # (monitor, indicator, group) -> (year from, year to, difference in points) of each significant change
    significant: dict[tuple[str, str, str], list[tuple[int, int, float]]] = {}
    if changes is not None and len(changes):
        require_columns(changes, ("monitor", "indicator", "group", "year_from", "year_to", "significant"), "changes")
        ch = changes.copy()
        ch["group"] = ch["group"].astype("string").fillna("")
        for _, c in ch.iterrows():
            if bool(c["significant"]) if pd.notna(c["significant"]) else False:
                key = (str(c["monitor"]), str(c["indicator"]), str(c["group"]))
                significant.setdefault(key, []).append(
                    (int(c["year_from"]), int(c["year_to"]), c.get("diff_pp", np.nan))
                )

    def row_label(indicator: str, group: str) -> str:
        text = textwrap.fill(indicator, width=42)
        return text + (f"\n({group})" if group else "")

    per_monitor = {m: [r for r in rows if r[0] == m] for m in monitors}
    row_h = {r: max(0.36, 0.13 * (row_label(r[1], r[2]).count("\n") + 1) + 0.07) for r in rows}
    heights = [sum(row_h[r] for r in per_monitor[m]) + 0.3 for m in monitors]
    any_unknown = False
    any_significant = False

    with house_style():
        fig = new_figure(1.1 + sum(heights) if rows else 2.0)
        if not rows:
            return no_data(fig, fig.add_subplot(), w)
        axes = fig.subplots(len(monitors), 1, sharex=True, squeeze=False, height_ratios=heights)[:, 0]
        shown = df[df.set_index(keys).index.isin(rows)]
        top = float(np.nanmax(np.r_[shown["percent"].to_numpy(), shown["ci_high"].to_numpy()]))
        xmax = min(100.0, max(10.0, math.ceil(top * 1.1 / 10) * 10))
        for ax, monitor in zip(axes, monitors):
            ax.grid(False, axis="y")
            ax.grid(True, axis="x")
            ax.set_title(textwrap.fill(monitor, width=46), fontsize=8.5, y=1.0, pad=4)  # fixed y: see milestones_chart
            mine = per_monitor[monitor]
            for i, key in enumerate(mine):
                part = df[(df["monitor"] == key[0]) & (df["indicator"] == key[1]) & (df["group"] == key[2])]
                part = part.sort_values("year")
                row_years = part["year"].unique().tolist()
                k = len(row_years)
                spots = {}
                for _, point in part.iterrows():
                    j = row_years.index(point["year"])
                    y = i + (j - (k - 1) / 2) * min(0.22, 0.6 / max(k - 1, 1))
                    colour, marker = styles[point["year"]]
                    x = point["percent"]
                    spots[point["year"]] = (x, y)
                    if pd.notna(point["ci_low"]) and pd.notna(point["ci_high"]) and pd.notna(point["n"]):
                        ax.errorbar(
                            [x],
                            [y],
                            xerr=[[x - point["ci_low"]], [point["ci_high"] - x]],
                            fmt=marker,
                            color=colour,
                            markersize=5.5,
                            elinewidth=1.2,
                            capsize=2,
                            zorder=3,
                        )
                    else:
                        any_unknown = True
                        ax.plot([x], [y], marker=marker, zorder=3, **hollow(colour, 5.5, 1.3))
                for year_from, year_to, diff in significant.get(key, []):
                    if year_from not in spots or year_to not in spots:
                        continue
                    any_significant = True
                    (x0, y0), (x1, y1) = spots[year_from], spots[year_to]
                    ax.annotate(
                        "",
                        xy=(x1, y1),
                        xytext=(x0, y0),
                        arrowprops={
                            "arrowstyle": "-|>,head_length=0.35,head_width=0.2",
                            "color": INK,
                            "linewidth": 1.8,
                            "shrinkA": 3,
                            "shrinkB": 3,
                        },
                        zorder=4,
                    )
                    if pd.isna(diff):
                        diff = x1 - x0
                    sign = "+" if diff > 0 else ""
                    bar_label(
                        ax,
                        1.01,
                        i,
                        f"{sign}{chart_number(diff, lang, 1)} {w['pp']} *",
                        transform=ax.get_yaxis_transform(),
                        fontweight="bold",
                        clip_on=False,
                    )
            ax.set_yticks(range(len(mine)), [row_label(k[1], k[2]) for k in mine])
            ax.tick_params(axis="y", length=0, labelsize=7.5)
            ax.spines["left"].set_visible(False)
            ax.set_ylim(len(mine) - 0.5, -0.5)
        axes[-1].set_xlim(0, xmax)
        axes[-1].xaxis.set_major_locator(MultipleLocator(10 if xmax <= 60 else 20))
        axes[-1].xaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
        axes[-1].set_xlabel(w["percent"])
        drawn = sorted(shown["year"].unique().tolist())
        handles = [
            Line2D([], [], marker=styles[y][1], color=styles[y][0], linestyle="none", markersize=5.5) for y in drawn
        ]
        texts = [str(y) for y in drawn]
        if any_unknown:
            handles.append(Line2D([], [], marker="o", **hollow(MUTED, 5.5, 1.3)))
            texts.append(w["n_unknown"])
        if any_significant:
            handles.append(Line2D([], [], color=INK, linewidth=1.8, marker=">", markersize=5))
            texts.append(w["significant"].format(q=chart_number(q, lang, 2, strip=True)))
        bottom_legend(fig, handles, texts)
    return finish(fig)


def indicator_label(row, language: str) -> str:
    """The readable name of an indicator (``label_nl``/``label_en`` of the data), else its data string."""
    label = getattr(row, f"label_{language}", "") or getattr(row, "label_nl", "") or row.indicator
    return str(label)


def group_label(row, language: str) -> str:
    """The population of a figure in the document's language (``group_en`` of the data in English)."""
    return str((getattr(row, "group_en", "") if language == "en" else "") or row.group)


def indicators_figure(ctx: Context, intervals: pd.DataFrame | None, changes: pd.DataFrame | None) -> FigureBlock | None:
    if intervals is None or changes is None:
        return None
    sig = changes[changes["significant"]]
    parts = [
        ctx.w(
            "alt.indicator",
            indicator=indicator_label(r, ctx.language),
            group=group_label(r, ctx.language),
            pct_from=ctx.f.percent_value(r.pct_from, 1),
            pct_to=ctx.f.percent_value(r.pct_to, 1),
            year_from=r.year_from,
            year_to=r.year_to,
        )
        for r in sig.itertuples(index=False)
    ]
    alt = (
        ctx.w("alt.indicators", n=len(changes), sig=len(sig), parts=ctx.w.join(parts))
        if parts
        else ctx.w("alt.indicators_none", n=len(changes))
    )
    shown = intervals.assign(
        indicator=[indicator_label(r, ctx.language) for r in intervals.itertuples(index=False)],
        group=[group_label(r, ctx.language) for r in intervals.itertuples(index=False)],
    )
    shown_changes = changes.assign(
        indicator=[indicator_label(r, ctx.language) for r in changes.itertuples(index=False)],
        group=[group_label(r, ctx.language) for r in changes.itertuples(index=False)],
    )
    fig = indicators_chart(shown, shown_changes, lang=ctx.language)
    return render(fig, "monitorindicatoren", ctx.w["fig.indicators"], alt, lang=ctx.language)


def with_labels(changes: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Indicator changes with the readable labels of the data contract."""
    for column in ("label_nl", "label_en"):
        if column not in indicators:
            indicators = indicators.assign(**{column: ""})
    if "group_en" not in indicators:
        indicators = indicators.assign(group_en="")
    labels = indicators[["monitor", "indicator", "group", "label_nl", "label_en", "group_en"]].drop_duplicates(
        ["monitor", "indicator", "group"]
    )
    return changes.merge(labels, on=["monitor", "indicator", "group"], how="left").fillna(
        {"label_nl": "", "label_en": "", "group_en": ""}
    )


def indicators_section(ctx: Context, changes: pd.DataFrame | None, figure: FigureBlock | None = None) -> Section:
    """Monitor figures: which changes are larger than chance, in plain words; the test in the Verantwoording."""
    if changes is None:
        return skipped(ctx, "indicators", "indicators")
    w, f = ctx.w, ctx.f
    section = SectionView("indicators", w["heading.indicators"], language=ctx.language)
    tested = changes[changes["p_value"].notna()]
    significant = tested[tested["significant"]]
    lead = w("kp.indicators", pairs=len(changes), tested=len(tested), sig=len(significant))
    points = [lead] + [_change_sentence(ctx, r) for r in significant.itertuples(index=False)]
    # every difference larger than chance is named where the count of them stands
    section.key_points.append(KeyPoint(RANK["indicators"], Paragraph.of(" ".join(points))))
    section.add(
        Paragraph.of(lead),
        BulletList([Paragraph.of(_change_sentence(ctx, r)) for r in changes.itertuples(index=False)]),
        _single_measurements(ctx, changes),
    )
    if figure is not None:
        section.add(figure)
    columns = [
        Column("indicator", w["col.indicator"], "text", width=3),
        Column("group", w["col.group"], "text", width=1),
        Column("year_from", w["col.year_from"], "year", width=0.6),
        Column("year_to", w["col.year_to"], "year", width=0.6),
        Column("pct_from", w["col.pct_from"], "percent", 1, width=0.7),
        Column("pct_to", w["col.pct_to"], "percent", 1, width=0.7),
        Column("diff_pp", w["col.diff_pp"], "pp", 1, width=0.8),
        Column("ci", w["col.ci"], "text", width=1.2),
        Column("verdict", w["col.verdict"], "text", width=1.6),
    ]
    rows = []
    for r in changes.itertuples(index=False):
        ci = (
            w("ci.range", low=f.number(r.ci_low_pp, 1, sign=True), high=f.number(r.ci_high_pp, 1, sign=True))
            if not is_missing(r.ci_low_pp)
            else ""
        )
        rows.append(
            [
                Cell(
                    indicator_label(r, ctx.language),
                    lang=None if (getattr(r, f"label_{ctx.language}", "")) else ctx.data_language,
                ),
                Cell(group_label(r, ctx.language), lang=None if getattr(r, "group_en", "") else ctx.data_language),
                int(r.year_from),
                int(r.year_to),
                float(r.pct_from),
                float(r.pct_to),
                float(r.diff_pp),
                ci,
                _verdict(ctx, r),
            ]
        )
    section.add(
        Table(
            "monitorindicatoren",
            w["table.indicators"],
            columns,
            rows,
            notes=[Paragraph.of(w["indicators.note"], style="note")],
        )
    )
    section.methods.append(Paragraph.of(w("method.indicators", q=f.number(0.05, 2))))
    return section


def _single_measurements(ctx: Context, changes: pd.DataFrame) -> Paragraph | None:
    """The monitors in the data that have no second measurement to compare with: said, not left out."""
    indicators = ctx.programme.indicators
    if indicators is None:
        return None
    compared = set(changes["monitor"].astype(str)) if "monitor" in changes else set()
    alone = indicators[~indicators["monitor"].astype(str).isin(compared)]
    if alone.empty:
        return None
    years = alone.groupby("monitor", sort=True)["year"].agg(lambda y: ", ".join(str(v) for v in sorted(set(y))))
    listed = ctx.w.join([f"{monitor} ({shown})" for monitor, shown in years.items()])
    return Paragraph.of(ctx.w("indicators.single", monitors=listed), style="note")


def _verdict(ctx: Context, r) -> str:
    if not is_missing(r.p_value):
        return ctx.w["verdict.significant"] if r.significant else ctx.w["verdict.chance"]
    return ctx.w[f"verdict.{r.reason or 'no_n_both'}"]


def _change_sentence(ctx: Context, r) -> str:
    w, f = ctx.w, ctx.f
    fields = {
        "indicator": indicator_label(r, ctx.language),
        "group": group_label(r, ctx.language),
        "year_from": r.year_from,
        "year_to": r.year_to,
        "pct_from": f.percent_value(r.pct_from, 1),
        "pct_to": f.percent_value(r.pct_to, 1),
        "diff": f.points(r.diff_pp),
    }
    if is_missing(r.p_value):
        return w(
            "indicator.untested",
            **fields,
            reason=w[f"reason.{r.reason or 'no_n_both'}"].format(year_from=r.year_from, year_to=r.year_to),
        )
    return w("indicator.significant" if r.significant else "indicator.chance", **fields)
