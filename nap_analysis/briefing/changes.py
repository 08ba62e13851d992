"""The overview of what changed between two versions of a report year's data (``nap-analysis diff``).

A writer who sent the draft annexes to the bewindspersonen in December and sends the final ones
in March must say what changed (the nota of 13 March 2025 does). This document says it per
action line: the counts per status in both versions, the statuses that changed (old → new), the
texts that changed with the removed words struck through and the added ones underlined, and the
activities added and removed; then the same for the motions and commitments. ``changed_by`` and
``change_reason`` of the new data are shown beside each change. The changes come from
:func:`nap_analysis.analysis.changes.item_changes`; the same rows go to the CSV and the workbook.
"""

from __future__ import annotations

import difflib
import re

import pandas as pd

from ..analysis.changes import status_counts_before_after
from ..data import vocabulary as v
from .assemble import meta_rows
from .model import BulletList, Cell, Column, Document, Paragraph, Section, Span, Table
from .sections.context import Context
from .stukken import course_sentence, motions_sentence, progress_sentence

STEM = "wijzigingen"
_WORDS = re.compile(r"\S+|\s+")


def marked_words(ctx: Context, old: str, new: str, lang: str | None = "data") -> list[Span]:
    """``new`` with the words it lost from ``old`` (mark 'del') and gained (mark 'ins'), word by word;
    ``lang`` of the spans: by default that of texts from the data (Dutch)."""
    before, after = _WORDS.findall(old), _WORDS.findall(new)
    lang = ctx.data_language if lang == "data" else lang
    found: list[Span] = []
    matcher = difflib.SequenceMatcher(str.isspace, before, after, autojunk=False)  # spaces anchor nothing
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            found.append(Span("".join(after[j1:j2]), lang=lang))
            continue
        if i2 > i1:
            found.append(Span("".join(before[i1:i2]), lang=lang, mark="del"))
        if j2 > j1:
            found.append(Span("".join(after[j1:j2]), lang=lang, mark="ins"))
    return found


def _who(ctx: Context, row) -> str:
    """' (gewijzigd door SOCW: op verzoek van ...)': who changed it and why, where the data say it."""
    by, why = str(row.changed_by or ""), str(row.change_reason or "")
    if by and why:
        return " " + ctx.w("diff.by_reason", who=by, reason=why)
    if by:
        return " " + ctx.w("diff.by", who=by)
    if why:
        return " " + ctx.w("diff.reason", reason=why)
    return ""


def _title(ctx: Context, row) -> Cell:
    """A title from the data (Dutch): marked as Dutch in an English overview."""
    return Cell(str(row.title), lang=ctx.data_language)


def _status(ctx: Context, code: str):
    return ctx.status_cell(code) if code else ""


def _counts_table(old: Context, new: Context, table: str, rows: pd.DataFrame, what: str) -> Table:
    w = new.w
    columns = [
        Column("status", w["col.status"], "status", width=2.0),
        Column("before", w["diff.col.before"], "integer", width=1.0),
        Column("after", w["diff.col.after"], "integer", width=1.0),
        Column("difference", w["diff.col.difference"], "integer", width=1.0),
    ]
    shown = rows[(rows["before"] > 0) | (rows["after"] > 0)]
    body = [
        [_status(new, r.status), int(r.before), int(r.after), Cell(int(r.difference), text=_signed(r.difference))]
        for r in shown.itertuples(index=False)
    ]
    body.append([w["word.total"], int(shown["before"].sum()), int(shown["after"].sum()), _signed_cell(shown)])
    return Table(None, w("diff.caption.counts", what=what), columns, body)


def _signed(n) -> str:
    n = int(n)
    return f"+{n}" if n > 0 else ("0" if n == 0 else f"−{-n}")


def _signed_cell(rows: pd.DataFrame) -> Cell:
    n = int(rows["difference"].sum())
    return Cell(n, text=_signed(n))


def _part(old: Context, new: Context, key: str, heading: str, changes: pd.DataFrame, counts: pd.DataFrame, what: str):
    """One action line (or the motions): counts before and after, then each kind of change."""
    w = new.w
    section = Section(key, heading, language=new.language)
    section.add(_counts_table(old, new, key, counts, what))
    if changes.empty:
        section.add(Paragraph.of(w["diff.part_none"], style="note"))
        return section
    id_label = w["col.nr"]
    status = changes[changes["change"] == "status"]
    if not status.empty:
        columns = [
            Column("item_id", id_label, "text", width=0.7),
            Column("title", w["diff.col.title"], "text", width=3.0),
            Column("old", w["diff.col.old_status"], "status", width=1.6),
            Column("new", w["diff.col.new_status"], "status", width=1.6),
            Column("by", w["diff.col.changed_by"], "text", width=2.0),
        ]
        rows = [
            [r.item_id, _title(new, r), _status(old, r.old), _status(new, r.new), _who(new, r).strip()]
            for r in status.itertuples(index=False)
        ]
        section.add(Table(None, w("diff.caption.status", what=what), columns, rows))
    for kind, ctx in (("added", new), ("removed", old)):
        part = changes[changes["change"] == kind]
        if part.empty:
            continue
        columns = [
            Column("item_id", id_label, "text", width=0.7),
            Column("title", w["diff.col.title"], "text", width=3.6),
            Column("status", w["col.status"], "status", width=1.6),
            Column("by", w["diff.col.changed_by"], "text", width=2.0),
        ]
        rows = [
            [r.item_id, _title(ctx, r), _status(ctx, r.new if kind == "added" else r.old), _who(new, r).strip()]
            for r in part.itertuples(index=False)
        ]
        section.add(Table(None, w(f"diff.caption.{kind}", what=what), columns, rows))
    texts = changes[changes["change"] == "text"]
    if not texts.empty:
        items = []
        for r in texts.itertuples(index=False):
            lead = Span(w("diff.text_item", id=r.item_id, field=w[f"diff.field.{r.field}"]), strong=True)
            items.append(Paragraph([lead, *marked_words(new, str(r.old), str(r.new)), Span(_who(new, r))]))
        section.add(Paragraph.of(w["diff.texts_lead"]), BulletList(items))
    return section


