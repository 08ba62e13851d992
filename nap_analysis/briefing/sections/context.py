"""What every section shares: the document's context, the provenance notes, one activity or motion row.

:class:`Context` is one document's data, report year and language with its words and formatter;
the provenance sentences count through :mod:`nap_analysis.analysis.progress`
(:func:`~nap_analysis.analysis.progress.basis_counts`, :func:`~nap_analysis.analysis.progress.origin_counts`);
:func:`item_row` is the one place an activity or a motion becomes a table row (the briefing's
flags table and both annexes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ...analysis.footing import Footing
from ...analysis.progress import basis_counts, origin_counts
from ...data import Programme, load
from ...data import vocabulary as v
from ...errors import UsageError
from ...words import Words, words
from ..display import SectionView
from ..format import Format, fmt, is_missing
from ..model import BulletList, Cell, Column, Paragraph, Section, Span

#: Where a key point stands in the Kernpunten (lower first).
RANK = {
    "total": 10,
    "stopped": 20,
    "delayed": 30,
    "on_course": 40,
    "relabel": 45,
    "changes": 50,
    "motions": 60,
    "indicators": 70,
    "projection": 80,
}


@dataclass
class Context:
    """One document's context: the data, the report year, the language."""

    programme: Programme
    year: int
    language: str = "nl"
    date: str | None = None  # ISO date printed on the briefing
    w: Words = field(init=False, repr=False)
    f: Format = field(init=False, repr=False)

    def __post_init__(self):
        if self.language not in v.LANGUAGES:
            raise UsageError("error.language", language=self.language)
        self.w = words(self.language)
        self.f = fmt(self.language)
        # every document of a report year knows the data as they were on its date
        self.programme = self.programme.as_of(self.year)

    @property
    def report_window(self) -> tuple[dt.date | None, dt.date | None]:
        """From the previous report's date to this report's date (``reports.csv``; None where unknown)."""
        before = self.programme.report_date(self.previous) if self.previous is not None else None
        return before, self.programme.report_date(self.year)

    @property
    def programme_end(self) -> dt.date:
        """The programme's end as known at this report (``reports.csv``); the analysis default without it."""
        return self.programme.programme_end(self.year) or v.PROGRAMME_END

    @classmethod
    def open(cls, data_dir=None, report_year=None, language: str = "nl", date: str | None = None) -> Context:
        """Load and check the data and the parameters as papermill passes them."""
        from ...resources import data_dir as bundled

        if language not in v.LANGUAGES:
            raise UsageError("error.language", language=language)
        programme = load(data_dir or bundled())
        return cls(programme, programme.report_year(report_year), language, date)

    # ------------------------------------------------------------------ basics
    @property
    def labels(self) -> dict[str, str]:
        return self.programme.labels(self.year, self.language)

    @property
    def previous(self) -> int | None:
        return self.programme.previous_year(self.year)

    @property
    def activities(self) -> pd.DataFrame:
        acts = self.programme.activities
        return acts[acts["report_year"] == self.year]

    @property
    def motions(self) -> pd.DataFrame | None:
        motions = self.programme.motions
        return None if motions is None else motions[motions["report_year"] == self.year]

    def has(self, table: str) -> bool:
        """Whether an optional table (motions, funds, milestones, indicators) is in the data."""
        return getattr(self.programme, table, None) is not None

    def status_text(self, code: str) -> str:
        """A status as running text says it ('afgerond', 'nog niet gestart')."""
        return self.w[f"status_text.{code}"]

    def relabelled(self) -> dict[str, str]:
        """Status codes whose word this year differs from the standard word."""
        return {code: word for code, word in self.labels.items() if word != self.w[f"status.{code}"]}

    @property
    def data_language(self) -> str | None:
        """The language of texts from the data (Dutch) as this document marks them: only where it differs."""
        return "nl" if self.language != "nl" else None

    def dutch(self, text: str) -> Span:
        """A text from the data (Dutch), marked as Dutch inside an English document."""
        return Span(str(text), lang=self.data_language)

    def ours(self, frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
        """In an English document, the texts of the data that have our English translation
        (``<column>_en``: ours, not an official title) in their place; ``<column>_ours`` says which.
        A Dutch document, or a text without a translation, keeps the data's Dutch."""
        out = frame.copy()
        for column in columns:
            english = out[f"{column}_en"].fillna("").astype(str) if f"{column}_en" in out else None
            translated = (english != "") if english is not None and self.language != "nl" else False
            out[f"{column}_ours"] = pd.Series(translated, index=out.index, dtype="bool")
            if english is not None and self.language != "nl":
                out[column] = out[column].where(~translated, english)
        return out

    def ours_cell(self, text, translated: bool) -> Cell:
        """A text of the data in a table: our English where translated, else marked as Dutch."""
        return Cell(text_of(text), lang=None if translated else self.data_language)

    def ours_note(self, frame: pd.DataFrame, *columns: str) -> list[Paragraph]:
        """The note that says our English is ours (not an official title), where a table shows any."""
        if not any(frame[f"{c}_ours"].any() for c in columns if f"{c}_ours" in frame):
            return []
        return [Paragraph.of(self.w["note.our_translation"], style="note")]

    def gloss(self, row) -> list[Span]:
        """Beside a quoted Dutch title in an English document: our English gloss (``title_en``), said
        to be ours; nothing in a Dutch document or without a gloss."""
        gloss = text_of(getattr(row, "title_en", ""))
        if self.language == "nl" or not gloss:
            return []
        return [Span(" " + self.w("gloss.ours", gloss=gloss))]

    def gloss_note(self, rows: pd.DataFrame, id_column: str = "activity_id") -> list[Paragraph]:
        """Under a table of Dutch titles in an English document: our gloss of each title, by id, said
        to be ours (the table quotes the titles as they are)."""
        if self.language == "nl" or rows is None or "title_en" not in rows:
            return []
        glossed = rows[rows["title_en"].fillna("").astype(str) != ""].drop_duplicates(id_column)
        if glossed.empty:
            return []
        parts = "; ".join(f"{i}: {g}" for i, g in zip(glossed[id_column].astype(str), glossed["title_en"]))
        return [Paragraph.of(self.w("gloss.table", parts=parts), style="note")]

    def title_cell(self, title: str, origin: str) -> Cell:
        """An activity or motion title; a made-up one carries its badge wherever it is shown."""
        badge = self.w["badge.made_up"] if origin == "made_up" else None
        return Cell(value=title, badge=badge, lang=self.data_language)

    def status_cell(self, code: str) -> Cell:
        word = self.labels.get(code, code)
        return Cell(value=word, icon=code)

    def basis_word(self, basis: str) -> str:
        return self.w[f"basis.{basis}"]

    def line_word(self, line) -> str:
        return self.w("word.actielijn_n", n=line) if str(line) != v.TOTAL else self.w["word.total"]


# --------------------------------------------------------------------------- provenance


def provenance_counts(ctx: Context, table: str = "activities") -> dict[str, int]:
    """Rows of the report year per status basis (stated, inferred, illustrative), made up, and in all."""
    frame = getattr(ctx.programme, table)
    basis = basis_counts(frame, ctx.year)
    origin = origin_counts(frame, ctx.year)
    counts = dict(zip(basis["status_basis"].astype(str), basis["n"].astype(int)))
    counts["made_up"] = int(origin.loc[origin["origin"] == "made_up", "n"].sum())
    counts["n"] = int(basis["n"].sum())
    return counts


def provenance_sentence(ctx: Context, prefix: str, table: str = "activities") -> str:
    """'Of the 28 activities, 10 statuses are stated, ...' with the key family ``prefix`` (prov, warn)."""
    c = provenance_counts(ctx, table)
    key = f"{prefix}.activities" if table == "activities" else f"{prefix}.motions"
    return ctx.w(key, n=c["n"], stated=c["stated"], inferred=c["inferred"], illustrative=c["illustrative"])


def provenance_paragraph(ctx: Context, table: str = "activities") -> Paragraph:
    """The one-sentence provenance note of a section: how the statuses are known, how many rows are made up."""
    c = provenance_counts(ctx, table)
    text = provenance_sentence(ctx, "prov", table)
    if c["made_up"]:
        text += " " + ctx.w("prov.made_up", n=c["made_up"], total=c["n"])
    return Paragraph.of(text, style="note")


def footing_note(ctx: Context, footing: Footing, bracket: bool = True) -> str:
    """What a claim rests on where that is not an official status, said with the claim: the made-up
    rows and the rows whose status is inferred or illustrative, with their ids. Empty where official."""
    notes = []
    if footing.made_up:
        key = "kp.footing_made_up" if len(footing.made_up) == 1 else "kp.footing_made_up_many"
        notes.append(ctx.w(key, ids=ctx.w.join(list(footing.made_up))))
    unofficial = [i for ids in footing.unofficial.values() for i in ids]
    if unofficial:
        basis = ctx.w.join([ctx.basis_word(b) for b, ids in footing.unofficial.items() if ids])
        key = "kp.footing_unofficial" if len(unofficial) == 1 else "kp.footing_unofficial_many"
        notes.append(ctx.w(key, basis=basis, ids=", ".join(unofficial)))
    if not notes:
        return ""
    return f" ({'; '.join(notes)})" if bracket else "; ".join(notes)


def status_counts_sentence(ctx: Context, counts: dict[str, int], statuses) -> str:
    """'12 afgerond, 3 vertraagd en 1 stopgezet': the statuses that occur, in vocabulary order."""
    parts = [f"{n} {ctx.status_text(code)}" for code in statuses if (n := counts.get(code, 0))]
    return ctx.w.join(parts)


def relabel_note(ctx: Context) -> Paragraph | None:
    """Where this year's status word differs from its meaning, say so once, with the word it replaced
    where the data know it (``status_labels.replaces``)."""
    changed = ctx.relabelled()
    if not changed:
        return None
    parts = []
    for code, word in changed.items():
        replaces = ctx.programme.replaced_label(ctx.year, ctx.language, code)
        key = "prov.relabel_replaces" if replaces else "prov.relabel_one"
        parts.append(ctx.w(key, label=word, meaning=ctx.w[f"status.{code}"], replaces=replaces))
    return Paragraph.of(ctx.w("prov.relabel", year=ctx.year, parts=ctx.w.join(parts)), style="note")


def relabel_advice(ctx: Context) -> str | None:
    """Where this year's word for a status reads as another status (the check's 'label' finding,
    :func:`~nap_analysis.data.vocabulary.misleading_labels`): the advice to reconsider it, with the
    explanations that say otherwise. The memo of 13 March 2025 put exactly this to the minister; here
    it follows from the data, every year. The words are the data's (Dutch), in every language."""
    w = ctx.w
    rows = pd.concat([t for t in (ctx.activities, ctx.motions) if t is not None])
    ids = rows["activity_id"].fillna(rows.get("item_id")) if "item_id" in rows else rows["activity_id"]
    found = v.misleading_labels(
        ctx.programme.labels(ctx.year, "nl"),
        zip(ids.astype(str), rows["status"].astype(str), rows["explanation"].fillna("").astype(str)),
    )
    if not found:
        return None
    first = found[0]
    replaces = ctx.programme.replaced_label(ctx.year, "nl", first.status)
    return w(
        "nota.kp.relabel",
        word=first.word,
        meaning=w[f"status.{first.status}"],
        reads=w.join([w[f"status.{s}"] for s in first.reads]),
        n=len(first.own),
        before=w("relabel.replaces", replaces=replaces) if replaces else "",
    )


def skipped(ctx: Context, key: str, table: str) -> Section:
    """The section of an optional table the data do not have: said, not silently left out."""
    return SectionView(
        key,
        ctx.w[f"heading.{key}"],
        [Paragraph.of(ctx.w("skipped.table", file=f"{table}.csv"), style="note")],
        language=ctx.language,
    )


def internal_notes(ctx: Context, table: str) -> list:
    """The ``internal_note`` texts of the report year's activities or motions, beside the item they
    concern: for the documents of the minister's office only (the briefing, the nota)."""
    rows = getattr(ctx, table)
    if rows is None or "internal_note" not in rows:
        return []
    noted = rows[rows["internal_note"].fillna("").astype(str).str.strip() != ""]
    if noted.empty:
        return []
    id_column = "activity_id" if table == "activities" else "item_id"
    items = [
        Paragraph.of(
            f"{getattr(row, id_column)} ", ctx.dutch(text_of(row.title)), ": ", ctx.dutch(text_of(row.internal_note))
        )
        for row in noted.itertuples(index=False)
    ]
    return [Paragraph.of(ctx.w["internal.lead"], style="note"), BulletList(items)]


# --------------------------------------------------------------------------- one activity or motion as a row


def text_of(value) -> str:
    """A nullable text of the data as a document shows it: empty where missing."""
    return "" if is_missing(value) else str(value)


def member_party(ctx: Context, member, party) -> str:
    """'Mutluer (PvdA)'; only the one that is known where the other is not."""
    member, party = text_of(member), text_of(party)
    return ctx.w("annex2.member_party", member=member, party=party) if member and party else member or party


#: Column key -> the cell of an activity or motion (a row of the loader's table) in that column.
ITEM_CELLS: dict[str, Callable[[Context, Any], object]] = {
    "activity_id": lambda ctx, row: row.activity_id,
    "item_id": lambda ctx, row: row.item_id,
    "actielijn": lambda ctx, row: int(row.actielijn),
    "kind": lambda ctx, row: ctx.w[f"kind.{row.kind}"],
    "title": lambda ctx, row: ctx.title_cell(row.title, row.origin),
    "owner": lambda ctx, row: text_of(row.owner),
    "member": lambda ctx, row: member_party(ctx, row.member, row.party),
    "status": lambda ctx, row: ctx.status_cell(str(row.status)),
    "explanation": lambda ctx, row: Cell(text_of(row.explanation), lang=ctx.data_language),
    "status_basis": lambda ctx, row: ctx.basis_word(str(row.status_basis)),
}


def item_rows(ctx: Context, rows: pd.DataFrame, columns: list[Column]) -> list[list]:
    """Activities or motions as table rows, each cell as :data:`ITEM_CELLS` words it: the same in
    the briefing and both annexes, whichever columns a table shows."""
    cells = [ITEM_CELLS[column.key] for column in columns]
    return [[cell(ctx, row) for cell in cells] for row in rows.itertuples(index=False)]


# --------------------------------------------------------------------------- the document's frame


def today_or(date: str | None) -> str:
    return date or dt.date.today().isoformat()
