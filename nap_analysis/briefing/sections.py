"""The briefing's sections: result tables in, :class:`~.model.Section` objects out.

Each builder takes the tables a notebook computed and shows (so a researcher who changes a
table in a cell changes the briefing), words them with the catalogue and the one formatter,
and returns a section with its figure, tables, the key points it contributes to the
"Kernpunten" and the method notes it contributes to the "Verantwoording". No builder reads a
file or computes an analysis that another already did.

Texts are in the register of a nota: full sentences, no method names in the running text
(those go to the Verantwoording, with the technical term in brackets), numbers in the
document's notation, every share with its base, every judgement with its yardstick.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from ..data import Programme, load
from ..data import vocabulary as v
from ..errors import UsageError
from ..words import Words, words
from . import charts
from .display import SectionView
from .format import Format, fmt, is_missing
from .model import BulletList, Cell, Column, Figure, KeyPoint, Paragraph, Section, Span, Table

#: Where a key point stands in the Kernpunten (lower first).
RANK = {
    "total": 10,
    "stopped": 20,
    "delayed": 30,
    "on_course": 40,
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

    @classmethod
    def open(cls, data_dir=None, report_year=None, language: str = "nl", date: str | None = None) -> Context:
        """Load and check the data and the parameters as papermill passes them."""
        from ..resources import data_dir as bundled

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

    def dutch(self, text: str) -> Span:
        """A text from the data (Dutch), marked as Dutch inside an English document."""
        return Span(str(text), lang="nl" if self.language != "nl" else None)

    def title_cell(self, title: str, origin: str = "nap") -> Cell:
        """An activity or motion title; a made-up one carries its badge wherever it is shown."""
        badge = self.w["badge.made_up"] if origin == "made_up" else None
        return Cell(value=title, badge=badge, lang="nl" if self.language != "nl" else None)

    def status_cell(self, code: str) -> Cell:
        word = self.labels.get(code, code)
        return Cell(value=word, icon=code)

    def basis_word(self, basis: str) -> str:
        return self.w[f"basis.{basis}"]

    def line_word(self, line) -> str:
        return self.w("word.actielijn_n", n=line) if str(line) != v.TOTAL else self.w["word.total"]


# --------------------------------------------------------------------------- provenance


def provenance_counts(table: pd.DataFrame, year: int) -> dict[str, int]:
    rows = table[table["report_year"] == year]
    counts = {b: int((rows["status_basis"].astype(str) == b).sum()) for b in v.STATUS_BASES}
    origin = rows["origin"].astype(str) if "origin" in rows else pd.Series("nap", index=rows.index)
    counts["made_up"] = int((origin == "made_up").sum())
    counts["n"] = len(rows)
    return counts


def provenance_paragraph(ctx: Context, table: str = "activities") -> Paragraph:
    """The one-sentence provenance note of a section: how the statuses are known, how many rows are made up."""
    frame = getattr(ctx.programme, table)
    c = provenance_counts(frame, ctx.year)
    key = "prov.activities" if table == "activities" else "prov.motions"
    text = ctx.w(key, n=c["n"], stated=c["stated"], inferred=c["inferred"], illustrative=c["illustrative"])
    if c["made_up"]:
        text += " " + ctx.w("prov.made_up", n=c["made_up"], total=c["n"])
    return Paragraph.of(text, style="note")


def _status_counts_sentence(ctx: Context, counts: dict[str, int], statuses) -> str:
    parts = [f"{n} {ctx.status_text(code)}" for code in statuses if (n := counts.get(code, 0))]
    return ctx.w.join(parts)


def relabel_note(ctx: Context) -> Paragraph | None:
    """Where this year's status word differs from its meaning, say so once."""
    changed = ctx.relabelled()
    if not changed:
        return None
    parts = [ctx.w("prov.relabel_one", label=word, meaning=ctx.w[f"status.{code}"]) for code, word in changed.items()]
    return Paragraph.of(ctx.w("prov.relabel", year=ctx.year, parts=ctx.w.join(parts)), style="note")


def skipped(ctx: Context, key: str, table: str) -> Section:
    """The section of an optional table the data do not have: said, not silently left out."""
    return SectionView(
        key,
        ctx.w[f"heading.{key}"],
        [Paragraph.of(ctx.w("skipped.table", file=f"{table}.csv"), style="note")],
        language=ctx.language,
    )


# --------------------------------------------------------------------------- 1 progress


