"""Ready to send? What a person who assembles the yearly report would otherwise find by reading.

``check`` reads the data of one report year and, where a run wrote them, its documents, and lists
each finding with the item it concerns, the document and the words concerned:

- ``basis``: a row shown in the documents whose status is not ``stated`` (inferred or
  illustrative), or a made-up row: every claim that rests on it rests on something other than an
  official annex;
- ``internal``: a phrase of ``internal_phrases.csv`` (words that belong in the nota) in the text of a
  document for the Kamer (Bijlage 1, Bijlage 2, the Kamerbrief) or in the row texts they show;
- ``contradiction``: an explanation that says another status than the row has ("vertraagd" beside
  completed, "afgedaan" beside in progress);
- ``label``: a status word of the year that reads as another status ("wordt invulling gegeven aan"
  for completed reads as in progress) where explanations of that status say otherwise;
- ``overdue``: a commitment whose ``due`` date lies before the report date and is still open;
- ``later``: a row text of the report year that cites a date after the report's date (a report may
  plan ahead, not know ahead), or a document dated after the report;
- ``counts``: the number of items per status differs between the data, the briefing's table and
  the annexes.

The checks are the same words in every language; the patterns read the Dutch the data are written
in. Exit codes (command line): 0 nothing found, 1 findings, 2 bad data.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from ..data import vocabulary as v
from ..data.programme import Programme
from ..data.vocabulary import misleading_labels, statuses_said
from ..words import words

#: The documents a run writes, by file stem, and who reads them.
PUBLIC = ("bijlage-1-activiteiten", "bijlage-2-moties-en-toezeggingen", "kamerbrief")
INTERNAL = ("briefing", "nota-bewindspersonen")
KINDS = ("basis", "internal", "contradiction", "label", "overdue", "later", "counts")

#: The Dutch month names of the catalogue: the data are written in Dutch whatever the run's language.
_MONTHS = words("nl")["months"]
_MONTH = "|".join(_MONTHS)
#: Dates as the data write them: 13-03-2025, 2025-03-13, 13 maart 2025, maart 2025.
_DATES = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})-(?P<m1>\d{{1,2}})-(?P<y1>\d{{4}})"
    rf"|(?P<y2>\d{{4}})-(?P<m2>\d{{2}})-(?P<d2>\d{{2}})"
    rf"|(?:(?P<d3>\d{{1,2}})\s+)?(?P<m3>{_MONTH})\s+(?P<y3>\d{{4}}))\b",
    re.I,
)
#: Words before a later date that make it a plan, not knowledge ("gepland in juni 2025").
_PLANNED = re.compile(
    r"\b(gepland|verwacht|volgende?|streven|planning|uiterlijk|komt|zal|zullen|wil|wordt|worden|voor|vóór|tot)\b",
    re.I,
)


@dataclass(frozen=True)
class Finding:
    """One thing to look at before sending: what, where, which words, and the message."""

    kind: str
    item: str  # an activity or motion id, a status code, or "" for a whole document
    document: str  # a file stem of the run, or the data file
    words: str
    message: str

    def line(self) -> str:
        where = " · ".join(part for part in (self.item, self.document) if part)
        return f"{where}: {self.message}" + (f' — "{self.words}"' if self.words else "")


def check(programme: Programme, year: int, out_dir: Path | None = None, language: str = "nl") -> list[Finding]:
    """Every finding for one report year: the data, and the documents in ``out_dir`` if given."""
    w = words(language)
    found: list[Finding] = []
    report_date = programme.report_date(year)
    shown = _shown_rows(programme, year)
    found += _basis(shown, w)
    found += _contradictions(shown, w)
    found += _labels(programme, year, shown, w)
    found += _overdue(programme, year, report_date, w)
    found += _later_dates(shown, report_date, w)
    phrases = _phrases(programme)
    found += _internal_in_rows(shown, phrases, w)
    if out_dir is not None and Path(out_dir).is_dir():
        texts = {stem: _read_html(Path(out_dir) / f"{stem}.html") for stem in PUBLIC + INTERNAL}
        texts = {stem: parsed for stem, parsed in texts.items() if parsed is not None}
        found += _internal_in_documents(texts, shown, phrases, w)
        found += _counts(programme, year, Path(out_dir), texts, language, w)
        found += _document_dates(texts, report_date, language, w)
    return sorted(set(found), key=lambda f: (KINDS.index(f.kind), f.document, f.item, f.words))


# --------------------------------------------------------------------------- the rows


def _shown_rows(programme: Programme, year: int) -> pd.DataFrame:
    """The activities and motions of the year as the annexes show them, in one tidy table."""
    frames = []
    for table, id_column, document in (
        ("activities", "activity_id", "bijlage-1-activiteiten"),
        ("motions", "item_id", "bijlage-2-moties-en-toezeggingen"),
    ):
        rows = getattr(programme, table)
        if rows is None:
            continue
        rows = rows[rows["report_year"] == year]
        frames.append(
            pd.DataFrame(
                {
                    "table": table,
                    "item": rows[id_column].astype(str),
                    "document": document,
                    "title": rows["title"].astype(str),
                    "status": rows["status"].astype(str),
                    "basis": rows["status_basis"].astype(str),
                    "origin": rows["origin"].astype(str),
                    "explanation": rows["explanation"].fillna("").astype(str),
                    "internal_note": rows["internal_note"].fillna("").astype(str),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _basis(shown: pd.DataFrame, w) -> list[Finding]:
    unofficial = shown[(shown["basis"] != "stated") | (shown["origin"] == "made_up")]
    found = []
    for row in unofficial.itertuples(index=False):
        key = "check.basis.made_up" if row.origin == "made_up" else "check.basis"
        found.append(Finding("basis", row.item, row.document, row.title, w(key, basis=w[f"basis.{row.basis}"])))
    return found


def _clauses(text: str) -> list[str]:
    return [part for part in re.split(r"[;.]\s", text) if part.strip()]


def _contradictions(shown: pd.DataFrame, w) -> list[Finding]:
    found = []
    for row in shown.itertuples(index=False):
        said = statuses_said(row.explanation)
        if said and row.status not in said:
            words_said = w.join([w[f"status.{s}"] for s in sorted(said)])
            found.append(
                Finding(
                    "contradiction",
                    row.item,
                    row.document,
                    row.explanation,
                    w("check.contradiction", status=w[f"status.{row.status}"], said=words_said),
                )
            )
    return found


def _labels(programme: Programme, year: int, shown: pd.DataFrame, w) -> list[Finding]:
    """A status word that reads as another status, where rows of that status explain otherwise."""
    rows = zip(shown["item"], shown["status"], shown["explanation"])
    return [
        Finding(
            "label",
            found.status,
            "status_labels.csv",
            found.word,
            w(
                "check.label",
                year=year,
                status=w[f"status.{found.status}"],
                reads=w.join([w[f"status.{s}"] for s in found.reads]),
                n=len(found.own),
                ids=", ".join(found.own) or "-",
            ),
        )
        for found in misleading_labels(programme.labels(year, "nl"), rows)
    ]


def _overdue(programme: Programme, year: int, report_date: date | None, w) -> list[Finding]:
    motions = programme.motions
    if motions is None or report_date is None or "due" not in motions:
        return []
    rows = motions[motions["report_year"] == year]
    due = pd.to_datetime(rows["due"].where(rows["due"].astype(str) != ""), errors="coerce")
    open_ = rows["status"].astype(str).isin(["in_progress", "delayed", "not_started"])
    late = rows[open_ & due.notna() & (due < pd.Timestamp(report_date))]
    return [
        Finding(
            "overdue",
            str(row.item_id),
            "bijlage-2-moties-en-toezeggingen",
            str(row.title),
            w("check.overdue", due=pd.Timestamp(d).date().isoformat(), date=report_date.isoformat()),
        )
        for row, d in zip(late.itertuples(index=False), due[late.index])
    ]


def _dates_in(text: str) -> list[tuple[date, str, int]]:
    """Every date a text names: (the last day it can mean, the words, where)."""
    found = []
    for match in _DATES.finditer(text):
        g = match.groupdict()
        try:
            if g["y1"]:
                when = date(int(g["y1"]), int(g["m1"]), int(g["d1"]))
            elif g["y2"]:
                when = date(int(g["y2"]), int(g["m2"]), int(g["d2"]))
            else:
                month = _MONTHS.index(g["m3"].lower()) + 1
                day = int(g["d3"]) if g["d3"] else 1  # a month is known from its first day
                when = date(int(g["y3"]), month, day)
        except ValueError:
            continue
        found.append((when, match.group(0), match.start()))
    return found


def _later_dates(shown: pd.DataFrame, report_date: date | None, w) -> list[Finding]:
    """Row texts that know something dated after the report: a later date that is not a plan."""
    if report_date is None:
        return []
    found = []
    for row in shown.itertuples(index=False):
        for field in ("explanation", "internal_note", "title"):
            text = getattr(row, field)
            for clause in _clauses(text):
                for when, said, _ in _dates_in(clause):
                    if when <= report_date or _PLANNED.search(clause):
                        continue
                    found.append(
                        Finding(
                            "later",
                            row.item,
                            row.document,
                            said,
                            w("check.later", field=field, date=report_date.isoformat()),
                        )
                    )
    return found


# --------------------------------------------------------------------------- internal words


def _phrases(programme: Programme) -> list[tuple[str, re.Pattern]]:
    table = programme.internal_phrases
    if table is None:
        return []
    return [
        (phrase, re.compile(rf"(?<!\w){re.escape(phrase.strip())}(?!\w)", re.I))
        for phrase in table["phrase"].astype(str)
        if phrase.strip()
    ]


def _internal_in_rows(shown: pd.DataFrame, phrases, w) -> list[Finding]:
    found = []
    for row in shown.itertuples(index=False):
        for field in ("title", "explanation"):
            for phrase, pattern in phrases:
                if pattern.search(getattr(row, field)):
                    found.append(Finding("internal", row.item, row.document, phrase, w("check.internal", field=field)))
    return found


def _internal_in_documents(texts: dict, shown: pd.DataFrame, phrases, w) -> list[Finding]:
    """Phrases in a public document's own words (not already named in a row it shows)."""
    found = []
    for stem, parsed in texts.items():
        if stem not in PUBLIC:
            continue
        text = parsed.text
        for field in ("title", "explanation"):
            for value in shown.loc[shown["document"] == stem, field]:
                text = text.replace(value, " ")
        for phrase, pattern in phrases:
            for match in pattern.finditer(text):
                around = " ".join(text[max(0, match.start() - 50) : match.end() + 50].split())
                found.append(Finding("internal", "", stem, f"…{around}…", w("check.internal_document", phrase=phrase)))
    return found


