"""Section 3, motions and commitments: counts per status, the chart, its figure; the list is Bijlage 2."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure

from ...data import vocabulary as v
from ...data.vocabulary import MOTION_STATUSES, TOTAL
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
from .context import RANK, Context, internal_notes, provenance_paragraph, relabel_note, skipped, status_counts_sentence


def motions_chart(motions_progress: pd.DataFrame, labels: Mapping[str, str] | None, lang: str = "nl") -> Figure:
    """Stacked 100% bars of the status of motions, commitments and both together.

    ``motions_progress``: kind ('motie', 'toezegging', 'total'), status (MOTION_STATUSES), n, share
    (optionally report_year, drawn as for :func:`progress_chart`).
    """
    w = chart_words(lang)
    require_columns(motions_progress, ("kind", "status"), "motions_progress")

    def row_label(row: str) -> str:
        return w.get(row, row) if row in ("motie", "toezegging", TOTAL) else row

    order = ordered_rows(motions_progress["kind"], preferred=("motie", "toezegging"))
    return status_bars(motions_progress, "kind", order, row_label, MOTION_STATUSES, labels, lang, w["share_motions"])


def motions_figure(ctx: Context, table: pd.DataFrame | None) -> FigureBlock | None:
    if table is None:
        return None
    total = table[table["kind"].astype(str) == v.TOTAL]
    parts = [f"{int(n)} {ctx.labels[code]}" for code, n in zip(total["status"].astype(str), total["n"]) if n]
    alt = ctx.w("alt.motions", year=ctx.year, n=int(total["n"].sum()), parts=ctx.w.join(parts))
    fig = motions_chart(table, ctx.labels, lang=ctx.language)
    add_footnote(fig, provenance_paragraph(ctx, "motions").text)
    return render(fig, "moties_en_toezeggingen", ctx.w("fig.motions", year=ctx.year), alt, lang=ctx.language)


def motions_section(ctx: Context, table: pd.DataFrame | None, figure: FigureBlock | None = None) -> Section:
    """Motions and commitments: counts per status, the chart, a count table; the list is Bijlage 2."""
    if table is None:
        return skipped(ctx, "motions", "motions")
    w = ctx.w
    section = SectionView("motions", w["heading.motions"], language=ctx.language)
    total = table[table["kind"].astype(str) == v.TOTAL]
    counts = dict(zip(total["status"].astype(str), total["n"].astype(int)))
    n = sum(counts.values())
    sentence = w("kp.motions", n=n, year=ctx.year, parts=status_counts_sentence(ctx, counts, v.MOTION_STATUSES))
    section.key_points.append(KeyPoint(RANK["motions"], Paragraph.of(sentence)))
    section.add(Paragraph.of(sentence, " ", w["motions.see_annex"]), relabel_note(ctx))
    if figure is not None:
        section.add(figure)
    columns = [Column("kind", w["col.kind"], "text", width=1.4)]
    columns += [Column(code, ctx.labels[code], "integer") for code in v.MOTION_STATUSES if counts.get(code)]
    columns.append(Column("n", w["col.total"], "integer"))
    rows = []
    for kind in list(v.MOTION_KINDS) + [v.TOTAL]:
        part = table[table["kind"].astype(str) == kind]
        by = dict(zip(part["status"].astype(str), part["n"].astype(int)))
        rows.append([w[f"kind_plural.{kind}"], *[by.get(c.key, 0) for c in columns[1:-1]], sum(by.values())])
    section.add(
        Table("moties_en_toezeggingen", w("table.motions", year=ctx.year), columns, rows),
        provenance_paragraph(ctx, "motions"),
        *internal_notes(ctx, "motions"),
    )
    return section