def progress_figure(ctx: Context, compare: pd.DataFrame) -> Figure:
    current = compare[compare["report_year"] == ctx.year]
    lines = current[(current["status"] == "completed") & (current["actielijn"].astype(str) != v.TOTAL)]
    parts = [
        ctx.w("alt.progress_line", line=line, share=ctx.f.percent(share))
        for line, share in zip(lines["actielijn"].astype(str), lines["share"])
    ]
    total = current[(current["actielijn"].astype(str) == v.TOTAL)]
    shares = dict(zip(total["status"].astype(str), total["share"]))
    totals = [
        ctx.w("alt.progress_status", label=ctx.labels[code], share=ctx.f.percent(shares[code]))
        for code in v.ACTIVITY_STATUSES
        if shares.get(code, 0) > 0
    ]
    shown_previous = ctx.previous is not None and bool((compare["report_year"] == ctx.previous).any())
    alt = ctx.w(
        "alt.progress",
        year=ctx.year,
        label=ctx.labels["completed"],
        parts=ctx.w.join(parts),
        totals=ctx.w.join(totals),
        previous=ctx.w("alt.progress_previous", previous=ctx.previous) if shown_previous else "",
    )
    fig = charts.progress_chart(compare, ctx.labels, lang=ctx.language)
    charts.add_footnote(fig, provenance_paragraph(ctx).text)
    return charts.render(fig, "voortgang_per_actielijn", ctx.w("fig.progress", year=ctx.year), alt, lang=ctx.language)


def progress_section(
    ctx: Context, current: pd.DataFrame, compare: pd.DataFrame, judgement: pd.DataFrame, figure: Figure | None = None
) -> Section:
    """Progress per action line: counts and shares, the on-course judgement, the chart, the table."""
    w, f = ctx.w, ctx.f
    section = SectionView("progress", w["heading.progress"], language=ctx.language)
    total = current[current["actielijn"].astype(str) == v.TOTAL]
    counts = dict(zip(total["status"].astype(str), total["n"].astype(int)))
    n = sum(counts.values())
    sentence = w("kp.total", year=ctx.year, n=n, parts=_status_counts_sentence(ctx, counts, v.ACTIVITY_STATUSES))
    section.key_points.append(KeyPoint(RANK["total"], Paragraph.of(sentence)))
    section.key_points.append(KeyPoint(RANK["on_course"], Paragraph.of(on_course_sentence(ctx, judgement))))
    section.add(Paragraph.of(sentence), Paragraph.of(on_course_sentence(ctx, judgement)), relabel_note(ctx))
    if figure is not None:
        section.add(figure)
    section.add(progress_table(ctx, current, compare), provenance_paragraph(ctx))
    section.methods.append(Paragraph.of(w("method.on_course", pct=f.percent(judgement.attrs["max_delayed_share"]))))
    return section


def on_course_sentence(ctx: Context, judgement: pd.DataFrame) -> str:
    """Every action line judged and named; the lines not on course with the figures that decide it."""
    w, f = ctx.w, ctx.f
    yardstick = f.percent(judgement.attrs["max_delayed_share"])
    judged = judgement["on_course"]
    ok = judgement.loc[judged.fillna(False).astype(bool), "actielijn"].astype(str).tolist()
    nothing = judgement.loc[judged.isna(), "actielijn"].astype(str).tolist()
    not_ok = judgement[~judged.fillna(True).astype(bool)]
    parts = []
    if ok:
        parts.append(w("kp.on_course_ok", lines=_lines(ctx, ok)))
    for row in not_ok.itertuples(index=False):
        key = "kp.on_course_not" if row.delayed == 1 else "kp.on_course_not_many"
        parts.append(
            w(key, line=row.actielijn, delayed=row.delayed, running=row.running, share=f.percent(row.delayed_share))
        )
    if nothing:
        parts.append(w("kp.on_course_nothing", lines=_lines(ctx, nothing)))
    text = w("kp.on_course", parts="; ".join(parts), yardstick=yardstick)
    return text[:1].upper() + text[1:]


def _lines(ctx: Context, lines: list[str]) -> str:
    if len(lines) == 1:
        return ctx.w("word.actielijn_n", n=lines[0])
    ints = sorted(int(x) for x in lines)
    if len(ints) > 2 and ints == list(range(ints[0], ints[-1] + 1)):
        return ctx.w("word.actielijnen_range", first=ints[0], last=ints[-1])
    return ctx.w("word.actielijnen_list", lines=ctx.w.join([str(x) for x in ints]))


def progress_table(ctx: Context, current: pd.DataFrame, compare: pd.DataFrame) -> Table:
    """One row per action line: counts per status this year, total, share completed now and last year,
    and how many of the statuses are illustrative."""
    w = ctx.w
    labels = ctx.labels
    columns = [Column("actielijn", w["col.actielijn"], "text", width=1.3)]
    columns += [Column(code, labels[code], "integer") for code in v.ACTIVITY_STATUSES]
    columns += [
        Column("n", w["col.total"], "integer"),
        Column("share_completed", w("col.share_completed", year=ctx.year), "share"),
    ]
    if ctx.previous is not None:
        columns.append(Column("share_completed_previous", w("col.share_completed", year=ctx.previous), "share"))
    columns.append(Column("n_illustrative", w["col.of_which_illustrative"], "integer"))
    acts = ctx.activities
    rows = []
    for line in [str(c) for c in current["actielijn"].cat.categories]:
        part = current[current["actielijn"].astype(str) == line]
        counts = dict(zip(part["status"].astype(str), part["n"].astype(int)))
        n = sum(counts.values())
        if not n and line != v.TOTAL:
            continue
        share = float(part.loc[part["status"] == "completed", "share"].sum())
        row = [ctx.line_word(line), *[counts.get(code, 0) for code in v.ACTIVITY_STATUSES], n, share]
        if ctx.previous is not None:
            before = compare[(compare["report_year"] == ctx.previous) & (compare["actielijn"].astype(str) == line)]
            row.append(float(before.loc[before["status"] == "completed", "share"].sum()) if before["n"].sum() else None)
        in_line = acts if line == v.TOTAL else acts[acts["actielijn"].astype(str) == line]
        row.append(int((in_line["status_basis"].astype(str) == "illustrative").sum()))
        rows.append(row)
    return Table("voortgang_per_actielijn", w("table.progress", year=ctx.year), columns, rows)


