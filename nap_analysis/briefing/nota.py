"""The nota to the bewindspersonen: the internal memo that sends the progress report for decision.

In the order of the memos (shared/seeds): Aanleiding, Geadviseerd besluit (one advice per
bewindspersoon the nota is addressed to, by role), Kernpunten, Toelichting with a "Specifieke
informatie voor …" per addressed bewindspersoon who has activities, "Voortgangsrapportage
algemeen" (where the ``internal_note`` texts stand beside their item), and "Informatie die niet
openbaar gemaakt kan worden". The margin (Datum, Bijlagen, Interdepartementaal afgestemd) is the
title block. Everything is written from the data; a bewindspersoon with nothing gets no section.
Word first: headings are Word's built-in styles, so a ministry's template applies.
"""

from __future__ import annotations

import pandas as pd

from ..data import vocabulary as v
from .assemble import title_warning
from .model import BulletList, Document, Paragraph, Section, Span
from .sections.context import Context, relabel_advice, text_of, today_or
from .stukken import (
    Bewindspersoon,
    activity_line,
    annex_titles,
    bewindspersonen,
    capital,
    changes,
    concerns,
    course_sentence,
    line_title,
    motions_sentence,
    ordinal,
    previous_report,
    progress_sentence,
    stopped,
    title_span,
)

STEM = "nota-bewindspersonen"


def nota(ctx: Context) -> Document:
    w = ctx.w
    people = bewindspersonen(ctx)
    addressed = [p for p in people if p.addressed]
    date = today_or(ctx.date)
    sections = [
        _aanleiding(ctx, people, addressed),
        _besluit(ctx, addressed),
        _kernpunten(ctx),
        _toelichting(ctx, people, addressed),
        _algemeen(ctx),
        _niet_openbaar(ctx),
    ]
    return Document(
        kind="nota",
        language=ctx.language,
        title=capital(w("doc.nota.title", ordinal=ordinal(ctx))),
        subtitle=w("doc.nota.subtitle", to=w.join([p.code for p in addressed]) or w["nota.to_unknown"]),
        sections=[s for s in sections if s is not None],
        meta=_margin(ctx, people, date),
        warning=title_warning(ctx),
        kicker=w["doc.nota.kicker"],
        footer=w["doc.nota.footer"],
        date=date,
        keywords=[w["doc.keyword"], w["doc.nota.keyword"], str(ctx.year)],
    )


def _margin(ctx: Context, people: list[Bewindspersoon], date: str) -> list[tuple[str, str]]:
    """Datum, Bijlagen, whom the writing ministry consulted within (``reports.csv``) and the other
    ministries, derived from the owners in the data."""
    w = ctx.w
    annexes = [w["doc.kamerbrief.short"], *annex_titles(ctx)]
    owners = ctx.activities["owner"].fillna("").astype(str).str.split(";").explode().str.strip()
    home = {p.ministry for p in people if p.addressed}
    others = sorted({o for o in owners if o and o not in home and o != "RC"})
    if "RC" in set(owners):
        others.append("RC")
    rows = [
        (w["nota.margin.date"], ctx.f.date(date)),
        (w["nota.margin.report"], str(ctx.year)),
        (w["nota.margin.annexes"], "; ".join(f"{i} {title}" for i, title in enumerate(annexes, start=1))),
    ]
    internal = ctx.programme.consulted_internally(ctx.year)
    if internal and len(home) == 1:  # the ministry that writes the nota: that of those it is addressed to
        rows.append((w("nota.margin.internal", ministry=next(iter(home))), w.join(internal)))
    if others:
        rows.append((w["nota.margin.interdepartmental"], w.join(others)))
    return rows


