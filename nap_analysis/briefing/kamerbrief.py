"""The Kamerbrief (oplegbrief): the public letter that sends the progress report to the Tweede Kamer.

As the memo of 13 March 2025 describes it: the progress paragraph (how many activities per
status, on course or not), trends from the monitors tied to the action lines they concern, the
highlighted actions per action line (``highlight`` in the data), the stopped activity with its
reason, and the list of annexes. Only public text: never an ``internal_note``. A claim resting on
rows that are not stated says so in the title box, as in the annexes.
"""

from __future__ import annotations

import pandas as pd

from .model import BulletList, Document, Paragraph, Section, Span
from .sections.context import Context, provenance_counts, provenance_sentence, text_of, today_or
from .stukken import (
    activity_line,
    annex_titles,
    bewindspersonen,
    capital,
    course_sentence,
    line_title,
    motions_sentence,
    ordinal,
    progress_sentence,
    stopped,
    title_span,
)

STEM = "kamerbrief"


def kamerbrief(ctx: Context) -> Document:
    w = ctx.w
    date = today_or(ctx.date)
    sections = [
        _opening(ctx),
        _voortgang(ctx),
        _trends(ctx),
        _highlights(ctx),
        _stopped(ctx),
        _bijlagen(ctx),
        _signature(ctx),
    ]
    return Document(
        kind="kamerbrief",
        language=ctx.language,
        title=capital(w("doc.kamerbrief.title", ordinal=ordinal(ctx))),
        subtitle=w("doc.kamerbrief.subtitle", year=ctx.year),
        sections=[s for s in sections if s is not None],
        meta=[
            (w["kamerbrief.to_label"], w["kamerbrief.to"]),
            (w["meta.date"], ctx.f.date(date)),
            (w["meta.report_year"], str(ctx.year)),
        ],
        warning=_warning(ctx),
        kicker=w["doc.kamerbrief.kicker"],
        footer=w["doc.kamerbrief.footer"],
        date=date,
        keywords=[w["doc.keyword"], w["doc.kamerbrief.short"], str(ctx.year)],
    )


def _warning(ctx: Context) -> Paragraph | None:
    """How the statuses the letter counts are known, before any claim (none for a real year's data)."""
    c = provenance_counts(ctx)
    if not (c["inferred"] or c["illustrative"] or c["made_up"]):
        return None
    text = ctx.w["warn.head"] + " " + provenance_sentence(ctx, "warn")
    if c["made_up"]:
        text += " " + ctx.w("warn.made_up", n=c["made_up"])
    return Paragraph.of(text, style="warning")


def _opening(ctx: Context) -> Section:
    w = ctx.w
    section = Section("opening", w["kamerbrief.heading.opening"], language=ctx.language)
    co = [p.title for p in bewindspersonen(ctx) if p.role == "co-signing"]
    key = "kamerbrief.opening_on_behalf" if co else "kamerbrief.opening"
    section.add(Paragraph.of(w(key, ordinal=ordinal(ctx), others=w.join(co))))
    return section


def _voortgang(ctx: Context) -> Section:
    w = ctx.w
    section = Section("voortgang", w["kamerbrief.heading.voortgang"], language=ctx.language)
    section.add(
        Paragraph.of(progress_sentence(ctx) + " " + course_sentence(ctx) + " " + w["kamerbrief.delays_in_annex"])
    )
    motions = motions_sentence(ctx)
    if motions:
        section.add(Paragraph.of(motions))
    return section


def _trends(ctx: Context) -> Section | None:
    """For each action line with monitor figures tied to it: the latest measurement of each indicator,
    beside the one before where there is one. Figures published after the report are not known to it."""
    w = ctx.w
    indicators = ctx.programme.indicators
    if indicators is None or "actielijn" not in indicators:
        return None
    tied = indicators[pd.to_numeric(indicators["actielijn"], errors="coerce").notna()]
    if tied.empty:
        return None
    section = Section("trends", w["kamerbrief.heading.trends"], language=ctx.language)
    for line, group in tied.groupby(pd.to_numeric(tied["actielijn"]).astype(int), sort=True):
        section.add(Paragraph.of(Span(w("kamerbrief.trend_line", n=line, title=line_title(ctx, line)), strong=True)))
        for monitor, figures in group.groupby("monitor", sort=False):
            items = [
                _trend(ctx, indicator, who, rows)
                for (indicator, who), rows in figures.groupby(["indicator", "group"], sort=False)
            ]
            section.add(Paragraph.of(ctx.dutch(f"{monitor}:")), BulletList(items))
    section.add(Paragraph.of(w["kamerbrief.trend_note"], style="note"))
    return section


def _trend(ctx: Context, indicator: str, who: str, rows: pd.DataFrame) -> Paragraph:
    """'Vindt sggg een groot probleem (18+): 54% in 2024 (in 2023: 57%).'"""
    w = ctx.w
    rows = rows.sort_values("year")
    last = rows.iloc[-1]
    label = text_of(last.get("label_nl" if ctx.language == "nl" else "label_en")) or indicator
    group = text_of(last.get("group_en")) if ctx.language != "nl" else ""
    text = w(
        "kamerbrief.trend",
        label=label,
        group=group or who,
        value=ctx.f.percent_value(last["percent"]),
        year=int(last["year"]),
    )
    if len(rows) > 1:
        before = rows.iloc[-2]
        text += " " + w(
            "kamerbrief.trend_before", value=ctx.f.percent_value(before["percent"]), year=int(before["year"])
        )
    else:
        text += "."
    return Paragraph.of(text)


def _highlights(ctx: Context) -> Section | None:
    w = ctx.w
    acts = ctx.activities
    chosen = acts[acts["highlight"].astype(str) == "yes"]
    if chosen.empty:
        return None
    section = Section("uitgelicht", w["kamerbrief.heading.highlights"], language=ctx.language)
    titles = ctx.programme.actielijn_titles(ctx.language)
    for line, group in chosen.groupby(chosen["actielijn"].astype(int), sort=True):
        part = Section(f"uitgelicht-{line}", w("annex1.line_heading", n=line, title=titles.get(line, "")), level=3)
        part.add(BulletList([activity_line(ctx, row) for row in group.itertuples(index=False)]))
        section.add(part)
    return section


def _stopped(ctx: Context) -> Section | None:
    rows = stopped(ctx)
    if rows.empty:
        return None
    w = ctx.w
    section = Section("stopgezet", w["kamerbrief.heading.stopped"], language=ctx.language)
    for row in rows.itertuples(index=False):
        section.add(Paragraph.of(*title_span(ctx, row), ". ", ctx.dutch(text_of(row.explanation))))
    return section


def _bijlagen(ctx: Context) -> Section:
    w = ctx.w
    section = Section("bijlagen", w["kamerbrief.heading.annexes"], language=ctx.language)
    section.add(BulletList([Paragraph.of(title) for title in annex_titles(ctx)]))
    return section


def _signature(ctx: Context) -> Section | None:
    """The coordinating bewindspersonen, who send the report to the Kamer (OCW and SZW)."""
    signers = [p for p in bewindspersonen(ctx) if p.role == "coordinating"]
    if not signers:
        return None
    section = Section("ondertekening", ctx.w["kamerbrief.heading.signature"], language=ctx.language)
    section.add(*[Paragraph.of(ctx.w("kamerbrief.signed", title=p.title)) for p in signers])
    return section