# --------------------------------------------------------------------------- 2 delayed, stopped, changes


def changes_figure(ctx: Context, changes: pd.DataFrame) -> Figure:
    counts = changes["change"].astype(str).value_counts() if len(changes) else pd.Series(dtype="int64")
    parts = [ctx.w(f"change.{k}", n=int(n)) for k, n in counts.items() if k != "other" and n]
    alt = ctx.w("alt.changes", previous=ctx.previous or "", year=ctx.year, parts=ctx.w.join(parts) or "-")
    fig = charts.changes_chart(changes, lang=ctx.language)
    charts.add_footnote(fig, provenance_paragraph(ctx).text)
    return charts.render(
        fig,
        "veranderingen_sinds_vorig_jaar",
        ctx.w("fig.changes", previous=ctx.previous or "", year=ctx.year),
        alt,
        lang=ctx.language,
    )


def flags_section(ctx: Context, flags: pd.DataFrame, changes: pd.DataFrame, figure: Figure | None = None) -> Section:
    """Delayed and stopped activities with their explanation, and what changed since the last report."""
    w = ctx.w
    section = SectionView("flags", w["heading.flags"], language=ctx.language)
    acts = ctx.activities.set_index("activity_id")
    current = flags[flags["flag"].isin(["stopped", "delayed"])].drop_duplicates("activity_id")
    for code in ("stopped", "delayed"):
        rows = current[current["flag"] == code]
        section.key_points.append(KeyPoint(RANK[code], _flag_point(ctx, code, rows, acts)))
        # in the section the table below gives the explanations: the sentence without them
        section.add(_flag_point(ctx, code, rows, acts, with_explanation=False))
    if len(current):
        columns = [
            Column("activity_id", w["col.nr"], "text", width=0.5),
            Column("actielijn", w["col.actielijn_short"], "integer", width=0.6),
            Column("title", w["col.activity"], "text", width=3),
            Column("owner", w["col.owner"], "text", width=0.8),
            Column("status", w["col.status"], "status", width=1.1),
            Column("explanation", w["col.explanation"], "text", width=4),
            Column("status_basis", w["col.status_basis"], "text", width=0.9),
        ]
        rows = []
        for row in current.sort_values(["flag", "actielijn", "activity_id"], key=_flag_order).itertuples(index=False):
            act = acts.loc[row.activity_id]
            rows.append(
                [
                    row.activity_id,
                    int(row.actielijn),
                    ctx.title_cell(row.title, act.get("origin", "nap")),
                    act["owner"],
                    ctx.status_cell(str(row.status)),
                    Cell(row.explanation, lang=_nl(ctx)),
                    ctx.basis_word(str(act["status_basis"])),
                ]
            )
        section.add(Table("vertraagd_en_stopgezet", w("table.flags", year=ctx.year), columns, rows))
    section.add(changes_subsection(ctx, changes, figure), provenance_paragraph(ctx))
    return section


def _nl(ctx: Context) -> str | None:
    return "nl" if ctx.language != "nl" else None


def _flag_order(series: pd.Series) -> pd.Series:
    if series.name == "flag":
        return series.astype(str).map({"stopped": 0, "delayed": 1}).fillna(2)
    return series


def _flag_point(
    ctx: Context, code: str, rows: pd.DataFrame, acts: pd.DataFrame, with_explanation: bool = True
) -> Paragraph:
    """'One activity is stopped: ...' with its explanation; made-up activities said so in the sentence."""
    w = ctx.w
    if rows.empty:
        return Paragraph.of(w(f"kp.no_{code}", year=ctx.year))
    made_up = [r.activity_id for r in rows.itertuples() if acts.loc[r.activity_id].get("origin", "nap") == "made_up"]
    if len(rows) == 1:
        row = next(rows.itertuples(index=False))
        parts = [w(f"kp.{code}_one", line=int(row.actielijn)), Span("‘"), ctx.dutch(row.title), Span("’.")]
        if row.explanation and with_explanation:
            quote = ("‘", "’") if ctx.language != "nl" else ("", "")
            parts += [Span(" " + w["kp.explanation"] + " " + quote[0]), ctx.dutch(row.explanation), Span(quote[1])]
        if made_up:
            parts.append(Span(" " + w["kp.made_up_one"]))
        return Paragraph.of(*parts)
    parts = [w(f"kp.{code}_many", n=len(rows), ids=ctx.w.join(list(rows["activity_id"])))]
    if made_up:
        if len(made_up) < len(rows):
            parts.append(" " + w("kp.made_up_some", n=len(made_up), ids=ctx.w.join(made_up)))
        else:
            parts.append(" " + (w("kp.made_up_two") if len(rows) == 2 else w("kp.made_up_all", n=len(made_up))))
    return Paragraph.of("".join(parts))


