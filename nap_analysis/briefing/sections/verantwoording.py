"""The Verantwoording: how the numbers were made, with the method notes every section contributed."""

from __future__ import annotations

from ... import __version__
from ..model import BulletList, Column, Paragraph, Section, Table
from .context import Context


def verantwoording(ctx: Context, methods: list[Paragraph], date: str) -> Section:
    """How the numbers were made, in plain words with the technical terms in brackets."""
    w, f = ctx.w, ctx.f
    section = Section("verantwoording", w["heading.verantwoording"], language=ctx.language)
    section.add(
        Paragraph.of(w["method.lead"]), BulletList(methods) if methods else None, Paragraph.of(w["method.sources"])
    )
    columns = [Column("what", w["col.parameter"], "text", width=1), Column("value", w["col.value"], "text", width=2)]
    rows = [
        [w["param.report_year"], str(ctx.year)],
        [w["param.language"], w[f"language.{ctx.language}"]],
        [w["param.date"], f.date(date)],
        [w["param.data_version"], ctx.programme.data_version],
        [w["param.tool"], f"nap-analysis {__version__}"],
    ]
    section.add(Table(None, w["table.parameters"], columns, rows))
    return section
