"""Section 2, delayed and stopped activities and what changed since the previous report: the
changes chart, its figure, the section with its sub-section of changes.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MultipleLocator

from ...analysis.footing import footing
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


#: The status a kind of change names in its word, and whose report year's word it takes (the
#: previous year's for what an activity no longer is).
_NAMED = {
    "completed": ("completed", 1),
    "delayed": ("delayed", 1),
    "stopped": ("stopped", 1),
    "regressed": ("completed", 0),
}


def change_word(cw, kind: str, labels=None, previous_labels=None) -> str:
    """The word for a kind of change, in the vocabulary of the status column beside it: where the
    report year shows 'wordt invulling gegeven aan' for completed, the change says that too."""
    status, now = _NAMED.get(kind, (None, 1))
    label = ""
    if status is not None:
        source = labels if now or not previous_labels else previous_labels
        label = (source or {}).get(status) or cw[f"status.{status}"]
    return cw(f"change_word.{kind}", label=label)


def changes_chart(
    changes: pd.DataFrame, lang: str = "nl", previous=None, year=None, labels=None, previous_labels=None
) -> Figure:
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
    ticks = [change_word(cw, k, labels, previous_labels) for k in kinds]
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
        ax.set_yticks(ys, ticks)
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
    previous_labels = ctx.programme.labels(ctx.previous, ctx.language) if ctx.previous is not None else None
    fig = changes_chart(changes, lang=ctx.language, labels=ctx.labels, previous_labels=previous_labels)
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
    current = current.merge(acts[["activity_id", "title_en"]], on="activity_id", how="left")  # our gloss
    for code in ("stopped", "delayed"):
        rows = current[current["flag"] == code]
        rests_on = footing(acts[acts["activity_id"].isin(rows["activity_id"])])
        section.key_points.append(KeyPoint(RANK[code], _flag_point(ctx, code, rows, made_up), rests_on.only_made_up))
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
        if footing(shown).official:  # every row stated, none made up: no provenance column
            columns = columns[:-1]
        rows = item_rows(ctx, shown, columns)
        notes = ctx.gloss_note(shown)
        section.add(Table("vertraagd_en_stopgezet", w("table.flags", year=ctx.year), columns, rows, notes=notes))
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
        parts: list[str | Span] = [
            w(f"kp.{code}_one", line=int(row.actielijn)),
            Span("‘"),
            ctx.dutch(row.title),
            Span("’"),
        ]
        parts += [*ctx.gloss(row), Span(".")]
        if row.explanation and with_explanation:
            quote = ("‘", "’") if ctx.language != "nl" else ("", "")
            parts += [Span(" " + w["kp.explanation"] + " " + quote[0]), ctx.dutch(row.explanation), Span(quote[1])]
        if made_up:
            parts.append(Span(" " + w["kp.made_up_one"]))
        return Paragraph.of(*parts)
    sentence = w(f"kp.{code}_many", n=len(rows), ids=ctx.w.join(list(rows["activity_id"])))
    if made_up:
        if len(made_up) < len(rows):
            sentence += " " + w("kp.made_up_some", n=len(made_up), ids=ctx.w.join(made_up))
        else:
            sentence += " " + (w("kp.made_up_two") if len(rows) == 2 else w("kp.made_up_all", n=len(made_up)))
    return Paragraph.of(sentence)


def changes_subsection(ctx: Context, changes: pd.DataFrame, figure: FigureBlock | None = None) -> Section:
    """Improvements and setbacks since the previous report, counted and listed."""
    w = ctx.w
    heading = w("heading.changes", previous=ctx.previous) if ctx.previous is not None else w["heading.changes_first"]
    sub = SectionView("changes", heading, level=3, language=ctx.language)
    if ctx.previous is None:
        sub.add(Paragraph.of(w["changes.no_previous"], style="note"))
        return sub
    changed = ctx.programme.activities
    changed = changed[changed["report_year"].isin([ctx.year, ctx.previous])]
    rests_on = footing(changed[changed["activity_id"].isin(changes["activity_id"])])
    key_point = Paragraph.of(_changes_sentence(ctx, changes, key_point=True))
    sub.key_points.append(KeyPoint(RANK["changes"], key_point, rests_on.only_made_up))
    sub.add(Paragraph.of(_changes_sentence(ctx, changes)))
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
        years = ctx.programme.activities
        years = years[years["report_year"].isin([ctx.year, ctx.previous])]
        shown = years[years["activity_id"].isin(changes["activity_id"])]
        official = footing(shown).official  # every row stated, none made up: no provenance column
        if not official:
            columns.append(Column("status_basis", w["col.status_basis"], "text", width=1.1))
        basis = {
            (str(r.activity_id), int(r.report_year)): str(r.status_basis)
            for r in shown[["activity_id", "report_year", "status_basis"]].itertuples(index=False)
        }
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
            cells = [
                row.activity_id,
                int(row.actielijn),
                ctx.title_cell(row.title, origin[row.activity_id]),
                before,
                after,
                change_word(w, str(row.change), ctx.labels, previous_labels),
            ]
            if not official:
                cells.append(_basis_of_change(ctx, basis, row.activity_id))
            rows.append(cells)
        sub.add(
            Table(
                "veranderingen_sinds_vorig_jaar",
                w("table.changes", previous=ctx.previous, year=ctx.year),
                columns,
                rows,
                notes=ctx.gloss_note(shown[shown["report_year"] == ctx.year]),
            )
        )
    return sub


def _basis_of_change(ctx: Context, basis: dict, activity_id: str) -> str:
    """How the two statuses of a change are known: one word where both are known alike, else per year."""
    before, after = basis.get((activity_id, ctx.previous)), basis.get((activity_id, ctx.year))
    if before is None or after is None or before == after:
        known = after or before
        assert known is not None, "a change is in the data of at least one of its two years"
        return ctx.basis_word(known)
    return ctx.w(
        "changes.basis_two",
        previous=ctx.previous,
        year=ctx.year,
        before=ctx.basis_word(before),
        after=ctx.basis_word(after),
    )


def _changes_sentence(ctx: Context, changes: pd.DataFrame, key_point: bool = False) -> str:
    """Improvements, setbacks and decisions since the previous report, counted per kind of change, with
    the made-up activities among them. ``key_point``: without a kind of change that rests only on
    made-up activities (the section's sentence names it, with its footing)."""
    w = ctx.w
    rows = ctx.programme.activities
    rows = rows[rows["report_year"].isin([ctx.year, ctx.previous])]
    kinds = changes["change"].astype(str)
    rests_on = {
        kind: footing(rows[rows["activity_id"].isin(changes.loc[kinds == kind, "activity_id"])]) for kind in set(kinds)
    }
    left_out = {kind for kind, f in rests_on.items() if f.only_made_up} if key_point else set()
    counts = kinds[~kinds.isin(left_out)].value_counts()

    def said(group) -> list[str]:
        return [w(f"change.{k}", n=int(counts[k])) for k in group if counts.get(k)]

    good, bad, decided = said(_GOOD), said(_BAD), said(_DECIDED)
    if not len(changes):
        return w("kp.changes_none", previous=ctx.previous)
    real = "_real" if left_out else ""
    sentence = w(
        "kp.changes",
        previous=ctx.previous,
        good=w.join(good) or w[f"changes.nothing_good{real}"],
        bad=w.join(bad) or w[f"changes.nothing_bad{real}"],
    )
    if decided:
        sentence += " " + w("kp.changes_decided", decided=w.join(decided))
    kept = changes[~kinds.isin(left_out)]
    made_up = _made_up_in(ctx, kept["activity_id"])
    if made_up:
        sentence += " " + w("kp.changes_made_up", n=len(made_up), ids=w.join(made_up))
    only = [k for k in list(_GOOD) + list(_DECIDED) + list(_BAD) if k in rests_on and rests_on[k].only_made_up]
    if only and not key_point:
        parts = [w(f"change.{k}", n=len(rests_on[k].ids)) for k in only]
        ids = [i for k in only for i in rests_on[k].ids]
        sentence += " " + w("changes.only_made_up", parts=w.join(parts), ids=w.join(ids))
    return sentence


def _origins(ctx: Context) -> dict[str, str]:
    acts = ctx.programme.activities
    return dict(zip(acts["activity_id"], acts["origin"].astype(str)))


def _made_up_in(ctx: Context, ids) -> list[str]:
    origin = _origins(ctx)
    return [i for i in ids if origin.get(i) == "made_up"]