def changes_subsection(ctx: Context, changes: pd.DataFrame, figure: Figure | None = None) -> Section:
    """Improvements and setbacks since the previous report, counted and listed."""
    w = ctx.w
    sub = SectionView("changes", w("heading.changes", previous=ctx.previous or ""), level=3, language=ctx.language)
    if ctx.previous is None:
        sub.add(Paragraph.of(w["changes.no_previous"], style="note"))
        return sub
    counts = changes["change"].astype(str).value_counts()
    good = [
        w(f"change.{k}", n=int(counts[k])) for k in ("completed", "started", "recovered", "appeared") if counts.get(k)
    ]
    bad = [w(f"change.{k}", n=int(counts[k])) for k in ("delayed", "stopped", "regressed", "dropped") if counts.get(k)]
    if not good and not bad:
        sentence = w("kp.changes_none", previous=ctx.previous)
    else:
        sentence = w(
            "kp.changes",
            previous=ctx.previous,
            good=ctx.w.join(good) or w["changes.nothing_good"],
            bad=ctx.w.join(bad) or w["changes.nothing_bad"],
        )
    made_up = _made_up_in(ctx, changes["activity_id"])
    if made_up:
        sentence += " " + w("kp.changes_made_up", n=len(made_up), ids=ctx.w.join(made_up))
    sub.key_points.append(KeyPoint(RANK["changes"], Paragraph.of(sentence)))
    sub.add(Paragraph.of(sentence))
    if figure is not None:
        sub.add(figure)
    if len(changes):
        columns = [
            Column("activity_id", w["col.nr"], "text", width=0.5),
            Column("actielijn", w["col.actielijn_short"], "integer", width=0.6),
            Column("title", w["col.activity"], "text", width=3.2),
            Column("status_from", w("col.status_in", year=ctx.previous), "status", width=1.2),
            Column("status_to", w("col.status_in", year=ctx.year), "status", width=1.2),
            Column("change", w["col.change"], "text", width=1.1),
        ]
        origin = _origins(ctx)
        previous_labels = ctx.programme.labels(ctx.previous, ctx.language)
        rows = []
        for row in changes.itertuples(index=False):
            before = (
                Cell(previous_labels.get(row.status_from, row.status_from), icon=row.status_from)
                if isinstance(row.status_from, str)
                else Cell("", text=w["word.not_in_overview"])
            )
            after = (
                ctx.status_cell(row.status_to)
                if isinstance(row.status_to, str)
                else Cell("", text=w["word.not_in_overview"])
            )
            rows.append(
                [
                    row.activity_id,
                    int(row.actielijn),
                    ctx.title_cell(row.title, origin.get(row.activity_id, "nap")),
                    before,
                    after,
                    w[f"change_word.{row.change}"],
                ]
            )
        sub.add(
            Table(
                "veranderingen_sinds_vorig_jaar",
                w("table.changes", previous=ctx.previous, year=ctx.year),
                columns,
                rows,
            )
        )
    return sub


def _origins(ctx: Context) -> dict[str, str]:
    acts = ctx.programme.activities
    if "origin" not in acts:
        return {}
    return dict(zip(acts["activity_id"], acts["origin"].astype(str)))


def _made_up_in(ctx: Context, ids) -> list[str]:
    origin = _origins(ctx)
    return [i for i in ids if origin.get(i) == "made_up"]


# --------------------------------------------------------------------------- 3 motions


def motions_figure(ctx: Context, table: pd.DataFrame | None) -> Figure | None:
    if table is None:
        return None
    total = table[table["kind"].astype(str) == v.TOTAL]
    parts = [f"{int(n)} {ctx.labels[code]}" for code, n in zip(total["status"].astype(str), total["n"]) if n]
    alt = ctx.w("alt.motions", year=ctx.year, n=int(total["n"].sum()), parts=ctx.w.join(parts))
    fig = charts.motions_chart(table, ctx.labels, lang=ctx.language)
    charts.add_footnote(fig, provenance_paragraph(ctx, "motions").text)
    return charts.render(fig, "moties_en_toezeggingen", ctx.w("fig.motions", year=ctx.year), alt, lang=ctx.language)


