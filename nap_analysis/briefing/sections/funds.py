"""Section 4, funds as the memos give them: the chart per instrument, its figure, the section."""

from __future__ import annotations

import re
import textwrap
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from ..charts import (
    EDGE,
    EXTRA_COLOURS,
    MINISTRY_COLOURS,
    MUTED,
    bar,
    bar_label,
    bottom_legend,
    chart_words,
    edge_colour,
    euro_formatter,
    finish,
    gid_part,
    house_style,
    new_figure,
    no_data,
    require_columns,
)
from ..display import SectionView
from ..format import fmt, is_missing
from ..model import Column, Paragraph, Section, Span, Table
from ..model import Figure as FigureBlock
from ..render.figure import render
from .context import Context, skipped


def _ministry_colours(ministries: list[str]) -> dict[str, str]:
    out, extra = {}, iter(EXTRA_COLOURS * (1 + len(ministries)))
    for m in ministries:
        out[m] = MINISTRY_COLOURS.get(m) or next(extra)
    return out


def funds_chart(lines: pd.DataFrame, lang: str = "nl") -> Figure:
    """Every fund line as a bar of its total over the stated period, grouped per instrument.

    ``lines``: :func:`nap_analysis.analysis.funds.funds_by_instrument` (ministry, instrument,
    purpose, amount_basis, amount_eur, years, total_eur, status). All bars measure the same
    thing, a total in euros, so yearly and multi-year amounts never share an axis: an amount
    given per year is drawn as its total and labelled 'n × amount'. Reserved amounts are
    hatched; a ministry without extra funds gets a row with the words of the memo instead.
    """
    w = chart_words(lang)
    f = fmt(lang)
    require_columns(lines, ("ministry", "instrument", "purpose", "amount_eur", "total_eur", "status"), "funds")
    df = lines.reset_index(drop=True).copy()
    df["instrument"] = df["instrument"].fillna("").astype(str)
    df["purpose"] = df["purpose"].fillna("").astype(str)
    groups = list(dict.fromkeys(zip(df["ministry"].astype(str), df["instrument"])))
    colours = _ministry_colours(list(dict.fromkeys(df["ministry"].astype(str))))
    rows: list[tuple[str, Any]] = []  # ('group', (ministry, instrument)) or ('line', index)
    for group in groups:
        rows.append(("group", group))
        rows.extend(("line", i) for i in df.index[(df["ministry"] == group[0]) & (df["instrument"] == group[1])])
    labels = []
    for kind, item in rows:
        if kind == "group":
            ministry, instrument = item
            labels.append(f"{ministry}{' – ' + instrument if instrument else ''}")
        else:
            purpose = _short_purpose(df.at[item, "purpose"])
            labels.append(textwrap.fill(purpose, width=46, max_lines=4, placeholder=" …", break_on_hyphens=False))
    heights = [
        0.22 if kind == "group" else 0.115 * (label.count("\n") + 1) + 0.08 for (kind, _), label in zip(rows, labels)
    ]
    top_amount = float(df["total_eur"].max(skipna=True)) if df["total_eur"].notna().any() else 1.0

    with house_style():
        fig = new_figure(0.9 + sum(heights))
        ax = fig.add_subplot()
        if df.empty:
            return no_data(fig, ax, w)
        ax.grid(False, axis="y")
        ax.grid(True, axis="x")
        ys = np.cumsum([0.0] + [(a + b) / 2 for a, b in zip(heights[:-1], heights[1:])])
        has_reserved = False
        for (kind, item), y in zip(rows, ys):
            if kind == "group":
                part = df[(df["ministry"] == item[0]) & (df["instrument"] == item[1])]
                total = part["total_eur"].sum(min_count=1)
                if pd.notna(total) and len(part) > 1:
                    bar_label(
                        ax, top_amount * 1.02, y, w["group_total"].format(amount=f.euro(total)), fontweight="bold"
                    )
                continue
            row = df.loc[item]
            colour = colours[str(row["ministry"])]
            if row["status"] == "no_funds" or pd.isna(row["total_eur"]):
                bar_label(ax, 0, y, "  " + w["no_funds"], colour=MUTED, fontstyle="italic")
                continue
            reserved = row["status"] == "reserved"
            has_reserved |= reserved
            bar(
                ax,
                y,
                row["total_eur"],
                colour,
                height=0.62 * min(heights[rows.index((kind, item))], 0.4) / 0.4,
                gid=f"fund-{gid_part(row['ministry'])}-{item}-{row['status']}",
                hatch="///" if reserved else None,
                edgecolor="white" if edge_colour(colour) == colour else EDGE,
            )
            if row["amount_basis"] == "per_year" and pd.notna(row["years"]) and int(row["years"]) > 1:
                text = w["per_year_times"].format(
                    years=int(row["years"]), amount=f.euro(row["amount_eur"]), total=f.euro(row["total_eur"])
                )
            else:
                text = f.euro(row["total_eur"])
            bar_label(ax, row["total_eur"] + top_amount * 0.01, y, text, boxed=True)
        ax.set_yticks(ys, labels)
        for tick, (kind, _) in zip(ax.get_yticklabels(), rows):
            if kind == "group":
                tick.set_fontweight("bold")
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.set_ylim(ys[-1] + heights[-1] / 2 + 0.05, -heights[0] / 2 - 0.05)
        ax.set_xlim(0, top_amount * 1.55)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
        ax.xaxis.set_major_formatter(euro_formatter(lang))
        ax.set_xlabel(w["total_over_period"])
        with_money = [m for m in colours if df.loc[df["ministry"] == m, "total_eur"].notna().any()]
        handles = [Patch(facecolor=colours[m], edgecolor=edge_colour(colours[m])) for m in with_money]
        texts = list(with_money)
        handles.append(Patch(facecolor="#BDBDBD", edgecolor=edge_colour("#BDBDBD")))
        texts.append(w["decided"])
        if has_reserved:
            handles.append(
                Patch(facecolor="#BDBDBD", edgecolor=edge_colour("#BDBDBD"), hatch="///", hatchcolor="#3A3A3A")
            )
            texts.append(w["reserved"])
        bottom_legend(fig, handles, texts)
    return finish(fig)


