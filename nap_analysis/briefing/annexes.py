"""Bijlage 1 and 2 of the progress report: every activity, every motion and commitment.

The annexes are what the yearly report ships besides the letter: Bijlage 1 "Overzicht voortgang
activiteiten" lists every activity of the report year per action line, Bijlage 2 every motion
and commitment, each row with its status icon, the status word of that year, the explanation
and how the status is known. They are built from the checked data of the run (not from a
notebook: nothing in them is computed, they are the data as the reader sees it) into the same
section model as the briefing, so HTML, PDF and Word show the same rows.
"""

from __future__ import annotations

import pandas as pd

from ..data import vocabulary as v
from .assemble import meta_rows
from .model import BulletList, Column, Document, Paragraph, Section, Table
from .sections.context import (
    Context,
    item_rows,
    provenance_counts,
    provenance_sentence,
    relabel_note,
    today_or,
)

#: File stems of the annexes, in the order a run writes them.
ACTIVITIES_STEM = "bijlage-1-activiteiten"
MOTIONS_STEM = "bijlage-2-moties-en-toezeggingen"


def stems(ctx: Context) -> list[str]:
    """The annexes this report year has (Bijlage 2 only where the data have motions)."""
    return [ACTIVITIES_STEM] + ([MOTIONS_STEM] if ctx.programme.motions is not None else [])


def documents(ctx: Context) -> list[tuple[str, Document]]:
    """Bijlage 1 and (where the data have motions) Bijlage 2 of the report year: (file stem, document)."""
    built = {ACTIVITIES_STEM: activities_annex, MOTIONS_STEM: motions_annex}
    return [(stem, built[stem](ctx)) for stem in stems(ctx)]


# --------------------------------------------------------------------------- shared parts


def _warning(ctx: Context, table: str) -> Paragraph | None:
    """The title box: how the statuses of this annex are known, said once, before any row."""
    w = ctx.w
    c = provenance_counts(ctx, table)
    if not (c["inferred"] or c["illustrative"] or c["made_up"]):
        return None
    text = w["warn.head"] + " " + provenance_sentence(ctx, "warn", table)
    if c["made_up"]:
        text += " " + w("warn.made_up" if table == "activities" else "warn.made_up_motions", n=c["made_up"])
    return Paragraph.of(text, style="warning")


def _guide(ctx: Context, lead: str, statuses: tuple[str, ...], legend_kind: str, table: str) -> Section:
    """The reading guide: what the annex holds, the legend with this year's words, the provenance words."""
    w = ctx.w
    section = Section("guide", w["heading.guide"], language=ctx.language)
    section.add(Paragraph.of(lead), Paragraph.of(w("annex.legend_lead", year=ctx.year)))
    relabelled = ctx.relabelled()
    rows = []
    for code in statuses:
        meaning = w[f"legend.{legend_kind}.{code}"]
        if code in relabelled:
            meaning = w("annex.legend_means", meaning=w[f"status.{code}"]) + " " + meaning
        rows.append([ctx.status_cell(code), meaning])
    columns = [
        Column("status", w("col.status_in", year=ctx.year), "status", width=1.3),
        Column("meaning", w["col.meaning"], "text", width=3.7),
    ]
    section.add(Table(None, w("table.legend", year=ctx.year), columns, rows))
    section.add(relabel_note(ctx))
    if _official(ctx, table):  # a real annex for the Kamer: no provenance words, column or box
        return section
    basis = [Paragraph.of(w(f"annex.basis.{b}", word=ctx.basis_word(b))) for b in v.STATUS_BASES]
    section.add(Paragraph.of(w("annex.basis_lead", column=w["col.status_basis"])), BulletList(basis))
    if provenance_counts(ctx, table)["made_up"]:
        section.add(Paragraph.of(w("annex.made_up", badge=w["badge.made_up"])))
    return section


def _official(ctx: Context, table: str) -> bool:
    """Every row of the year stated and none made up: the annex is what the Kamer receives, as it is."""
    return _warning(ctx, table) is None


def _frame(ctx: Context, kind: str, title: str, footer: str, sections: list[Section], table: str) -> Document:
    w = ctx.w
    date = today_or(ctx.date)
    return Document(
        kind=kind,
        language=ctx.language,
        title=title,
        subtitle=w("doc.annex.subtitle", year=ctx.year),
        sections=sections,
        meta=meta_rows(ctx, date, ctx.programme.data_version),
        warning=_warning(ctx, table),
        kicker=w["doc.kicker"],
        footer=footer,
        date=date,
        keywords=[w["doc.keyword"], w["doc.annex.keyword"], str(ctx.year)],
    )