def motions_section(ctx: Context, table: pd.DataFrame | None, figure: Figure | None = None) -> Section:
    """Motions and commitments: counts per status, the chart, a count table; the list is Bijlage 2."""
    if table is None:
        return skipped(ctx, "motions", "motions")
    w = ctx.w
    section = SectionView("motions", w["heading.motions"], language=ctx.language)
    total = table[table["kind"].astype(str) == v.TOTAL]
    counts = dict(zip(total["status"].astype(str), total["n"].astype(int)))
    n = sum(counts.values())
    sentence = w("kp.motions", n=n, year=ctx.year, parts=_status_counts_sentence(ctx, counts, v.MOTION_STATUSES))
    section.key_points.append(KeyPoint(RANK["motions"], Paragraph.of(sentence)))
    section.add(Paragraph.of(sentence, " ", w["motions.see_annex"]), relabel_note(ctx))
    if figure is not None:
        section.add(figure)
    columns = [Column("kind", w["col.kind"], "text", width=1.4)]
    columns += [Column(code, ctx.labels[code], "integer") for code in v.MOTION_STATUSES if counts.get(code)]
    columns.append(Column("n", w["col.total"], "integer"))
    rows = []
    for kind in list(v.MOTION_KINDS) + [v.TOTAL]:
        part = table[table["kind"].astype(str) == kind]
        by = dict(zip(part["status"].astype(str), part["n"].astype(int)))
        rows.append([w[f"kind_plural.{kind}"], *[by.get(c.key, 0) for c in columns[1:-1]], sum(by.values())])
    section.add(
        Table("moties_en_toezeggingen", w("table.motions", year=ctx.year), columns, rows),
        provenance_paragraph(ctx, "motions"),
    )
    return section


# --------------------------------------------------------------------------- 4 funds


def funds_figure(ctx: Context, lines: pd.DataFrame | None) -> Figure | None:
    if lines is None:
        return None
    money = lines[lines["total_eur"].notna()]
    parts = [
        ctx.w("alt.funds_line", ministry=m, instrument=i or "", amount=ctx.f.euro(t))
        for m, i, t in money.groupby(["ministry", "instrument"], sort=False, dropna=False)["total_eur"]
        .sum()
        .reset_index()
        .itertuples(index=False)
    ]
    none = sorted(set(lines.loc[lines["status"] == "no_funds", "ministry"]))
    alt = ctx.w("alt.funds", parts=ctx.w.join(parts))
    if none:
        alt += " " + ctx.w("alt.funds_none", ministries=ctx.w.join(none))
    fig = charts.funds_chart(lines, lang=ctx.language)
    return charts.render(fig, "middelen_per_instrument", ctx.w["fig.funds"], alt, lang=ctx.language)


def funds_section(
    ctx: Context, lines: pd.DataFrame | None, totals: pd.DataFrame | None, figure: Figure | None = None
) -> Section:
    """Funds as the memos give them: per instrument and purpose, the amount and period as stated."""
    if lines is None:
        return skipped(ctx, "funds", "funds")
    w, f = ctx.w, ctx.f
    section = SectionView("funds", w["heading.funds"], language=ctx.language)
    for row in totals[totals["parts"] > 1].itertuples(index=False):
        section.add(
            Paragraph.of(
                w(
                    "funds.instrument_total",
                    ministry=row.ministry,
                    instrument=row.instrument,
                    amount=f.euro(row.total_eur),
                    parts=row.parts,
                )
            )
        )
    if figure is not None:
        section.add(figure)
    columns = [
        Column("ministry", w["col.ministry"], "text", width=0.8),
        Column("instrument", w["col.instrument"], "text", width=1.4),
        Column("purpose", w["col.purpose"], "text", width=3.4),
        Column("period", w["col.period"], "text", width=1.0),
        Column("amount_eur", w["col.amount"], "euro", width=1.2),
        Column("basis", w["col.amount_basis"], "text", width=0.9),
        Column("status", w["col.fund_status"], "text", width=1.3),
        Column("note", w["col.note_ref"], "text", width=0.5),
        Column("interpretation", w["col.interpretation"], "text", export_only=True),
    ]
    rows, notes = [], []
    for row in lines.itertuples(index=False):
        period = _period_text(ctx, row.period)
        basis = w[f"amount_basis.{row.amount_basis}"] if not is_missing(row.amount_eur) else ""
        reference = ""
        if row.interpretation:  # what the data file had to read into a source, said in the table's notes
            notes.append(Paragraph.of(f"{len(notes) + 1}. ", ctx.dutch(row.interpretation), style="note"))
            reference = str(len(notes))
        rows.append(
            [
                row.ministry,
                row.instrument or "",
                Cell(row.purpose or "", lang=_nl(ctx)),
                period,
                None if is_missing(row.amount_eur) else float(row.amount_eur),
                basis,
                w[f"fund_status.{row.status}"],
                reference,
                Cell(row.interpretation or "", lang=_nl(ctx)),
            ]
        )
    notes.append(Paragraph.of(w["funds.note"], style="note"))
    section.add(Table("middelen", w["table.funds"], columns, rows, notes=notes))
    return section


