"""Section 1, progress per action line: the stacked-bar chart, its figure, the section and its table."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure

from ...analysis.footing import footing, without_made_up
from ...data import vocabulary as v
from ...data.vocabulary import ACTIVITY_STATUSES, TOTAL
from ..charts import (
    add_footnote,
    chart_words,
    ordered_rows,
    require_columns,
    status_bars,
)
from ..display import SectionView
from ..model import Column, KeyPoint, Paragraph, Section, Table
from ..model import Figure as FigureBlock
from ..render.figure import render
from .context import (
    RANK,
    Context,
    footing_note,
    provenance_paragraph,
    relabel_advice,
    relabel_note,
    status_counts_sentence,
)


def progress_chart(
    progress: pd.DataFrame,
    labels: Mapping[str, str] | None,
    lang: str = "nl",
    titles: Mapping | None = None,
) -> Figure:
    """Stacked 100% bars of activity status per action line, plus the programme total.

    ``progress``: actielijn ('1'..'5', 'total'), status (ACTIVITY_STATUSES), n, share (sums to
    1 per action line) and optionally report_year; with two (or more) report years each action
    line gets one thin bar per year, older above newer, labelled with the year at the right.
    ``labels``: status code -> display word of the report year (legend text).
    ``titles``: optional action line -> short title, shown under the tick label.
    Segment patches carry gid ``seg-<actielijn>-<status>[-<year>]``.
    """
    w = chart_words(lang)
    require_columns(progress, ("actielijn", "status"), "progress")
    titles = {str(key): value for key, value in (titles or {}).items()}

    def row_label(row: str) -> str:
        if row == TOTAL:
            return w["total"]
        text = w["action_line"].format(n=row)
        title = titles.get(row)
        if title:
            text += "\n" + textwrap.fill(str(title), width=30)
        return text

    order = ordered_rows(progress["actielijn"])
    return status_bars(progress, "actielijn", order, row_label, ACTIVITY_STATUSES, labels, lang, w["share_activities"])


def progress_figure(ctx: Context, compare: pd.DataFrame) -> FigureBlock:
    current = compare[compare["report_year"] == ctx.year]
    lines = current[(current["status"] == "completed") & (current["actielijn"].astype(str) != v.TOTAL)]
    parts = [
        ctx.w("alt.progress_line", line=line, share=ctx.f.percent(share))
        for line, share in zip(lines["actielijn"].astype(str), lines["share"])
    ]
    total = current[(current["actielijn"].astype(str) == v.TOTAL)]
    shares = dict(zip(total["status"].astype(str), total["share"]))
    totals = [
        ctx.w("alt.progress_status", label=ctx.labels[code], share=ctx.f.percent(shares[code]))
        for code in v.ACTIVITY_STATUSES
        if shares.get(code, 0) > 0
    ]
    shown_previous = ctx.previous is not None and bool((compare["report_year"] == ctx.previous).any())
    alt = ctx.w(
        "alt.progress",
        year=ctx.year,
        label=ctx.labels["completed"],
        parts=ctx.w.join(parts),
        totals=ctx.w.join(totals),
        previous=ctx.w("alt.progress_previous", previous=ctx.previous) if shown_previous else "",
    )
    fig = progress_chart(compare, ctx.labels, lang=ctx.language)
    add_footnote(fig, provenance_paragraph(ctx).text)
    # no 'against the previous report year' where there is none to show
    caption = ctx.w("fig.progress" if shown_previous else "fig.progress_one", year=ctx.year)
    return render(fig, "voortgang_per_actielijn", caption, alt, lang=ctx.language)


def progress_section(
    ctx: Context,
    current: pd.DataFrame,
    compare: pd.DataFrame,
    judgement: pd.DataFrame,
    figure: FigureBlock | None = None,
) -> Section:
    """Progress per action line: counts and shares, the on-course judgement, the chart, the table."""
    w, f = ctx.w, ctx.f
    section = SectionView("progress", w["heading.progress"], language=ctx.language)
    total = current[current["actielijn"].astype(str) == v.TOTAL]
    counts = dict(zip(total["status"].astype(str), total["n"].astype(int)))
    n = sum(counts.values())
    sentence = w("kp.total", year=ctx.year, n=n, parts=status_counts_sentence(ctx, counts, v.ACTIVITY_STATUSES))
    section.key_points.append(KeyPoint(RANK["total"], Paragraph.of(sentence)))
    course = on_course_sentence(ctx, judgement, key_point=True)
    if course:
        section.key_points.append(KeyPoint(RANK["on_course"], Paragraph.of(course)))
    verdicts = on_course_sentence(ctx, judgement)  # None only without a judged line (Paragraph.of would say 'None')
    section.add(Paragraph.of(sentence), Paragraph.of(verdicts) if verdicts else None, relabel_note(ctx))
    advice = relabel_advice(ctx)  # the one open decision the memo of 13 March 2025 put to the minister
    if advice:
        section.key_points.append(KeyPoint(RANK["relabel"], Paragraph.of(advice)))
        section.add(Paragraph.of(advice))
    if figure is not None:
        section.add(figure)
    section.add(progress_table(ctx, current, compare), provenance_paragraph(ctx))
    section.methods.append(Paragraph.of(w("method.on_course", pct=f.percent(judgement.attrs["max_delayed_share"]))))
    return section


def on_course_sentence(ctx: Context, judgement: pd.DataFrame, key_point: bool = False) -> str | None:
    """Every action line judged and named; the lines not on course with the figures that decide it and
    what those rest on. ``key_point``: the sentence for the Kernpunten, without a verdict that rests
    only on made-up activities (the section's sentence says that verdict with its footing, and what
    the line is without them). None when no verdict is left."""
    w, f = ctx.w, ctx.f
    yardstick = f.percent(judgement.attrs["max_delayed_share"])
    judged = judgement["on_course"]
    ok = judgement.loc[judged.fillna(False).astype(bool), "actielijn"].astype(str).tolist()
    nothing = judgement.loc[judged.isna(), "actielijn"].astype(str).tolist()
    not_ok = judgement[~judged.fillna(True).astype(bool)]
    parts = []
    if ok:
        parts.append(w("kp.on_course_ok", lines=_lines(ctx, ok)))
    for row in not_ok.itertuples(index=False):
        delayed = _delayed_rows(ctx, row.actielijn)
        rests_on = footing(delayed)
        if key_point and rests_on.only_made_up:
            continue
        key = "kp.on_course_not" if row.delayed == 1 else "kp.on_course_not_many"
        if rests_on.only_made_up:
            key = "kp.on_course_made_up" if row.delayed == 1 else "kp.on_course_made_up_many"
        part = w(
            key,
            line=row.actielijn,
            delayed=row.delayed,
            running=row.running,
            share=f.percent(row.delayed_share),
            ids=w.join(list(rests_on.made_up)),
        )
        if rests_on.only_made_up:
            part += "; " + _without_made_up(ctx, row.actielijn, judgement.attrs["max_delayed_share"])
        else:
            part += footing_note(ctx, rests_on)
        parts.append(part)
    if nothing:
        parts.append(w("kp.on_course_nothing", lines=_lines(ctx, nothing)))
    if not parts:
        return None
    text = w("kp.on_course", parts="; ".join(parts), yardstick=yardstick)
    return text[:1].upper() + text[1:]


def _delayed_rows(ctx: Context, line) -> pd.DataFrame:
    """The delayed activities of an action line: the rows a 'not on course' verdict rests on."""
    acts = ctx.activities
    return acts[(acts["actielijn"].astype(str) == str(line)) & (acts["status"].astype(str) == "delayed")]


def _without_made_up(ctx: Context, line, yardstick: float) -> str:
    """The line judged on its real activities only: 'zonder fictieve activiteiten is 0 van de 1 …'."""
    acts = without_made_up(ctx.activities)
    acts = acts[acts["actielijn"].astype(str) == str(line)]
    status = acts["status"].astype(str)
    running = int((~status.isin(["completed", "stopped"])).sum())
    delayed = int((status == "delayed").sum())
    if not running:
        return ctx.w("kp.on_course_real_nothing", line=line)
    share = delayed / running
    key = "kp.on_course_real_ok" if share < yardstick else "kp.on_course_real_not"
    return ctx.w(
        key + ("_one" if running == 1 else ""),
        line=line,
        delayed=delayed,
        running=running,
        share=ctx.f.percent(share),
    )


def _lines(ctx: Context, lines: list[str]) -> str:
    if len(lines) == 1:
        return ctx.w("word.actielijn_n", n=lines[0])
    ints = sorted(int(x) for x in lines)
    if len(ints) > 2 and ints == list(range(ints[0], ints[-1] + 1)):
        return ctx.w("word.actielijnen_range", first=ints[0], last=ints[-1])
    return ctx.w("word.actielijnen_list", lines=ctx.w.join([str(x) for x in ints]))


def progress_table(ctx: Context, current: pd.DataFrame, compare: pd.DataFrame) -> Table:
    """One row per action line: counts per status this year, total, share completed now and last year,
    and how many of the statuses are illustrative."""
    w = ctx.w
    labels = ctx.labels
    columns = [Column("actielijn", w["col.actielijn"], "text", width=1.3)]
    columns += [Column(code, labels[code], "integer") for code in v.ACTIVITY_STATUSES]
    columns += [
        Column("n", w["col.total"], "integer"),
        Column("share_completed", w("col.share_completed", year=ctx.year), "share"),
    ]
    if ctx.previous is not None:
        columns.append(Column("share_completed_previous", w("col.share_completed", year=ctx.previous), "share"))
    columns.append(Column("n_illustrative", w["col.of_which_illustrative"], "integer"))
    acts = ctx.activities
    rows = []
    for line in [str(c) for c in current["actielijn"].cat.categories]:
        part = current[current["actielijn"].astype(str) == line]
        counts = dict(zip(part["status"].astype(str), part["n"].astype(int)))
        n = sum(counts.values())
        if not n and line != v.TOTAL:
            continue
        share = float(part.loc[part["status"] == "completed", "share"].sum())
        row = [ctx.line_word(line), *[counts.get(code, 0) for code in v.ACTIVITY_STATUSES], n, share]
        if ctx.previous is not None:
            before = compare[(compare["report_year"] == ctx.previous) & (compare["actielijn"].astype(str) == line)]
            row.append(float(before.loc[before["status"] == "completed", "share"].sum()) if before["n"].sum() else None)
        in_line = acts if line == v.TOTAL else acts[acts["actielijn"].astype(str) == line]
        row.append(int((in_line["status_basis"].astype(str) == "illustrative").sum()))
        rows.append(row)
    return Table("voortgang_per_actielijn", w("table.progress", year=ctx.year), columns, rows)