def _part(ctx: Context, key: str, heading: str, rows: pd.DataFrame, columns: list[Column], caption: str, empty: str):
    """One part of an annex (an action line, a kind): its table, or a note that the year has no rows for it."""
    section = Section(key, heading, language=ctx.language)
    if rows.empty:
        section.add(Paragraph.of(empty, style="note"))
    else:
        id_column = "activity_id" if "activity_id" in rows else "item_id"
        notes = ctx.gloss_note(rows, id_column)
        section.add(Table(None, caption, columns, item_rows(ctx, rows, columns), notes=notes))
    return section


# --------------------------------------------------------------------------- Bijlage 1


def activities_annex(ctx: Context) -> Document:
    """Bijlage 1: every activity of the report year, one section and one table per action line."""
    w = ctx.w
    acts = ctx.activities
    guide = _guide(ctx, w("annex1.lead", year=ctx.year, n=len(acts)), v.ACTIVITY_STATUSES, "activity", "activities")
    titles = ctx.programme.actielijn_titles(ctx.language)
    line_of = acts["actielijn"].astype("Int64")
    columns = _activity_columns(ctx, _official(ctx, "activities"))
    parts = [
        _part(
            ctx,
            f"actielijn-{line}",
            w("annex1.line_heading", n=line, title=titles[line]),
            acts[line_of == line],
            columns,
            w("annex1.caption", n=line, year=ctx.year),
            w("annex1.no_activities", year=ctx.year),
        )
        for line in sorted(titles)
    ]
    return _frame(ctx, "bijlage-1", w["doc.annex1.title"], w["doc.annex1.footer"], [guide, *parts], "activities")


def _activity_columns(ctx: Context, official: bool = False) -> list[Column]:
    w = ctx.w
    # widths: 'G001', 'Eigenaar', the icon with 'uitvoering' and 'illustratief' fit on one line at 8 pt
    columns = [
        Column("activity_id", w["col.nr"], "text", width=0.7),
        Column("title", w["col.activity"], "text", width=2.5),
        Column("owner", w["col.owner"], "text", width=1.05),
        Column("status", w("col.status_in", year=ctx.year), "status", width=1.35),
        Column("explanation", w["col.explanation"], "text", width=3.35 + (1.15 if official else 0)),
    ]
    return columns if official else [*columns, Column("status_basis", w["col.status_basis"], "text", width=1.15)]


# --------------------------------------------------------------------------- Bijlage 2


def motions_annex(ctx: Context) -> Document:
    """Bijlage 2: every motion and commitment of the report year, motions first, then commitments."""
    w = ctx.w
    motions = ctx.motions
    assert motions is not None, "Bijlage 2 is made only where the data have motions (stems)"
    guide = _guide(ctx, w("annex2.lead", year=ctx.year, n=len(motions)), v.MOTION_STATUSES, "motion", "motions")
    kinds = motions["kind"].astype(str)
    columns = _motion_columns(ctx, _official(ctx, "motions"))
    parts = [
        _part(
            ctx,
            kind,
            w[f"kind_plural.{kind}"],
            motions[kinds == kind],
            columns,
            w(f"annex2.caption.{kind}", year=ctx.year),
            w(f"annex2.none.{kind}", year=ctx.year),
        )
        for kind in v.MOTION_KINDS
    ]
    return _frame(ctx, "bijlage-2", w["doc.annex2.title"], w["doc.annex2.footer"], [guide, *parts], "motions")


def _motion_columns(ctx: Context, official: bool = False) -> list[Column]:
    w = ctx.w
    # member and party share a column, so that 'commitment', 'N001', '(GroenLinks)', 'vastgesteld' and
    # the icon with 'alternatieve' each fit on one line at 8 pt
    columns = [
        Column("item_id", w["col.nr"], "text", width=0.75),
        Column("kind", w["col.kind"], "text", width=1.4),
        Column("title", w["col.motion"], "text", width=2.2),
        Column("member", w["col.member_party"], "text", width=1.5),
        Column("status", w("col.status_in", year=ctx.year), "status", width=1.7),
        Column("explanation", w["col.explanation"], "text", width=2.55 + (1.45 if official else 0)),
    ]
    return columns if official else [*columns, Column("status_basis", w["col.status_basis"], "text", width=1.45)]
