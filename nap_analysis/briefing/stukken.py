"""What the nota and the Kamerbrief share: the report's number, the counts and the verdicts in
running text, the bewindspersonen and the list of annexes, each from the data of the report year.

The two letters around the annexes are written every year from the same figures; here those figures
become sentences once, so the nota (internal) and the Kamerbrief (public) cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..analysis.judgement import on_course
from ..analysis.progress import progress, status_changes
from ..data import vocabulary as v
from .annexes import ACTIVITIES_STEM, MOTIONS_STEM, stems
from .model import Paragraph, Span
from .sections.context import Context, status_counts_sentence, text_of
from .sections.progress import on_course_sentence


@dataclass(frozen=True)
class Bewindspersoon:
    code: str
    title: str
    ministry: str
    role: str
    addressed: bool


def bewindspersonen(ctx: Context) -> list[Bewindspersoon]:
    """The bewindspersonen of the data in their order (none where the data have no such table)."""
    table = ctx.programme.bewindspersonen
    if table is None:
        return []
    title = "title_nl" if ctx.language == "nl" else "title_en"
    return [
        Bewindspersoon(str(r.code), str(getattr(r, title)), str(r.ministry), str(r.role), str(r.nota) == "yes")
        for r in table.itertuples(index=False)
    ]


def concerns(ctx: Context, code: str) -> pd.DataFrame:
    """The activities of the report year that concern a bewindspersoon (``bewindspersoon`` names them)."""
    acts = ctx.activities
    named = acts["bewindspersoon"].astype(str).str.split(";")
    return acts[named.map(lambda parts: code in [p.strip() for p in parts])]


def ordinal(ctx: Context, year: int | None = None) -> str:
    """'tweede' for the second report in the data ('eerste' ... ; a number past the tenth)."""
    number = ctx.programme.report_years.index(year or ctx.year) + 1
    return ctx.w.get(f"ordinal.{number}") or f"{number}e"


def status_counts(ctx: Context, rows: pd.DataFrame, statuses=v.ACTIVITY_STATUSES) -> str:
    counts = rows["status"].astype(str).value_counts().to_dict()
    return status_counts_sentence(ctx, counts, statuses)


def progress_sentence(ctx: Context) -> str:
    """'Van de 28 activiteiten zijn er 6 afgerond, 19 in uitvoering, ...'."""
    acts = ctx.activities
    return ctx.w("stukken.progress", n=len(acts), counts=status_counts(ctx, acts))


def course_sentence(ctx: Context, key_point: bool = False) -> str:
    """The verdict per action line with its yardstick (the same sentence as the briefing's; as a key
    point without a verdict that rests only on made-up activities)."""
    judgement = on_course(
        progress(ctx.programme.activities, ctx.year), ctx.programme.setting("on_course_max_delayed_share")
    )
    return on_course_sentence(ctx, judgement, key_point=key_point) or ""


def motions_sentence(ctx: Context) -> str | None:
    motions = ctx.motions
    if motions is None or motions.empty:
        return None
    return ctx.w("stukken.motions", n=len(motions), counts=status_counts(ctx, motions, v.MOTION_STATUSES))


def stopped(ctx: Context) -> pd.DataFrame:
    return ctx.activities[ctx.activities["status"].astype(str) == "stopped"]


def changes(ctx: Context, rows: pd.DataFrame) -> pd.DataFrame:
    """The status changes since the previous report among ``rows``."""
    found = status_changes(ctx.programme.activities, ctx.year, ctx.previous)
    return found[found["activity_id"].isin(rows["activity_id"])]


def title_span(ctx: Context, row) -> list[Span]:
    """An activity's title as running text: in Dutch, with the made-up badge where it is made up."""
    spans = [ctx.dutch(text_of(row.title)), *ctx.gloss(row)]
    if str(row.origin) == "made_up":
        spans.append(Span(f" ({ctx.w['badge.made_up']})", strong=True))
    return spans


def activity_line(ctx: Context, row, with_explanation: bool = True) -> Paragraph:
    """'Studentenpact … (afgerond). Toelichting.' for a bullet; public text only."""
    parts: list[str | Span] = [*title_span(ctx, row), f" ({ctx.labels[str(row.status)]})."]
    explanation = text_of(row.explanation)
    if with_explanation and explanation:
        parts += [" ", ctx.dutch(explanation)]
    return Paragraph.of(*parts)


def annex_titles(ctx: Context) -> list[str]:
    """The annexes that go with the letter, numbered as they are sent."""
    titles = {ACTIVITIES_STEM: ctx.w["doc.annex1.title"], MOTIONS_STEM: ctx.w["doc.annex2.title"]}
    return [titles[stem] for stem in stems(ctx)]


def previous_report(ctx: Context) -> str | None:
    """'In maart 2024 is de eerste voortgangsrapportage verstuurd.' where the data date it."""
    if ctx.previous is None:
        return None
    when = ctx.programme.report_date(ctx.previous)
    if when is None:
        return None
    return ctx.w("stukken.previous_report", month=ctx.f.month(when.isoformat()), ordinal=ordinal(ctx, ctx.previous))


def line_title(ctx: Context, line: int) -> str:
    """An action line's title inside a sentence: without its closing full stop."""
    return ctx.programme.actielijn_titles(ctx.language).get(line, "").rstrip(". ")


def capital(text: str) -> str:
    """A title that starts with a word from the catalogue ('tweede …') starts with a capital."""
    return text[:1].upper() + text[1:]