# --------------------------------------------------------------------------- documents


class _Page(HTMLParser):
    """The visible text of a document, and the status of each table row headed by an id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.rows: list[tuple[str, str]] = []  # (row header, status code)
        self.meta: dict[str, str] = {}
        self._skip = 0
        self._row_head: list[str] | None = None
        self._status = ""
        self._in_row_head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "svg"):
            self._skip += 1
        elif tag == "meta" and attrs.get("name"):
            self.meta[attrs["name"]] = attrs.get("content") or ""
        elif tag == "tr":
            self._row_head, self._status = [], ""
        elif tag == "th" and attrs.get("scope") == "row":
            self._in_row_head = True
        elif tag == "span" and self._row_head is not None:
            for name in (attrs.get("class") or "").split():
                if name.startswith("nap-status-"):
                    self._status = name.removeprefix("nap-status-")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "svg"):
            self._skip = max(0, self._skip - 1)
        elif tag == "th":
            self._in_row_head = False
        elif tag == "tr" and self._row_head is not None:
            head = "".join(self._row_head).strip()
            if head and self._status:
                self.rows.append((head, self._status))
            self._row_head = None
        if tag in ("p", "li", "td", "th", "h1", "h2", "h3", "div", "tr", "caption"):
            self.parts.append("\n")

    def handle_data(self, data):
        if self._skip:
            return
        self.parts.append(data)
        if self._in_row_head and self._row_head is not None:
            self._row_head.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"[ \t]+", " ", "".join(self.parts))


def _read_html(path: Path) -> _Page | None:
    if not path.is_file():
        return None
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def _counts(programme: Programme, year: int, out_dir: Path, texts: dict, language: str, w) -> list[Finding]:
    """Items per status: the data, the annexes' rows and the briefing's progress table agree."""
    found = []
    acts = programme.activities[programme.activities["report_year"] == year]
    data_counts = acts["status"].astype(str).value_counts().to_dict()
    sources: dict[str, dict[str, int]] = {}
    ids = set(acts["activity_id"].astype(str))
    annex = texts.get("bijlage-1-activiteiten")
    if annex is not None:
        sources["bijlage-1-activiteiten"] = _tally(status for head, status in annex.rows if head in ids)
    table = out_dir / "tables" / "voortgang_per_actielijn.csv"
    if table.is_file():
        sources["tables/voortgang_per_actielijn.csv"] = _briefing_counts(table, programme.labels(year, language))
    motions = programme.motions
    if motions is not None and texts.get("bijlage-2-moties-en-toezeggingen") is not None:
        rows = motions[motions["report_year"] == year]
        item_ids = set(rows["item_id"].astype(str))
        shown = _tally(s for h, s in texts["bijlage-2-moties-en-toezeggingen"].rows if h in item_ids)
        expected = rows["status"].astype(str).value_counts().to_dict()
        if shown != expected:
            found.append(_count_finding("bijlage-2-moties-en-toezeggingen", shown, expected, w))
    for document, counted in sources.items():
        if counted != data_counts:
            found.append(_count_finding(document, counted, data_counts, w))
    return found


def _tally(statuses) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return counts


def _briefing_counts(path: Path, labels: dict[str, str]) -> dict[str, int]:
    """The 'Totaal' row of the briefing's progress table, read back by the year's status words."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        text = handle.read()
    # the tables' dialect: ';' for Dutch Excel, ',' in an English run
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if ";" in text.split("\n", 1)[0] else ","))
    header, total = rows[0], rows[-1]
    by_word = {word: code for code, word in labels.items() if code in v.ACTIVITY_STATUSES}
    counts = {}
    for name, value in zip(header, total):
        if name in by_word and value.strip().isdigit() and int(value):
            counts[by_word[name]] = int(value)
    return counts