def _period_text(ctx: Context, period) -> str:
    if is_missing(period) or not str(period):
        return ctx.w["funds.no_period"]
    start, _, end = str(period).partition("-")
    return ctx.f.period(int(start), int(end or start))


# --------------------------------------------------------------------------- 5 milestones


def milestones_figures(ctx: Context, table: pd.DataFrame | None) -> list[Figure]:
    """One chart per phase (the making of the NAP, a progress report's cycle), each on its own time
    axis: steps years apart are never squeezed onto one scale, and each chart fits half a page."""
    if table is None:
        return []
    figures = []
    phases = list(dict.fromkeys(table["phase"].fillna("").astype(str)))
    for number, phase in enumerate(phases, start=1):
        part = table[table["phase"].fillna("").astype(str) == phase]
        late = part[(part["slip_days"].fillna(0) > 0) | (part["slip_months"].fillna(0) > 0)]
        parts = [
            ctx.w("alt.milestone", milestone=m, planned=_when_text(ctx, p, pp), actual=_when_text(ctx, a, ap))
            for m, p, pp, a, ap in zip(
                late["milestone"], late["planned"], late["planned_precision"], late["actual"], late["actual_precision"]
            )
        ]
        alt = (
            ctx.w("alt.milestones", phase=phase, n=len(part), late=len(late), parts=ctx.w.join(parts))
            if parts
            else ctx.w("alt.milestones_on_time", phase=phase, n=len(part))
        )
        fig = charts.milestones_chart(part, lang=ctx.language)
        name = "planning_en_mijlpalen" if len(phases) == 1 else f"planning_en_mijlpalen_{number}"
        figures.append(charts.render(fig, name, ctx.w("fig.milestones", phase=phase), alt, lang=ctx.language))
    return figures


def _when_text(ctx: Context, value, precision) -> str:
    if is_missing(value):
        return ctx.w["word.unknown"]
    return ctx.f.month(value) if precision == "month" else ctx.f.date(value)


def milestones_section(ctx: Context, table: pd.DataFrame | None, figures: list[Figure] | None = None) -> Section:
    if table is None:
        return skipped(ctx, "milestones", "milestones")
    w = ctx.w
    section = SectionView("milestones", w["heading.milestones"], language=ctx.language)
    section.add(Paragraph.of(w["milestones.lead"]), *(figures or []))
    columns = [
        Column("phase", w["col.phase"], "text", width=1.3),
        Column("milestone", w["col.milestone"], "text", width=3),
        Column("planned", w["col.planned"], "date", width=1.2),
        Column("actual", w["col.actual"], "date", width=1.2),
        Column("slip", w["col.slip"], "text", width=1.0),
    ]
    rows = []
    for row in table.itertuples(index=False):
        if not is_missing(row.slip_months) and row.approximate:
            months = int(row.slip_months)
            slip = w("slip.about_months", n=f"{months:+d}".replace("-", "−")) if months else w["slip.same_month"]
        elif not is_missing(row.slip_days):
            days = int(row.slip_days)
            key = "slip.day" if abs(days) == 1 else "slip.days"  # '−1 dag', '+42 dagen'
            slip = w(key, n=f"{days:+d}".replace("-", "−")) if days else w["slip.on_time"]
        else:
            slip = ""
        rows.append(
            [
                Cell(row.phase, lang=_nl(ctx)),
                Cell(row.milestone, lang=_nl(ctx)),
                _when_cell(ctx, row.planned, row.planned_precision),
                _when_cell(ctx, row.actual, row.actual_precision),
                slip,
            ]
        )
    table_block = Table(
        "mijlpalen", w["table.milestones"], columns, rows, notes=[Paragraph.of(w["milestones.note"], style="note")]
    )
    section.add(table_block)
    return section


def _when_cell(ctx: Context, value, precision) -> Cell:
    """A date as the document shows it (a month as a month), with the date itself for Excel."""
    if is_missing(value):
        return Cell(None, text=ctx.w["word.unknown"])
    day = pd.Timestamp(value).date()
    return Cell(day, text=_when_text(ctx, value, precision), kind="month" if precision == "month" else "date")


# --------------------------------------------------------------------------- 6 indicators


def indicator_label(row, language: str) -> str:
    """The readable name of an indicator (``label_nl``/``label_en`` of the data), else its data string."""
    label = getattr(row, f"label_{language}", "") or getattr(row, "label_nl", "") or row.indicator
    return str(label)


def group_label(row, language: str) -> str:
    """The population of a figure in the document's language (``group_en`` of the data in English)."""
    return str((getattr(row, "group_en", "") if language == "en" else "") or row.group)


