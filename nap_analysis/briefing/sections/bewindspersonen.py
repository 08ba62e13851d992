"""Section: the activities per bewindspersoon, the footing of the nota's "Specifieke informatie voor …".

An activity concerns the bewindspersonen its ``bewindspersoon`` column names (several where it
names several); the section counts them per status, so the office sees before writing the nota
who holds what, and where the delays are.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure

from ...analysis.progress import status_shares
from ...data import vocabulary as v
from ..charts import chart_words, status_bars
from ..display import SectionView
from ..model import Column, Paragraph, Section, Table
from ..render.figure import FigureBlock, render
from .context import Context, provenance_paragraph, skipped


def bewindspersonen_table(ctx: Context) -> pd.DataFrame | None:
    """Per bewindspersoon (in the order of ``bewindspersonen.csv``) and status: n and share of the
    report year's activities that concern them. None where the data name no bewindspersoon."""
    people = ctx.programme.bewindspersonen
    acts = ctx.activities
    named = acts.assign(bewindspersoon=acts["bewindspersoon"].astype(str).str.split(";")).explode("bewindspersoon")
    named["bewindspersoon"] = named["bewindspersoon"].str.strip()
    named = named[named["bewindspersoon"] != ""]
    if people is None or named.empty:
        return None
    order = [code for code in people["code"].astype(str) if code in set(named["bewindspersoon"])]
    table = status_shares(named, "bewindspersoon", order, v.ACTIVITY_STATUSES)
    table = table[table["bewindspersoon"].astype(str) != v.TOTAL].reset_index(drop=True)
    table["bewindspersoon"] = table["bewindspersoon"].astype(str)
    return table


def bewindspersonen_chart(table: pd.DataFrame, labels: Mapping[str, str] | None, lang: str = "nl") -> Figure:
    """Stacked 100% bars of the status of the activities of each bewindspersoon."""
    w = chart_words(lang)
    order = list(dict.fromkeys(table["bewindspersoon"].astype(str)))
    return status_bars(table, "bewindspersoon", order, str, v.ACTIVITY_STATUSES, labels, lang, w["share_activities"])


def bewindspersonen_figure(ctx: Context, table: pd.DataFrame | None) -> FigureBlock | None:
    if table is None:
        return None
    totals = table.groupby("bewindspersoon", sort=False)["n"].sum()
    parts = [f"{code} {int(n)}" for code, n in totals.items()]
    alt = ctx.w("alt.bewindspersonen", year=ctx.year, parts=ctx.w.join(parts))
    fig = bewindspersonen_chart(table, ctx.labels, lang=ctx.language)
    return render(
        fig, "activiteiten_per_bewindspersoon", ctx.w("fig.bewindspersonen", year=ctx.year), alt, lang=ctx.language
    )


def bewindspersonen_section(ctx: Context, table: pd.DataFrame | None, figure: FigureBlock | None = None) -> Section:
    """The counts per bewindspersoon and status, with the figure; the nota says what they mean for each."""
    if table is None:
        return skipped(ctx, "bewindspersonen", "bewindspersonen")
    w = ctx.w
    section = SectionView("bewindspersonen", w["heading.bewindspersonen"], language=ctx.language)
    wide = table.pivot(index="bewindspersoon", columns="status", values="n").reindex(
        index=list(dict.fromkeys(table["bewindspersoon"])), columns=list(v.ACTIVITY_STATUSES), fill_value=0
    )
    section.add(Paragraph.of(w("bewindspersonen.lead", year=ctx.year, n=len(wide))))
    if figure is not None:
        section.add(figure)
    columns = [Column("bewindspersoon", w["col.bewindspersoon"], "text", width=1.2)]
    columns += [Column(code, ctx.labels[code], "integer") for code in v.ACTIVITY_STATUSES]
    columns.append(Column("n", w["col.total"], "integer"))
    rows = [[code, *(int(row[c]) for c in v.ACTIVITY_STATUSES), int(row.sum())] for code, row in wide.iterrows()]
    section.add(
        Table("activiteiten_per_bewindspersoon", w("table.bewindspersonen", year=ctx.year), columns, rows),
        provenance_paragraph(ctx),
    )
    return section
