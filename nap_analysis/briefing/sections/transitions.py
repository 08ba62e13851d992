"""Section 7, how statuses moved between two reports, and whether delays cluster in some action lines."""

from __future__ import annotations

import pandas as pd

from ..display import SectionView
from ..model import Column, Paragraph, Section, Table
from .context import Context, provenance_paragraph


def transitions_section(ctx: Context, matrix: pd.DataFrame | None, delay_test) -> Section:
    """How statuses moved between the two reports, and whether delays cluster in some action lines."""
    w = ctx.w
    section = SectionView("transitions", w["heading.transitions"], language=ctx.language)
    if matrix is None or ctx.previous is None:
        section.add(Paragraph.of(w["changes.no_previous"], style="note"))
    else:
        previous_labels = ctx.programme.labels(ctx.previous, ctx.language)
        codes = list(matrix.columns.astype(str))
        label = {c: ctx.labels.get(c, w["word.not_in_overview"]) for c in codes}
        columns = [
            Column("status_from", w("col.transition_corner", previous=ctx.previous, year=ctx.year), "text", width=1.6)
        ]
        columns += [Column(c, label[c] if c != "absent" else w["word.not_in_overview"], "integer") for c in codes]
        rows = []
        for code, counts in matrix.iterrows():
            code = str(code)
            name = (
                previous_labels.get(code, w["word.not_in_overview"]) if code != "absent" else w["word.not_in_overview"]
            )
            rows.append([name, *[int(counts[c]) for c in matrix.columns]])
        section.add(
            Paragraph.of(w("transitions.lead", previous=ctx.previous, year=ctx.year)),
            Table("statusovergangen", w("table.transitions", previous=ctx.previous, year=ctx.year), columns, rows),
        )
    sub = SectionView("delays", w["heading.delays"], level=3, language=ctx.language)
    sub.add(Paragraph.of(delay_sentence(ctx, delay_test)))
    table = delay_test.table
    columns = [
        Column("actielijn", w["col.actielijn"], "text", width=1.2),
        Column("delayed_or_stopped", w["col.delayed_or_stopped"], "integer"),
        Column("other", w["col.other"], "integer"),
        Column("n_illustrative", w["col.of_which_illustrative"], "integer", export_only=True),
    ]
    illustrative = (
        (ctx.activities["status_basis"].astype(str) == "illustrative")
        .groupby(ctx.activities["actielijn"].astype(str))
        .sum()
    )
    rows = [
        [ctx.line_word(line), int(r["delayed_or_stopped"]), int(r["other"]), int(illustrative.get(str(line), 0))]
        for line, r in table.iterrows()
    ]
    sub.add(
        Table(
            "vertraging_per_actielijn",
            w("table.delays", year=ctx.year),
            columns,
            rows,
            notes=[provenance_paragraph(ctx)],
        )
    )
    section.add(sub)
    if delay_test.tested:
        key = "method.delays_mc" if delay_test.used == "monte_carlo" else "method.delays_asymptotic"
        section.methods.append(
            Paragraph.of(
                w(
                    key,
                    min_expected=ctx.f.number(delay_test.min_expected, 1),
                    n=ctx.f.integer(delay_test.n_resamples),
                    seed=delay_test.seed,
                    p=ctx.f.p_value(delay_test.p_value),
                )
            )
        )
    return section


def delay_sentence(ctx: Context, test) -> str:
    w = ctx.w
    if not test.tested:
        return w(f"delays.untested.{test.reason}", year=test.year)
    key = "delays.uneven" if test.p_value < 0.05 else "delays.even"
    return w(key, year=test.year)
