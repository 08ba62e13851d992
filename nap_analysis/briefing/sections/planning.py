"""Section 5, planning and milestones: planned against actual dates, one chart per phase, the table."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ...words import Words, words
from ..charts import (
    BASE,
    HIGHLIGHT,
    INK,
    LABEL_BOX,
    MUTED,
    DateFormatter,
    bottom_legend,
    chart_words,
    date_locator,
    finish,
    hollow,
    house_style,
    new_figure,
    no_data,
    point_label,
    require_columns,
    to_num,
)
from ..display import SectionView
from ..format import is_missing
from ..model import Cell, Column, Paragraph, Section, Table
from ..model import Figure as FigureBlock
from ..render.figure import render
from .context import Context, skipped


def slip_text(w: Words, slip_days, slip_months, approximate, chart: bool = False) -> str:
    """How much later than planned a milestone came ('+42 dagen', 'op tijd', 'ca. +3 mnd'): the one
    wording of the table and the chart; a chart spells a month out ('ca. +3 maanden')."""
    if not is_missing(slip_months) and approximate:
        months = int(slip_months)
        if not months:
            return w["slip.same_month"]
        key = (
            ("slip.about_month_chart" if abs(months) == 1 else "slip.about_months_chart")
            if chart
            else "slip.about_months"
        )
        return w(key, n=_signed(months))
    if not is_missing(slip_days):
        days = int(slip_days)
        if not days:
            return w["slip.on_time"]
        return w("slip.day" if abs(days) == 1 else "slip.days", n=_signed(days))  # '−1 dag', '+42 dagen'
    return ""


def _signed(n: int) -> str:
    return f"{n:+d}".replace("-", "−")


def milestones_chart(milestones: pd.DataFrame, lang: str = "nl") -> Figure:
    """Planned (hollow) against actual (filled) date per milestone, one panel per phase.

    ``milestones``: :func:`nap_analysis.analysis.milestones.slippage` (milestone, planned,
    actual, *_precision, slip_days, slip_months, approximate, phase). Each phase (the making of
    the NAP in 2022-2023, a progress report's cycle) gets its own time axis, so every marker
    sits at its own date and steps years apart are never squeezed onto one scale. A planned
    date known only to the month is drawn as a bar over that month, and a slip measured from it
    is marked 'ca.'. Labels carry a white background, readable on any fill and in greyscale.
    """
    w = chart_words(lang)
    require_columns(milestones, ("milestone", "planned", "actual"), "milestones")
    df = milestones.copy()
    for column in ("planned_precision", "actual_precision"):
        if column not in df:
            df[column] = "day"
    if "phase" not in df:
        df["phase"] = ""
    df["phase"] = df["phase"].fillna("").astype(str)
    df["planned"] = pd.to_datetime(df["planned"])
    df["actual"] = pd.to_datetime(df["actual"])
    df = df.sort_values(["planned", "milestone"], kind="stable").reset_index(drop=True)
    phases = list(dict.fromkeys(df["phase"]))

    def label_of(row) -> str:
        return textwrap.fill(str(row["milestone"]), width=40)

    def note_of(row) -> str:
        parts = [
            slip_text(words(lang), row.get("slip_days"), row.get("slip_months"), row.get("approximate"), chart=True)
        ]
        if pd.isna(row["actual"]):
            parts = [w["no_actual"]]
        return "  ".join(p for p in parts if p)

    per_phase = {phase: df[df["phase"] == phase] for phase in phases}
    row_h = {i: max(0.26, 0.14 * (label_of(df.loc[i]).count("\n") + 1) + 0.1) for i in df.index}
    heights = [sum(row_h[i] for i in per_phase[p].index) + 0.45 for p in phases]

    with house_style():
        fig = new_figure(0.8 + sum(heights))
        if df.empty:
            return no_data(fig, fig.add_subplot(), w)
        axes = fig.subplots(len(phases), 1, squeeze=False, height_ratios=heights)[:, 0]
        for ax, phase in zip(axes, phases):
            part = per_phase[phase]
            hs = [row_h[i] for i in part.index]
            ys = np.cumsum([0.0] + [(a + b) / 2 for a, b in zip(hs[:-1], hs[1:])])
            dates = pd.concat([part["planned"], part["actual"], part["planned"] + pd.offsets.MonthEnd(0)]).dropna()
            lo, hi = to_num(dates.min()), to_num(dates.max())
            span = max(hi - lo, 30.0)
            ax.grid(False, axis="y")
            ax.grid(True, axis="x")
            if phase:
                # a fixed y: matplotlib then skips placing the title above every tick label
                # (a third of the chart's time)
                ax.set_title(phase, fontsize=8.5, loc="left", fontweight="bold", y=1.0, pad=4)
            for y, (_, row) in zip(ys, part.iterrows()):
                p = to_num(row["planned"]) if pd.notna(row["planned"]) else None
                a = to_num(row["actual"]) if pd.notna(row["actual"]) else None
                slipped = (
                    (row.get("slip_days") or 0) > 0
                    if pd.notna(row.get("slip_days"))
                    else ((row.get("slip_months") or 0) > 0 if pd.notna(row.get("slip_months")) else False)
                )
                colour = HIGHLIGHT if slipped else BASE
                p_mark: float | None  # the middle of a month-precision plan, else the planned day
                if p is not None and row["planned_precision"] == "month":
                    end = to_num(row["planned"] + pd.offsets.MonthEnd(0))
                    ax.barh(y, end - p, left=p, height=0.34, color="white", edgecolor=colour, linewidth=1.0, zorder=2)
                    p_mark = (p + end) / 2
                else:
                    p_mark = p
                if p_mark is not None and a is not None:
                    ax.plot(
                        [p_mark, a],
                        [y, y],
                        color=colour,
                        linewidth=1.4,
                        zorder=2,
                        solid_capstyle="butt",
                        linestyle=(0, (3, 2)) if row["planned_precision"] == "month" else "-",
                    )
                if p_mark is not None and row["planned_precision"] != "month":
                    ax.plot([p_mark], [y], marker="o", zorder=3, **hollow(colour, 6.5))
                if a is not None:
                    ax.plot([a], [y], marker="o", markersize=6, color=colour, linestyle="none", zorder=4)
                note = note_of(row)
                if note:
                    x = max(v for v in (p_mark, a) if v is not None)
                    point_label(
                        ax,
                        note,
                        (x, y),
                        (7, 0),
                        ha="left",
                        va="center",
                        size=7,
                        colour=HIGHLIGHT if slipped else (MUTED if a is None else INK),
                        fontweight="bold" if slipped else "normal",
                        bbox=LABEL_BOX,
                    )
            ax.set_yticks(ys, [label_of(r) for _, r in part.iterrows()])
            ax.tick_params(axis="y", length=0, labelsize=7.5)
            ax.spines["left"].set_visible(False)
            ax.set_ylim(ys[-1] + hs[-1] / 2 + 0.05, -hs[0] / 2 - 0.05)
            ax.set_xlim(lo - 0.04 * span, hi + 0.38 * span)
            ax.xaxis.set_major_locator(date_locator(span * 1.4))
            ax.xaxis.set_major_formatter(DateFormatter(lang))
        handles = [
            Line2D([], [], marker="o", **hollow(BASE, 6.5)),
            Patch(facecolor="white", edgecolor=BASE, linewidth=1.0),
            Line2D([], [], marker="o", color=BASE, linestyle="none", markersize=6),
            Line2D([], [], color=HIGHLIGHT, linewidth=1.4, marker="o", markersize=5),
        ]
        texts = [w["planned"], w["planned_month"], w["actual"], w["later_than_planned"]]
        bottom_legend(fig, handles, texts)
    return finish(fig)


def milestones_figures(ctx: Context, table: pd.DataFrame | None) -> list[FigureBlock]:
    """One chart per phase (the making of the NAP, a progress report's cycle), each on its own time
    axis: steps years apart are never squeezed onto one scale, and each chart fits half a page."""
    if table is None:
        return []
    figures = []
    table = ctx.ours(table, "milestone", "phase")
    phases = list(dict.fromkeys(table["phase"].fillna("").astype(str)))
    for number, phase in enumerate(phases, start=1):
        part = table[table["phase"].fillna("").astype(str) == phase]
        late = part[(part["slip_days"].fillna(0) > 0) | (part["slip_months"].fillna(0) > 0)]
        parts = [
            ctx.w("alt.milestone", milestone=m, planned=_when_text(ctx, p, pp), actual=_when_text(ctx, a, ap))
            for m, p, pp, a, ap in zip(
                late["milestone"], late["planned"], late["planned_precision"], late["actual"], late["actual_precision"]
            )
        ]
        alt = (
            ctx.w("alt.milestones", phase=phase, n=len(part), late=len(late), parts=ctx.w.join(parts))
            if parts
            else ctx.w("alt.milestones_on_time", phase=phase, n=len(part))
        )
        fig = milestones_chart(part, lang=ctx.language)
        name = "planning_en_mijlpalen" if len(phases) == 1 else f"planning_en_mijlpalen_{number}"
        figures.append(render(fig, name, ctx.w("fig.milestones", phase=phase), alt, lang=ctx.language))
    return figures


def _when_text(ctx: Context, value, precision) -> str:
    if is_missing(value):
        return ctx.w["word.unknown"]
    return ctx.f.month(value) if precision == "month" else ctx.f.date(value)


def milestones_section(ctx: Context, table: pd.DataFrame | None, figures: list[FigureBlock] | None = None) -> Section:
    if table is None:
        return skipped(ctx, "milestones", "milestones")
    w = ctx.w
    table = ctx.ours(table, "milestone", "phase")
    section = SectionView("milestones", w["heading.milestones"], language=ctx.language)
    shown = w.join(list(dict.fromkeys(table["phase"].fillna("").astype(str))))  # the phases this report shows
    section.add(Paragraph.of(w("milestones.lead", phases=shown)), *(figures or []))
    # one phase (a report's own cycle): its name stands in the chart's title, not in every row
    phases = table["phase"].astype(str).nunique() > 1
    columns = [
        *([Column("phase", w["col.phase"], "text", width=1.3)] if phases else []),
        Column("milestone", w["col.milestone"], "text", width=3 if phases else 4.3),
        Column("planned", w["col.planned"], "date", width=1.2),
        Column("actual", w["col.actual"], "date", width=1.2),
        Column("slip", w["col.slip"], "text", width=1.0),
    ]
    rows = []
    for row in table.itertuples(index=False):
        slip = slip_text(w, row.slip_days, row.slip_months, row.approximate)
        rows.append(
            [
                *([ctx.ours_cell(row.phase, row.phase_ours)] if phases else []),
                ctx.ours_cell(row.milestone, row.milestone_ours),
                _when_cell(ctx, row.planned, row.planned_precision),
                _when_cell(ctx, row.actual, row.actual_precision),
                slip,
            ]
        )
    notes = [Paragraph.of(w["milestones.note"], style="note"), *ctx.ours_note(table, "milestone", "phase")]
    table_block = Table("mijlpalen", w["table.milestones"], columns, rows, notes=notes)
    section.add(table_block)
    return section


def _when_cell(ctx: Context, value, precision) -> Cell:
    """A date as the document shows it (a month as a month), with the date itself for Excel."""
    if is_missing(value):
        return Cell(None, text=ctx.w["word.unknown"])
    day = pd.Timestamp(value).date()
    return Cell(day, text=_when_text(ctx, value, precision), kind="month" if precision == "month" else "date")