def indicators_figure(ctx: Context, intervals: pd.DataFrame | None, changes: pd.DataFrame | None) -> Figure | None:
    if intervals is None or changes is None:
        return None
    sig = changes[changes["significant"]]
    parts = [
        ctx.w(
            "alt.indicator",
            indicator=indicator_label(r, ctx.language),
            group=group_label(r, ctx.language),
            pct_from=ctx.f.percent_value(r.pct_from, 1),
            pct_to=ctx.f.percent_value(r.pct_to, 1),
            year_from=r.year_from,
            year_to=r.year_to,
        )
        for r in sig.itertuples(index=False)
    ]
    alt = (
        ctx.w("alt.indicators", n=len(changes), sig=len(sig), parts=ctx.w.join(parts))
        if parts
        else ctx.w("alt.indicators_none", n=len(changes))
    )
    shown = intervals.assign(
        indicator=[indicator_label(r, ctx.language) for r in intervals.itertuples(index=False)],
        group=[group_label(r, ctx.language) for r in intervals.itertuples(index=False)],
    )
    shown_changes = changes.assign(
        indicator=[indicator_label(r, ctx.language) for r in changes.itertuples(index=False)],
        group=[group_label(r, ctx.language) for r in changes.itertuples(index=False)],
    )
    fig = charts.indicators_chart(shown, shown_changes, lang=ctx.language)
    return charts.render(fig, "monitorindicatoren", ctx.w["fig.indicators"], alt, lang=ctx.language)


