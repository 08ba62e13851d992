"""The section model: what every document is made of, built once, rendered three times.

A :class:`Document` (the briefing, Bijlage 1, Bijlage 2) is a title block and a list of
:class:`Section`; a section holds paragraphs, bullet lists, tables and figures, plus the key
points and method notes it contributes to the briefing's "Kernpunten" and "Verantwoording".
The same objects go to HTML (:mod:`.render.html`), PDF (the same HTML, printed) and Word
(:mod:`.render.docx`), so a change shows in all three.

Sections travel from a notebook's kernel to the run as JSON (:data:`MIMETYPE` in the cell's
output): a section notebook *displays* its section (:mod:`.display`), the executed notebook
carries it, and the run assembles the documents from what the notebooks computed (nothing is
computed twice).
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from dataclasses import dataclass, field, fields
from typing import Any, Union

#: The mimetype under which a section rides in a notebook output.
MIMETYPE = "application/vnd.nap.section+json"
#: Bumped when the JSON shape changes; a notebook executed with another model is refused.
MODEL_VERSION = 1


@dataclass
class Span:
    """A run of text; ``lang`` is set when it is in another language than the document
    (a Dutch title quoted in an English briefing), ``strong`` for emphasis, ``mark`` 'ins' or
    'del' for words added or removed since an earlier version (the overview of changes)."""

    text: str
    lang: str | None = None
    strong: bool = False
    mark: str | None = None


Inline = str | Span


def spans(*parts: Inline) -> list[Span]:
    return [p if isinstance(p, Span) else Span(str(p)) for p in parts if p != ""]


@dataclass
class Paragraph:
    """A paragraph: ``style`` is 'body', 'note' (grey box) or 'warning' (the provenance box)."""

    spans: list[Span]
    style: str = "body"

    @classmethod
    def of(cls, *parts: Inline, style: str = "body") -> Paragraph:
        return cls(spans(*parts), style)

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


@dataclass
class BulletList:
    items: list[Paragraph]


@dataclass
class Cell:
    """A table cell that is more than its value: a status with its icon, a title with a badge.

    ``value`` is what a spreadsheet gets; ``text`` what a document shows (default: the value
    formatted by its column's kind); ``icon`` a status code whose icon precedes the text;
    ``badge`` a short mark beside the text (e.g. 'fictief'), also written into CSV cells;
    ``kind`` overrides the column's kind for this cell (a date known only to the month).
    """

    value: Any
    text: str | None = None
    icon: str | None = None
    badge: str | None = None
    lang: str | None = None
    kind: str | None = None


@dataclass
class Column:
    """A table column: ``kind`` decides formatting in documents and number formats in Excel.

    Kinds: text, integer, number (``decimals``), share (0-1, shown as %), percent (0-100),
    pp (percentage points), euro, date, month, year, pvalue, status (a :class:`Cell` with icon).
    ``width`` is a relative width hint for print and Word (None: share the rest); an
    ``export_only`` column goes to the CSV and the workbook, not into the document (a long
    note the document gives below the table instead).
    """

    key: str
    label: str
    kind: str = "text"
    decimals: int = 0
    width: float | None = None
    export_only: bool = False


@dataclass
class Table:
    """A table: ``name`` is its file stem in ``tables/`` and its sheet in the workbook (None:
    shown in the document only). ``notes`` go under it (provenance, interpretation)."""

    name: str | None
    caption: str
    columns: list[Column]
    rows: list[list[Any]]
    notes: list[Paragraph] = field(default_factory=list)
    header_rows: int = 1

    def values(self) -> list[list[Any]]:
        """The typed values, cells unwrapped (for spreadsheets and tests)."""
        return [[c.value if isinstance(c, Cell) else c for c in row] for row in self.rows]

    def for_document(self) -> Table:
        """The table as a document shows it: without its export-only columns."""
        keep = [j for j, c in enumerate(self.columns) if not c.export_only]
        if len(keep) == len(self.columns):
            return self
        return Table(
            self.name,
            self.caption,
            [self.columns[j] for j in keep],
            [[row[j] for j in keep] for row in self.rows],
            self.notes,
            self.header_rows,
        )


@dataclass
class Figure:
    """A chart: PNG at 200 dpi for documents, SVG (text as text) for the nota writer."""

    name: str
    caption: str
    alt: str
    png: bytes
    svg: bytes | None = None
    notes: list[Paragraph] = field(default_factory=list)
    width_mm: float = 160.0

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"image/png": base64.b64encode(self.png).decode("ascii"), "text/plain": self.caption}
        return data, {"image/png": {"alt": self.alt}}


Block = Union[Paragraph, BulletList, Table, Figure, "Section"]


@dataclass
class KeyPoint:
    """A sentence a section contributes to the briefing's key points; ``rank`` orders them."""

    rank: int
    paragraph: Paragraph
    #: the sentence rests only on made-up rows
    #: (:attr:`~nap_analysis.analysis.footing.Footing.only_made_up` of the rows it rests on)
    only_made_up: bool = False

    @property
    def shown(self) -> bool:
        """A claim that rests only on made-up rows is no key point (its section says it, with its footing)."""
        return not self.only_made_up


@dataclass
class Section:
    """One section of a document: a heading and blocks (subsections are blocks too)."""

    key: str
    heading: str
    blocks: list[Block] = field(default_factory=list)
    level: int = 2
    language: str = "nl"
    key_points: list[KeyPoint] = field(default_factory=list)
    methods: list[Paragraph] = field(default_factory=list)

    def add(self, *blocks: Block | None) -> Section:
        """Append the blocks; a None (an optional block that is not there) is left out."""
        self.blocks.extend(b for b in blocks if b is not None)
        return self

    def walk(self):
        """Every block of the section and its subsections, depth first."""
        for block in self.blocks:
            yield block
            if isinstance(block, Section):
                yield from block.walk()

    def tables(self) -> list[Table]:
        return [b for b in self.walk() if isinstance(b, Table)]

    def figures(self) -> list[Figure]:
        return [b for b in self.walk() if isinstance(b, Figure)]


@dataclass
class Document:
    """A whole document: a title block, then its sections."""

    kind: str  # 'briefing', 'bijlage-1', 'bijlage-2', 'notebook'
    language: str
    title: str
    subtitle: str
    sections: list[Section]
    meta: list[tuple[str, str]] = field(default_factory=list)  # title block: label, value
    warning: Paragraph | None = None  # what the reader must know first (provenance)
    kicker: str = ""  # the line above the title ('Concept – niet voor verspreiding')
    footer: str = ""  # left page footer
    date: str = ""  # ISO date of the document (metadata)
    keywords: list[str] = field(default_factory=list)

    def walk(self):
        for section in self.sections:
            yield section
            yield from section.walk()

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.tables()]

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.figures()]