def _aanleiding(ctx: Context, people: list[Bewindspersoon], addressed: list[Bewindspersoon]) -> Section:
    w = ctx.w
    section = Section("aanleiding", w["nota.heading.aanleiding"], language=ctx.language)
    section.add(Paragraph.of(w("nota.aanleiding", ordinal=ordinal(ctx))))
    when = ctx.programme.report_date(ctx.year)
    if when is not None:
        section.add(Paragraph.of(w("nota.aanleiding_date", date=ctx.f.date(when.isoformat()))))
    signer = [p for p in addressed if p.role == "coordinating"]
    others = [p for p in people if p not in signer]
    if others:
        ministries = sorted({p.ministry for p in people})
        section.add(
            Paragraph.of(
                w("nota.aanleiding_all", ministries=w.join(ministries), codes=w.join([p.code for p in others]))
            )
        )
    return section


def _besluit(ctx: Context, addressed: list[Bewindspersoon]) -> Section | None:
    """One advice per addressed bewindspersoon, by role: the co-signing one sends 'mede namens',
    the coordinating one signs and with that agrees to the annexes."""
    w = ctx.w
    if not addressed:
        return None
    section = Section("besluit", w["nota.heading.besluit"], language=ctx.language)
    annexes = w.join(annex_titles(ctx))
    items = []
    for person in addressed:
        key = "nota.advice.sign" if person.role == "coordinating" else "nota.advice.co_sign"
        if person.role == "informed":
            key = "nota.advice.informed"
        items.append(Paragraph.of(w(key, code=person.code, ordinal=ordinal(ctx), annexes=annexes)))
    section.add(BulletList(items))
    return section


def _kernpunten(ctx: Context) -> Section:
    w = ctx.w
    section = Section("kernpunten", w["heading.kernpunten"], language=ctx.language)
    points: list[str | Paragraph | None] = [
        previous_report(ctx),
        progress_sentence(ctx),
        course_sentence(ctx, key_point=True),
    ]
    for row in stopped(ctx).itertuples(index=False):
        points.append(Paragraph.of(w["nota.kp.stopped"], " ", *title_span(ctx, row), "."))
    points.append(motions_sentence(ctx))
    advice = relabel_advice(ctx)
    if advice is not None:
        points.append(advice)
    section.add(BulletList([p if isinstance(p, Paragraph) else Paragraph.of(p) for p in points if p]))
    return section


def _toelichting(ctx: Context, people: list[Bewindspersoon], addressed: list[Bewindspersoon]) -> Section | None:
    """'Specifieke informatie voor X' for each addressed bewindspersoon who has activities."""
    w = ctx.w
    parts = []
    coordinating = [p for p in people if p.role == "coordinating"]
    for person in addressed:
        rows = concerns(ctx, person.code)
        if rows.empty:
            continue
        part = Section(f"voor-{person.code.lower()}", w("nota.heading.for", code=person.code), level=3)
        if person.role == "coordinating":
            with_whom = [p.code for p in coordinating if p != person]
            key = "nota.for.coordination_with" if with_whom else "nota.for.coordination"
            part.add(Paragraph.of(w(key, others=w.join(with_whom))))
        part.add(Paragraph.of(w["nota.for.lead"]))
        for line, group in rows.groupby(rows["actielijn"].astype(int), sort=True):
            part.add(
                Paragraph.of(Span(w("nota.for.line", n=line, title=line_title(ctx, line)), strong=True)),
                BulletList([activity_line(ctx, row, with_explanation=False) for row in group.itertuples(index=False)]),
            )
        part.add(*_changes_for(ctx, rows))
        policy = rows["new_policy"].astype(str)
        if len(policy) and (policy == "no").all():
            part.add(Paragraph.of(w["nota.for.no_new_policy"]))
        elif (policy == "yes").any():
            new = rows[policy == "yes"]
            part.add(Paragraph.of(w("nota.for.new_policy", ids=", ".join(new["activity_id"].astype(str)))))
        for line, owners in _not_theirs(ctx, person, rows):
            part.add(Paragraph.of(w("nota.for.not_responsible", n=line, owners=owners)))
        parts.append(part)
    if not parts:
        return None
    section = Section("toelichting", w["nota.heading.toelichting"], language=ctx.language)
    section.add(*parts)
    return section


