"""Section 2, delayed and stopped activities and what changed since the previous report: the
changes chart, its figure, the section with its sub-section of changes.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MultipleLocator

from ...words import words
from ..charts import (
    STATUS_COLOURS,
    STATUS_HATCHES,
    add_footnote,
    bar,
    bar_label,
    bottom_legend,
    chart_words,
    finish,
    house_style,
    new_figure,
)
from ..display import SectionView
from ..model import Cell, Column, KeyPoint, Paragraph, Section, Span, Table
from ..model import Figure as FigureBlock
from ..render.figure import render
from .context import RANK, Context, internal_notes, item_rows, provenance_paragraph

#: Kinds of change that are good news (drawn in the colour of 'completed'), decisions (stopping an
#: activity is the cabinet's choice, not a setback: the colour of 'stopped') and setbacks (the
#: colour of 'delayed'), each group hatched as its status is.
_GOOD = ("completed", "started", "recovered", "appeared")
_DECIDED = ("stopped",)
_BAD = ("delayed", "regressed", "dropped")
_LOOK = {"good": "completed", "decided": "stopped", "bad": "delayed"}


def _group(kind: str) -> str:
    return "good" if kind in _GOOD else "decided" if kind in _DECIDED else "bad"


def changes_chart(changes: pd.DataFrame, lang: str = "nl", previous=None, year=None) -> Figure:
    """How many activities changed status since the previous report, per kind of change.

    ``changes``: :func:`nap_analysis.analysis.progress.status_changes`. Good news (completed,
    started, back on schedule, new) above, setbacks (newly delayed, stopped, no longer
    completed, gone) below, each bar labelled with its count; kinds without a change are shown
    at 0, so the chart has the same rows every year.
    """
    w = chart_words(lang)
    cw = words(lang)
    counts = changes["change"].astype(str).value_counts() if len(changes) else pd.Series(dtype="int64")
    kinds = list(_GOOD) + list(_DECIDED) + list(_BAD)
    values = [int(counts.get(k, 0)) for k in kinds]
    labels = [cw[f"change_word.{k}"] for k in kinds]
    gap = {"good": 0, "decided": 0.5, "bad": 1.0}
    with house_style():
        fig = new_figure(3.1)
        ax = fig.add_subplot()
        ys = [i + gap[_group(k)] for i, k in enumerate(kinds)]
        top = max(values + [1])
        for y, kind, value in zip(ys, kinds, values):
            look = _LOOK[_group(kind)]
            bar(ax, y, value, STATUS_COLOURS[look], height=0.62, gid=f"change-{kind}", hatch=STATUS_HATCHES.get(look))
            bar_label(ax, value + top * 0.02, y, str(value), boxed=True)
        ax.set_yticks(ys, labels)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.grid(False, axis="y")
        ax.grid(True, axis="x")
        ax.invert_yaxis()
        ax.set_xlim(0, top * 1.15 + 0.5)
        ax.xaxis.set_major_locator(MultipleLocator(1 if top <= 10 else 5))
        ax.set_xlabel(w["activities_count"])
        handles = [
            Patch(facecolor=STATUS_COLOURS[look], hatch=STATUS_HATCHES.get(look), hatchcolor="#FFFFFF")
            for look in _LOOK.values()
        ]
        bottom_legend(fig, handles, [w["good_news"], w["decisions"], w["setbacks"]])
    return finish(fig)


def changes_figure(ctx: Context, changes: pd.DataFrame) -> FigureBlock:
    counts = changes["change"].astype(str).value_counts() if len(changes) else pd.Series(dtype="int64")
    parts = [ctx.w(f"change.{k}", n=int(n)) for k, n in counts.items() if k != "other" and n]
    alt = ctx.w("alt.changes", previous=ctx.previous or "", year=ctx.year, parts=ctx.w.join(parts) or "-")
    fig = changes_chart(changes, lang=ctx.language)
    add_footnote(fig, provenance_paragraph(ctx).text)
    return render(
        fig,
        "veranderingen_sinds_vorig_jaar",
        ctx.w("fig.changes", previous=ctx.previous or "", year=ctx.year),
        alt,
        lang=ctx.language,
    )


def flags_section(
    ctx: Context, flags: pd.DataFrame, changes: pd.DataFrame, figure: FigureBlock | None = None
) -> Section:
    """Delayed and stopped activities with their explanation, and what changed since the last report."""
    w = ctx.w
    section = SectionView("flags", w["heading.flags"], language=ctx.language)
    acts = ctx.activities
    made_up = set(acts.loc[acts["origin"] == "made_up", "activity_id"])
    current = flags[flags["flag"].isin(["stopped", "delayed"])].drop_duplicates("activity_id")
    for code in ("stopped", "delayed"):
        rows = current[current["flag"] == code]
        section.key_points.append(KeyPoint(RANK[code], _flag_point(ctx, code, rows, made_up)))
        # in the section the table below gives the explanations: the sentence without them
        section.add(_flag_point(ctx, code, rows, made_up, with_explanation=False))
    if len(current):
        columns = [
            Column("activity_id", w["col.nr"], "text", width=0.5),
            Column("actielijn", w["col.actielijn_short"], "integer", width=0.6),
            Column("title", w["col.activity"], "text", width=3),
            Column("owner", w["col.owner"], "text", width=0.8),
            Column("status", w["col.status"], "status", width=1.1),
            Column("explanation", w["col.explanation"], "text", width=4),
            Column("status_basis", w["col.status_basis"], "text", width=0.9),
        ]
        shown = current.sort_values(["flag", "actielijn", "activity_id"], key=_flag_order).merge(
            acts[["activity_id", "owner", "status_basis", "origin"]], on="activity_id", how="left"
        )
        rows = item_rows(ctx, shown, columns)
        section.add(Table("vertraagd_en_stopgezet", w("table.flags", year=ctx.year), columns, rows))
    section.add(*internal_notes(ctx, "activities"))
    section.add(changes_subsection(ctx, changes, figure), provenance_paragraph(ctx))
    return section


def _flag_order(series: pd.Series) -> pd.Series:
    if series.name == "flag":
        return series.astype(str).map({"stopped": 0, "delayed": 1}).fillna(2)
    return series


def _flag_point(
    ctx: Context, code: str, rows: pd.DataFrame, made_up_ids: set[str], with_explanation: bool = True
) -> Paragraph:
    """'One activity is stopped: ...' with its explanation; made-up activities said so in the sentence."""
    w = ctx.w
    if rows.empty:
        return Paragraph.of(w(f"kp.no_{code}", year=ctx.year))
    made_up = [i for i in rows["activity_id"] if i in made_up_ids]
    if len(rows) == 1:
        row = next(rows.itertuples(index=False))
        parts = [w(f"kp.{code}_one", line=int(row.actielijn)), Span("‘"), ctx.dutch(row.title), Span("’.")]
        if row.explanation and with_explanation:
            quote = ("‘", "’") if ctx.language != "nl" else ("", "")
            parts += [Span(" " + w["kp.explanation"] + " " + quote[0]), ctx.dutch(row.explanation), Span(quote[1])]
        if made_up:
            parts.append(Span(" " + w["kp.made_up_one"]))
        return Paragraph.of(*parts)
    parts = [w(f"kp.{code}_many", n=len(rows), ids=ctx.w.join(list(rows["activity_id"])))]
    if made_up:
        if len(made_up) < len(rows):
            parts.append(" " + w("kp.made_up_some", n=len(made_up), ids=ctx.w.join(made_up)))
        else:
            parts.append(" " + (w("kp.made_up_two") if len(rows) == 2 else w("kp.made_up_all", n=len(made_up))))
    return Paragraph.of("".join(parts))


def changes_subsection(ctx: Context, changes: pd.DataFrame, figure: FigureBlock | None = None) -> Section:
    """Improvements and setbacks since the previous report, counted and listed."""
    w = ctx.w
    heading = w("heading.changes", previous=ctx.previous) if ctx.previous is not None else w["heading.changes_first"]
    sub = SectionView("changes", heading, level=3, language=ctx.language)
    if ctx.previous is None:
        sub.add(Paragraph.of(w["changes.no_previous"], style="note"))
        return sub
    counts = changes["change"].astype(str).value_counts()
    good = [w(f"change.{k}", n=int(counts[k])) for k in _GOOD if counts.get(k)]
    bad = [w(f"change.{k}", n=int(counts[k])) for k in _BAD if counts.get(k)]
    decided = [w(f"change.{k}", n=int(counts[k])) for k in _DECIDED if counts.get(k)]
    if not good and not bad and not decided:
        sentence = w("kp.changes_none", previous=ctx.previous)
    else:
        sentence = w(
            "kp.changes",
            previous=ctx.previous,
            good=ctx.w.join(good) or w["changes.nothing_good"],
            bad=ctx.w.join(bad) or w["changes.nothing_bad"],
        )
        if decided:
            sentence += " " + w("kp.changes_decided", decided=ctx.w.join(decided))
    made_up = _made_up_in(ctx, changes["activity_id"])
    if made_up:
        sentence += " " + w("kp.changes_made_up", n=len(made_up), ids=ctx.w.join(made_up))
    sub.key_points.append(KeyPoint(RANK["changes"], Paragraph.of(sentence)))
    sub.add(Paragraph.of(sentence))
    if figure is not None:
        sub.add(figure)
    if len(changes):
        columns = [
            Column("activity_id", w["col.nr"], "text", width=0.5),
            Column("actielijn", w["col.actielijn_short"], "integer", width=0.6),
            Column("title", w["col.activity"], "text", width=3.2),
            Column("status_from", w("col.status_in", year=ctx.previous), "status", width=1.2),
            Column("status_to", w("col.status_in", year=ctx.year), "status", width=1.2),
            Column("change", w["col.change"], "text", width=1.1),
        ]
        origin = _origins(ctx)
        previous_labels = ctx.programme.labels(ctx.previous, ctx.language)
        rows = []
        for row in changes.itertuples(index=False):
            before = (
                Cell(previous_labels.get(row.status_from, row.status_from), icon=row.status_from)
                if isinstance(row.status_from, str)
                else Cell("", text=w["word.not_in_overview"])
            )
            after = (
                ctx.status_cell(row.status_to)
                if isinstance(row.status_to, str)
                else Cell("", text=w["word.not_in_overview"])
            )
            rows.append(
                [
                    row.activity_id,
                    int(row.actielijn),
                    ctx.title_cell(row.title, origin[row.activity_id]),
                    before,
                    after,
                    w[f"change_word.{row.change}"],
                ]
            )
        sub.add(
            Table(
                "veranderingen_sinds_vorig_jaar",
                w("table.changes", previous=ctx.previous, year=ctx.year),
                columns,
                rows,
            )
        )
    return sub


def _origins(ctx: Context) -> dict[str, str]:
    acts = ctx.programme.activities
    return dict(zip(acts["activity_id"], acts["origin"].astype(str)))


def _made_up_in(ctx: Context, ids) -> list[str]:
    origin = _origins(ctx)
    return [i for i in ids if origin.get(i) == "made_up"]