def _count_finding(document: str, counted: dict, expected: dict, w) -> Finding:
    def said(counts):
        return ", ".join(f"{w[f'status.{s}']} {counts[s]}" for s in sorted(counts)) or "0"

    return Finding("counts", "", document, said(counted), w("check.counts", expected=said(expected)))


def _document_dates(texts: dict, report_date: date | None, language: str, w) -> list[Finding]:
    """A document dated after its report (the cover's date comes from the run, not the report)."""
    if report_date is None:
        return []
    found = []
    for stem, parsed in texts.items():
        dated = parsed.meta.get("dcterms.created") or ""
        try:
            when = date.fromisoformat(dated[:10])
        except ValueError:
            continue
        if when > report_date:
            found.append(Finding("later", "", stem, dated[:10], w("check.document_date", date=report_date.isoformat())))
    return found


def counts(findings: list[Finding]) -> dict[str, int]:
    """How many findings of each kind, every kind in KINDS order (0 where none)."""
    return {kind: sum(f.kind == kind for f in findings) for kind in KINDS}


def as_json(findings: list[Finding], year: int, checked_documents: bool) -> dict:
    """The ``--json`` shape (documented in the README): the findings and their count per kind."""
    return {
        "year": year,
        "documents_checked": checked_documents,
        "counts": counts(findings),
        "findings": [asdict(f) for f in findings],
    }