def kernpunten(old: Context, new: Context) -> Section:
    """The sentences the nota and the Kamerbrief make from the data (progress, course, motions) that
    read differently with the new data, the changed words marked; or that none do."""
    w = new.w
    section = Section("kernpunten", w["diff.heading.kernpunten"], language=new.language)
    changed = []
    for sentence in (progress_sentence, course_sentence, motions_sentence):
        before, after = sentence(old) or "", sentence(new) or ""
        if before != after:
            changed.append(Paragraph(marked_words(new, before, after, lang=None)))
    if changed:
        section.add(Paragraph.of(w["diff.kernpunten_lead"]), BulletList(changed))
    else:
        section.add(Paragraph.of(w["diff.kernpunten_same"], style="note"))
    return section


def overview(old: Context, new: Context, changes: pd.DataFrame) -> Document:
    """The overview of ``changes`` (rows of :func:`~nap_analysis.analysis.changes.item_changes` of
    both tables) between the ``old`` and the ``new`` data of one report year."""
    w, year = new.w, new.year
    counted = {kind: int((changes["change"] == kind).sum()) for kind in ("status", "text", "added", "removed")}
    summary = Section("summary", w["diff.heading.summary"], language=new.language)
    versions = {"old": old.programme.data_version, "new": new.programme.data_version}
    if changes.empty:
        summary.add(Paragraph.of(w("diff.none", year=year, **versions)))
    else:
        summary.add(Paragraph.of(w("diff.summary", year=year, **versions, **counted)))
    sections = [summary, kernpunten(old, new)]
    acts = changes[changes["table"] == "activities"]
    line_counts = status_counts_before_after(
        old.programme.activities, new.programme.activities, year, "actielijn", v.ACTIVITY_STATUSES
    )
    titles = new.programme.actielijn_titles(new.language)
    for line in sorted(titles):
        sections.append(
            _part(
                old,
                new,
                f"actielijn-{line}",
                w("annex1.line_heading", n=line, title=titles[line]),
                acts[acts["actielijn"] == line],
                line_counts[line_counts["actielijn"] == line],
                new.line_word(line),
            )
        )
    if new.programme.motions is not None or old.programme.motions is not None:
        counts = status_counts_before_after(old.programme.motions, new.programme.motions, year, None, v.MOTION_STATUSES)
        sections.append(
            _part(
                old,
                new,
                "motions",
                w["diff.heading.motions"],
                changes[changes["table"] == "motions"],
                counts,
                w["diff.what.motions"],
            )
        )
    meta = meta_rows(new, new.date, versions["new"])
    meta.insert(2, (w["diff.meta.old"], versions["old"]))
    return Document(
        kind="wijzigingen",
        language=new.language,
        title=w["diff.doc.title"],
        subtitle=w("diff.doc.subtitle", year=year),
        sections=sections,
        meta=meta,
        kicker=w["doc.kicker"],
        footer=w("diff.doc.footer", year=year),
        date=new.date or "",  # the Document's 'no date'
        keywords=[w["doc.keyword"], w["diff.doc.keyword"], str(year)],
    )


def changes_table(ctx: Context, changes: pd.DataFrame) -> Table:
    """The changes as one table for the CSV and the workbook: one row per change, the words of ``ctx``."""
    w = ctx.w
    columns = [
        Column("table", w["diff.col.table"], "text"),
        Column("actielijn", w["diff.col.actielijn"], "integer"),
        Column("item_id", w["col.nr"], "text"),
        Column("title", w["diff.col.title"], "text"),
        Column("change", w["diff.col.change"], "text"),
        Column("field", w["diff.col.field"], "text"),
        Column("old", w["diff.col.old"], "text"),
        Column("new", w["diff.col.new"], "text"),
        Column("changed_by", w["diff.col.changed_by"], "text"),
        Column("change_reason", w["diff.col.change_reason"], "text"),
    ]

    def value(field: str, text) -> str:
        text = "" if pd.isna(text) else str(text)
        return ctx.labels.get(text, text) if field == "status" and text else text

    rows = []
    for r in changes.itertuples(index=False):
        field = "status" if r.change in ("added", "removed") else r.field
        rows.append(
            [
                w[f"diff.what.{r.table}"],
                None if pd.isna(r.actielijn) else int(r.actielijn),
                r.item_id,
                r.title,
                w[f"diff.change.{r.change}"],
                w[f"diff.field.{field}"],
                value(field, r.old),
                value(field, r.new),
                r.changed_by,
                r.change_reason,
            ]
        )
    return Table(STEM, w("diff.table_caption", year=ctx.year), columns, rows)