# --------------------------------------------------------------------------- JSON

_MODEL_TYPES = (Span, Paragraph, BulletList, Cell, Column, Table, Figure, KeyPoint, Section, Document)
_TYPES = {cls.__name__: cls for cls in _MODEL_TYPES}


def _encode(value):
    if isinstance(value, _MODEL_TYPES):
        kind = next(cls.__name__ for cls in type(value).__mro__ if _TYPES.get(cls.__name__) is cls)
        out: dict[str, Any] = {"$type": kind}  # a subclass (a section that displays itself) travels as its model class
        for f in fields(value):
            item = getattr(value, f.name)
            if isinstance(item, bytes):
                out[f.name] = {"$bytes": base64.b64encode(item).decode("ascii")}
            else:
                out[f.name] = _encode(item)
        return out
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, dt.datetime):
        return {"$date": value.date().isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp
        return {"$date": value.to_pydatetime().date().isoformat()}
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if value != value:  # pd.NA, NaT
        return None
    raise TypeError(f"cannot put {type(value).__name__} into a section: {value!r}")


def _decode(value):
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if "$bytes" in value:
            return base64.b64decode(value["$bytes"])
        if "$date" in value:
            return dt.date.fromisoformat(value["$date"])
        kind = value.get("$type")
        if kind in _TYPES:
            cls = _TYPES[kind]
            names = {f.name for f in fields(cls)}
            obj = cls(**{k: _decode(v) for k, v in value.items() if k in names})
            if isinstance(obj, Document):  # JSON has no tuples: each [label, value] back to a pair
                obj.meta = [(label, text) for label, text in obj.meta]
            return obj
        return {k: _decode(v) for k, v in value.items()}
    return value


def to_json(obj) -> dict:
    """A section or document as JSON-ready data (bytes base64, dates ISO)."""
    return {"model_version": MODEL_VERSION, "content": _encode(obj)}


def from_json(data: dict):
    if not isinstance(data, dict) or data.get("model_version") != MODEL_VERSION:
        raise ValueError("section made with another version of nap-analysis")
    return _decode(data["content"])


def sections_in_notebook(nb) -> list[Section]:
    """The sections a notebook displayed, in cell order (an executed notebook's outputs)."""
    found = []
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) or []:
            data = output.get("data", {}) if isinstance(output, dict) else {}
            if MIMETYPE in data:
                found.append(from_json(data[MIMETYPE]))
    return found