def with_labels(changes: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Indicator changes with the readable labels of the data contract."""
    for column in ("label_nl", "label_en"):
        if column not in indicators:
            indicators = indicators.assign(**{column: ""})
    if "group_en" not in indicators:
        indicators = indicators.assign(group_en="")
    labels = indicators[["monitor", "indicator", "group", "label_nl", "label_en", "group_en"]].drop_duplicates(
        ["monitor", "indicator", "group"]
    )
    return changes.merge(labels, on=["monitor", "indicator", "group"], how="left").fillna(
        {"label_nl": "", "label_en": "", "group_en": ""}
    )


def indicators_section(ctx: Context, changes: pd.DataFrame | None, figure: Figure | None = None) -> Section:
    """Monitor figures: which changes are larger than chance, in plain words; the test in the Verantwoording."""
    if changes is None:
        return skipped(ctx, "indicators", "indicators")
    w, f = ctx.w, ctx.f
    section = SectionView("indicators", w["heading.indicators"], language=ctx.language)
    tested = changes[changes["p_value"].notna()]
    significant = tested[tested["significant"]]
    lead = w("kp.indicators", pairs=len(changes), tested=len(tested), sig=len(significant))
    points = [lead] + [_change_sentence(ctx, r) for r in significant.itertuples(index=False)]
    section.key_points.append(KeyPoint(RANK["indicators"], Paragraph.of(" ".join(points[:3]))))  # a minute's reading
    section.add(
        Paragraph.of(lead),
        BulletList([Paragraph.of(_change_sentence(ctx, r)) for r in changes.itertuples(index=False)]),
    )
    if figure is not None:
        section.add(figure)
    columns = [
        Column("indicator", w["col.indicator"], "text", width=3),
        Column("group", w["col.group"], "text", width=1),
        Column("year_from", w["col.year_from"], "year", width=0.6),
        Column("year_to", w["col.year_to"], "year", width=0.6),
        Column("pct_from", w["col.pct_from"], "percent", 1, width=0.7),
        Column("pct_to", w["col.pct_to"], "percent", 1, width=0.7),
        Column("diff_pp", w["col.diff_pp"], "pp", 1, width=0.8),
        Column("ci", w["col.ci"], "text", width=1.2),
        Column("verdict", w["col.verdict"], "text", width=1.6),
    ]
    rows = []
    for r in changes.itertuples(index=False):
        ci = (
            w("ci.range", low=f.number(r.ci_low_pp, 1, sign=True), high=f.number(r.ci_high_pp, 1, sign=True))
            if not is_missing(r.ci_low_pp)
            else ""
        )
        rows.append(
            [
                Cell(
                    indicator_label(r, ctx.language),
                    lang=None if (getattr(r, f"label_{ctx.language}", "")) else _nl(ctx),
                ),
                Cell(group_label(r, ctx.language), lang=None if getattr(r, "group_en", "") else _nl(ctx)),
                int(r.year_from),
                int(r.year_to),
                float(r.pct_from),
                float(r.pct_to),
                float(r.diff_pp),
                ci,
                _verdict(ctx, r),
            ]
        )
    section.add(
        Table(
            "monitorindicatoren",
            w["table.indicators"],
            columns,
            rows,
            notes=[Paragraph.of(w["indicators.note"], style="note")],
        )
    )
    section.methods.append(Paragraph.of(w("method.indicators", q=f.number(0.05, 2))))
    return section


def _verdict(ctx: Context, r) -> str:
    if not is_missing(r.p_value):
        return ctx.w["verdict.significant"] if r.significant else ctx.w["verdict.chance"]
    return ctx.w[f"verdict.{r.reason or 'no_n_both'}"]


def _change_sentence(ctx: Context, r) -> str:
    w, f = ctx.w, ctx.f
    fields = {
        "indicator": indicator_label(r, ctx.language),
        "group": group_label(r, ctx.language),
        "year_from": r.year_from,
        "year_to": r.year_to,
        "pct_from": f.percent_value(r.pct_from, 1),
        "pct_to": f.percent_value(r.pct_to, 1),
        "diff": f.points(r.diff_pp),
    }
    if is_missing(r.p_value):
        return w(
            "indicator.untested",
            **fields,
            reason=w[f"reason.{r.reason or 'no_n_both'}"].format(year_from=r.year_from, year_to=r.year_to),
        )
    return w("indicator.significant" if r.significant else "indicator.chance", **fields)


# --------------------------------------------------------------------------- 7 transitions, delays


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


# --------------------------------------------------------------------------- 8 projection


def projection_figure(ctx: Context, projection) -> Figure:
    history = projection.history.assign(share_completed=projection.history["share_completed"] / 100)
    view = {
        "possible": projection.possible,
        "expected_share": projection.expected_share / 100,
        "low": projection.low / 100,
        "high": projection.high / 100,
        "end": projection.end,
        "reason": w_reason(ctx, projection),
    }
    fig = charts.projection_chart(history, view, lang=ctx.language, labels=ctx.labels)
    charts.add_footnote(fig, provenance_paragraph(ctx).text)
    parts = [
        ctx.w("alt.projection_year", year=int(y), share=ctx.f.percent_value(s, 0))
        for y, s in zip(projection.history["report_year"], projection.history["share_completed"])
    ]
    alt = ctx.w("alt.projection", label=ctx.labels["completed"], parts=ctx.w.join(parts))
    if projection.possible:
        alt += " " + ctx.w(
            "alt.projection_end",
            date=ctx.f.date(projection.end),
            share=ctx.f.percent_value(projection.expected_share, 0),
            low=ctx.f.percent_value(projection.low, 0),
            high=ctx.f.percent_value(projection.high, 0),
        )
    else:
        alt += " " + ctx.w("alt.projection_none", reason=w_reason(ctx, projection))
    return charts.render(
        fig, "projectie_afgerond", ctx.w("fig.projection", date=ctx.f.date(projection.end)), alt, lang=ctx.language
    )


def w_reason(ctx: Context, projection) -> str:
    if projection.possible:
        return ""
    return ctx.w(
        f"projection.reason.{projection.reason}", last=projection.last_report_year or "", end=ctx.f.date(projection.end)
    )


def projection_section(ctx: Context, projection, figure: Figure | None = None) -> Section:
    w, f = ctx.w, ctx.f
    section = SectionView("projection", w("heading.projection", date=f.date(projection.end)), language=ctx.language)
    if projection.possible:
        n = int(projection.history["n"].iloc[-1])
        sentence = w(
            "kp.projection",
            end=f.date(projection.end),
            share=f.percent_value(projection.expected_share, 0),
            low=f.percent_value(projection.low, 0),
            high=f.percent_value(projection.high, 0),
            n=n,
            label=ctx.status_text("completed"),
        )
        section.methods.append(
            Paragraph.of(
                w(
                    "method.projection",
                    k=projection.completed_at_risk,
                    m=projection.at_risk,
                    a=f.number(projection.completed_at_risk + 0.5, 1, strip=True),
                    b=f.number(projection.at_risk - projection.completed_at_risk + 0.5, 1, strip=True),
                    last=projection.last_report_year,
                    end=f.date(projection.end),
                    pct=f.percent(projection.confidence),
                )
            )
        )
    else:
        sentence = w("kp.no_projection", reason=w_reason(ctx, projection))
    section.key_points.append(KeyPoint(RANK["projection"], Paragraph.of(sentence)))
    section.add(Paragraph.of(sentence))
    if figure is not None:
        section.add(figure)
    columns = [
        Column("report_year", w["col.report_year"], "year"),
        Column("share_completed", w["col.share_completed_plain"], "share", 1),
        Column("n", w["col.n_not_stopped"], "integer"),
        Column("n_illustrative", w["col.of_which_illustrative"], "integer", export_only=True),
    ]
    acts = ctx.programme.activities
    acts = acts[acts["status"].astype(str) != "stopped"]
    illustrative = (acts["status_basis"].astype(str) == "illustrative").groupby(acts["report_year"]).sum()
    rows = [
        [int(y), float(s) / 100 if not is_missing(s) else None, int(n), int(illustrative.get(int(y), 0))]
        for y, s, n in zip(
            projection.history["report_year"], projection.history["share_completed"], projection.history["n"]
        )
    ]
    section.add(Table("projectie_historie", w["table.projection"], columns, rows, notes=[provenance_paragraph(ctx)]))
    return section


# --------------------------------------------------------------------------- the document's frame


def today_or(date: str | None) -> str:
    return date or dt.date.today().isoformat()