def _short_purpose(purpose: str) -> str:
    """Every purpose of the line without its amounts: a line that funds interventions, research and
    communication is labelled with all three, not with the first (the amounts stand in the table)."""
    without = re.sub(r"\s*\([^)]*\)", "", purpose).strip()
    parts = [part.strip() for part in re.split(r"\s*;\s*", without) if part.strip()]
    return "; ".join(parts) or purpose


def funds_figure(ctx: Context, lines: pd.DataFrame | None) -> FigureBlock | None:
    if lines is None:
        return None
    money = lines[lines["total_eur"].notna()]
    parts = [
        ctx.w("alt.funds_line", ministry=m, instrument=i or "", amount=ctx.f.euro(t))
        for m, i, t in money.groupby(["ministry", "instrument"], sort=False, dropna=False)["total_eur"]
        .sum()
        .reset_index()
        .itertuples(index=False)
    ]
    none = sorted(set(lines.loc[lines["status"] == "no_funds", "ministry"]))
    alt = ctx.w("alt.funds", parts=ctx.w.join(parts))
    if none:
        alt += " " + ctx.w("alt.funds_none", ministries=ctx.w.join(none))
    fig = funds_chart(ctx.ours(lines, "purpose"), lang=ctx.language)
    return render(fig, "middelen_per_instrument", ctx.w["fig.funds"], alt, lang=ctx.language)


def funds_section(
    ctx: Context, lines: pd.DataFrame | None, totals: pd.DataFrame | None, figure: FigureBlock | None = None
) -> Section:
    """Funds as the memos give them: per instrument and purpose, the amount and period as stated."""
    if lines is None:
        return skipped(ctx, "funds", "funds")
    assert totals is not None, "lines and totals come from the same funds table: both or neither"
    w, f = ctx.w, ctx.f
    section = SectionView("funds", w["heading.funds"], language=ctx.language)
    for row in totals[totals["parts"] > 1].itertuples(index=False):
        section.add(
            Paragraph.of(
                w(
                    "funds.instrument_total",
                    ministry=row.ministry,
                    instrument=row.instrument,
                    amount=f.euro(row.total_eur),
                    parts=row.parts,
                )
            )
        )
    if figure is not None:
        section.add(figure)
    columns = [
        Column("ministry", w["col.ministry"], "text", width=0.8),
        Column("instrument", w["col.instrument"], "text", width=1.4),
        Column("purpose", w["col.purpose"], "text", width=3.4),
        Column("period", w["col.period"], "text", width=1.0),
        Column("amount_eur", w["col.amount"], "euro", width=1.2),
        Column("basis", w["col.amount_basis"], "text", width=0.9),
        Column("status", w["col.fund_status"], "text", width=1.3),
        Column("note", w["col.note_ref"], "text", width=0.5),
        Column("interpretation", w["col.interpretation"], "text", export_only=True),
    ]
    rows: list[list] = []
    notes: list[Paragraph] = []
    lines = ctx.ours(lines, "purpose", "interpretation")
    for row in lines.itertuples(index=False):
        period = _period_text(ctx, row.period)
        basis = w[f"amount_basis.{row.amount_basis}"] if not is_missing(row.amount_eur) else ""
        reference = ""
        if row.interpretation:  # what the data file had to read into a source, said in the table's notes
            said = ctx.ours_cell(row.interpretation, row.interpretation_ours)
            notes.append(Paragraph.of(f"{len(notes) + 1}. ", Span(said.value, lang=said.lang), style="note"))
            reference = str(len(notes))
        rows.append(
            [
                row.ministry,
                row.instrument or "",
                ctx.ours_cell(row.purpose, row.purpose_ours),
                period,
                None if is_missing(row.amount_eur) else float(row.amount_eur),
                basis,
                w[f"fund_status.{row.status}"],
                reference,
                ctx.ours_cell(row.interpretation, row.interpretation_ours),
            ]
        )
    notes.append(Paragraph.of(w["funds.note"], style="note"))
    notes += ctx.ours_note(lines, "purpose", "interpretation")
    section.add(Table("middelen", w["table.funds"], columns, rows, notes=notes))
    return section


def _period_text(ctx: Context, period) -> str:
    if is_missing(period) or not str(period):
        return ctx.w["funds.no_period"]
    start, _, end = str(period).partition("-")
    return ctx.f.period(int(start), int(end or start))