def _changes_for(ctx: Context, rows: pd.DataFrame) -> list[Paragraph | BulletList]:
    """What changed for them since the last report, and their delayed or stopped activities."""
    w = ctx.w
    blocks: list[Paragraph | BulletList] = []
    if ctx.previous is not None:
        changed = changes(ctx, rows)
        if changed.empty:
            blocks.append(Paragraph.of(w("nota.for.unchanged", previous=ctx.previous)))
        else:
            blocks.append(Paragraph.of(w("nota.for.changed", previous=ctx.previous)))
            blocks.append(
                BulletList(
                    [
                        Paragraph.of(
                            f"{r.activity_id} ",
                            ctx.dutch(text_of(r.title)),
                            ": " + w("nota.for.from_to", old=_word(ctx, r.status_from), new=_word(ctx, r.status_to)),
                        )
                        for r in changed.itertuples(index=False)
                    ]
                )
            )
    late = rows[rows["status"].astype(str).isin(["delayed", "stopped"])]
    if not late.empty:
        blocks.append(Paragraph.of(w["nota.for.late"]))
        blocks.append(BulletList([activity_line(ctx, row) for row in late.itertuples(index=False)]))
    return blocks


def _word(ctx: Context, status) -> str:
    return ctx.w["nota.for.absent"] if pd.isna(status) else ctx.labels.get(str(status), str(status))


def _not_theirs(ctx: Context, person: Bewindspersoon, rows: pd.DataFrame) -> list[tuple[int, str]]:
    """Action lines a coordinating bewindspersoon holds no activity of and whose owners are other ministries."""
    if person.role != "coordinating":
        return []
    theirs = set(rows["actielijn"].astype(int))
    found = []
    for line in ctx.programme.actielijnen.itertuples(index=False):
        owners = [o.strip() for o in text_of(line.owners).split(";") if o.strip()]
        if int(line.actielijn) not in theirs and owners and person.ministry not in owners:
            found.append((int(line.actielijn), ctx.w.join(owners)))
    return found


def _algemeen(ctx: Context) -> Section:
    """The report in general: the progress paragraph, the stopped activity, the motions, and the
    internal notes of the data beside the item they concern."""
    w = ctx.w
    section = Section("algemeen", w["nota.heading.algemeen"], language=ctx.language)
    lines = len(ctx.programme.actielijnen)
    items = [
        Paragraph.of(w("nota.general.structure", lines=lines)),
        Paragraph.of(progress_sentence(ctx) + " " + course_sentence(ctx)),
    ]
    for row in stopped(ctx).itertuples(index=False):
        items.append(
            Paragraph.of(
                w["nota.general.stopped"], " ", *title_span(ctx, row), ". ", ctx.dutch(text_of(row.explanation))
            )
        )
    motions = motions_sentence(ctx)
    if motions:
        items.append(Paragraph.of(motions))
    for table, id_column in (("activities", "activity_id"), ("motions", "item_id")):
        rows = getattr(ctx, table)
        if rows is None:
            continue
        noted = rows[rows["internal_note"].fillna("").astype(str).str.strip() != ""]
        for row in noted.itertuples(index=False):
            items.append(
                Paragraph.of(
                    f"{getattr(row, id_column)} ",
                    *title_span(ctx, row),
                    f" ({ctx.labels[str(row.status)]}). ",
                    ctx.dutch(text_of(row.explanation)),
                    " ",
                    ctx.dutch(text_of(row.internal_note)),
                )
            )
    section.add(BulletList(items))
    return section


def _niet_openbaar(ctx: Context) -> Section:
    section = Section("niet-openbaar", ctx.w["nota.heading.niet_openbaar"], language=ctx.language)
    section.add(Paragraph.of(ctx.w["nota.niet_openbaar"]))
    return section


#: Roles in the order the data vocabulary gives them (for tests and the data dictionary).
ROLES = v.ROLES
