"""The briefing as a document: title block, Kernpunten, the sections, the Verantwoording.

The sections come from the notebooks (what they computed and displayed); here they are only
put in order and framed: the key points each section contributed become the Kernpunten, its
method notes the Verantwoording, and the title box says once how the statuses are known.
"""

from __future__ import annotations

from .. import __version__
from .model import BulletList, Document, KeyPoint, Paragraph, Section
from .sections.context import Context, provenance_counts, provenance_sentence
from .sections.verantwoording import verantwoording

#: The order of the briefing; a section with another key follows these, in notebook order.
ORDER = (
    "progress",
    "flags",
    "motions",
    "indicators",
    "transitions",
    "projection",
    "funds",
    "milestones",
    "bewindspersonen",
)


def title_warning(ctx: Context) -> Paragraph | None:
    """What a reader must know before reading on: how many statuses are official, how many made up."""
    w = ctx.w
    acts = provenance_counts(ctx)
    parts = [provenance_sentence(ctx, "warn")]
    if acts["made_up"]:
        parts.append(w("warn.made_up", n=acts["made_up"]))
    if ctx.programme.motions is not None:
        parts.append(provenance_sentence(ctx, "warn", "motions"))
    if not (acts["inferred"] or acts["illustrative"] or acts["made_up"]):
        return None
    return Paragraph.of(w["warn.head"] + " " + " ".join(parts), style="warning")


def meta_rows(ctx: Context, date: str | None, data_version: str) -> list[tuple[str, str]]:
    """The title block's rows; an unknown ``date`` (None) shows as an empty value."""
    w, f = ctx.w, ctx.f
    return [
        (w["meta.report_year"], str(ctx.year)),
        (w["meta.date"], f.date(date)),
        (w["meta.data_version"], data_version),
        (w["meta.tool"], f"nap-analysis {__version__}"),
    ]


def briefing(ctx: Context, sections: list[Section], date: str) -> Document:
    """The briefing of one report year from the sections the notebooks made."""
    w = ctx.w
    rank = {key: i for i, key in enumerate(ORDER)}
    ordered = sorted(sections, key=lambda s: rank.get(s.key, len(ORDER)))
    points: list[KeyPoint] = []
    for section in ordered:
        for sub in [section, *[b for b in section.walk() if isinstance(b, Section)]]:
            points.extend(p for p in sub.key_points if p.shown)
    points.sort(key=lambda p: p.rank)  # stable: sections' order within a rank
    kernpunten = Section("kernpunten", w["heading.kernpunten"], language=ctx.language)
    kernpunten.add(Paragraph.of(w("lead.briefing", year=ctx.year)), BulletList([p.paragraph for p in points]))
    methods = [m for s in ordered for sub in [s, *[b for b in s.walk() if isinstance(b, Section)]] for m in sub.methods]
    return Document(
        kind="briefing",
        language=ctx.language,
        title=w["doc.briefing.title"],
        subtitle=w("doc.briefing.subtitle", year=ctx.year),
        sections=[kernpunten, *ordered, verantwoording(ctx, methods, date)],
        meta=meta_rows(ctx, date, ctx.programme.data_version),
        warning=title_warning(ctx),
        kicker=w["doc.kicker"],
        footer=w["doc.footer"],
        date=date,
        keywords=[w["doc.keyword"], str(ctx.year)],
    )


def workbook_about(ctx: Context, date: str) -> list[tuple[str, str]]:
    """The first sheet of the tables workbook: what it is, where the data came from, what is illustrative."""
    w = ctx.w
    acts = provenance_counts(ctx)
    made_up = " " + w("warn.made_up", n=acts["made_up"]) if acts["made_up"] else ""
    return [
        (w["xlsx.what"], w("xlsx.what_text", year=ctx.year)),
        (w["xlsx.data"], w("xlsx.data_text", version=ctx.programme.data_version, date=ctx.f.date(date))),
        (w["xlsx.basis"], provenance_sentence(ctx, "warn") + made_up),
        (w["xlsx.numbers"], w["xlsx.numbers_text"]),
    ]
