"""A document as one self-contained HTML page (CSS inline, figures as data URIs, no scripts).

The same page is what the PDF prints (:mod:`.pdf`), so screen and print cannot drift apart.
Everything from the data is escaped by the template engine; the only markup that is not
escaped is the project's own icons.
"""

from __future__ import annotations

import base64
import math
import re
import struct
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from ... import __version__
from .. import icons
from ..format import fmt
from ..model import BulletList, Document, Figure, Paragraph, Section, Table
from . import cells

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


#: Print metrics of a table cell at 8 pt (nap.css): mean character width, line height, padding,
#: and the width of the text column (A4 less 2 x 20 mm).
_CHAR_MM, _LINE_MM, _PAD_MM, _TEXT_MM = 1.55, 3.7, 2.4, 170
#: A word longer than this many characters may break anywhere (overflow-wrap) rather than widen its column.
_LONGEST_WORD = 16
#: The header is bold: DejaVu Sans Bold is 13-17% wider (measured on the headers' words). Without
#: it a browser, which does not hyphenate Dutch, broke 'vertraag/d' and 'stopgeze/t'.
_BOLD = 1.17


_KINDS = (Paragraph, BulletList, Table, Figure, Section)


def kind_of(block) -> str:
    """The model class a block is an instance of, so a subclass (a notebook's SectionView) renders
    as its base: by name a subsection shown in a notebook was silently left out."""
    return next((cls.__name__ for cls in _KINDS if isinstance(block, cls)), type(block).__name__)


def _longest_word(cell, column, f) -> int:
    text = cells.plain(cell, column, f)
    longest = max((len(word) for word in text.split()), default=0)
    if cells.icon_of(cell):
        longest += 2  # the icon stands before the first word
    return min(longest, _LONGEST_WORD)


def _minimum_mm(table: Table, scale: float) -> list[float]:
    """Per column the width of its longest word (header words bold), at ``scale`` x 8 pt."""
    f = fmt("nl")
    minimum = []
    for j, column in enumerate(table.columns):
        words = [min(len(w), _LONGEST_WORD) * _BOLD for w in column.label.split()] + [
            _longest_word(row[j], column, f) for row in table.rows[:300]
        ]
        minimum.append(max(words or [1]) * _CHAR_MM * scale + _PAD_MM)
    return minimum


def _widths(table: Table, scale: float | None = None) -> tuple[float, ...]:
    table = table.for_document()
    if scale is None:
        scale = _COMPACT if compact(table) else 1.0
    f = fmt("nl")
    n = len(table.columns)
    minimum = _minimum_mm(table, scale)
    if sum(minimum) >= _TEXT_MM:  # too many columns for the page: share by the minimum widths
        return tuple(round(100 * m / sum(minimum), 2) for m in minimum)
    hints = [c.width for c in table.columns]
    if all(h is None for h in hints):
        hints = [sum(len(cells.plain(row[j], table.columns[j], f)) for row in table.rows[:300]) + 1 for j in range(n)]
    given = [h for h in hints if h]
    weights = [h or (sum(given) / len(given)) for h in hints]
    extra = _TEXT_MM - sum(minimum)
    widths = [m + extra * w / sum(weights) for m, w in zip(minimum, weights)]
    return tuple(round(100 * w / _TEXT_MM, 2) for w in widths)


#: No figure is shown taller than this: a figure that moves to the next page then leaves the page
#: before it at least half full ...
MAX_FIGURE_MM = 112.0
#: ... unless narrowing it that far would set its text smaller than this (points, as printed).
MIN_CHART_FONT_PT = 6.0
#: The smallest text the house style draws (charts.py: the percentages in a two-year bar), for a
#: figure without an SVG to read its sizes from.
HOUSE_SMALLEST_PT = 6.5
_SVG_FONT_SIZE = re.compile(rb"font-size: ?([\d.]+)px")
_SVG_WIDTH = re.compile(rb"<svg\b[^>]*?\bwidth=\"([\d.]+)pt\"")
_MM_PER_PT = 25.4 / 72


def drawn_size_mm(figure) -> tuple[float, float]:
    """The width and height the chart was drawn at (its PNG at SAVE_DPI), in mm."""
    from .figure import SAVE_DPI

    width, height = struct.unpack(">II", figure.png[16:24]) if figure.png[12:16] == b"IHDR" else (0, 0)
    return width / SAVE_DPI * 25.4, height / SAVE_DPI * 25.4


def smallest_font_pt(figure) -> float:
    """The smallest font size in the chart as drawn (matplotlib points): read off its SVG, where
    text stays text and one user unit is a point."""
    sizes = [float(s) for s in _SVG_FONT_SIZE.findall(figure.svg or b"")]
    return min(sizes) if sizes else HOUSE_SMALLEST_PT


def printed_font_pt(figure, width_mm: float) -> float:
    """The smallest chart text as printed when the figure is placed ``width_mm`` wide: the drawn
    size times the placed width over the drawn width."""
    svg_width = _SVG_WIDTH.search(figure.svg or b"")
    drawn_mm = float(svg_width.group(1)) * _MM_PER_PT if svg_width else drawn_size_mm(figure)[0]
    return smallest_font_pt(figure) * width_mm / drawn_mm if drawn_mm else smallest_font_pt(figure)


def figure_width_mm(figure) -> float:
    """The display width of a figure: its own width, narrowed so it is at most MAX_FIGURE_MM tall,
    but never so far that its smallest text prints under MIN_CHART_FONT_PT (a tall chart narrowed
    to 112 mm set the labels of the progress chart at 4.6 pt)."""
    width, height = drawn_size_mm(figure)
    if not height:
        return figure.width_mm
    readable = MIN_CHART_FONT_PT / printed_font_pt(figure, 1.0)  # the narrowest width that keeps 6 pt
    return math.ceil(10 * min(figure.width_mm, max(MAX_FIGURE_MM * width / height, readable))) / 10


def column_widths(table: Table) -> list[float]:
    """Column widths in percent (of the columns the document shows): every column at least as wide
    as its longest word (up to 16 characters; longer words may break), the rest of the line shared by the columns' width
    hints (without hints: by the amount of text). The same widths go to the PDF and to Word."""
    return list(_widths(table))


#: A table of at most KEEP_ROWS rows is kept on one page. One estimated taller than COMPACT_MM is
#: set smaller; one still taller than SPLIT_MM once compact (long texts in every row) may break
#: over pages, with its header repeated: kept whole it would leave the page before half empty.
KEEP_ROWS, COMPACT_MM, SPLIT_MM = 15, 100, 150
#: The compact setting: 7 pt instead of 8 pt, so about 8/7 as many characters on a line.
_COMPACT = 7 / 8


def estimated_height_mm(table: Table, scale: float = 1.0) -> float:
    """The printed height of a table, estimated from its wrapped lines at the column widths."""
    table = table.for_document()
    f = fmt("nl")
    chars = [max(1, int((_TEXT_MM * share / 100 - _PAD_MM) / (_CHAR_MM * scale))) for share in _widths(table, scale)]
    height = 2 * _LINE_MM * scale + _PAD_MM  # the header row
    for row in table.rows:
        lines = [
            -(-len(cells.plain(cell, column, f)) // width) for cell, column, width in zip(row, table.columns, chars)
        ]
        height += max(lines or [1]) * _LINE_MM * scale + _PAD_MM
    return height


def compact(table: Table) -> bool:
    """A table set smaller (7 pt): a short one whose text makes it tall, and one whose columns'
    longest words do not fit the line at 8 pt (ten columns of numbers under two-word headers:
    a browser or Word, which do not hyphenate, broke 'vertraag/d')."""
    document = table.for_document()
    too_wide = sum(_minimum_mm(document, 1.0)) >= _TEXT_MM
    return too_wide or (len(document.rows) <= KEEP_ROWS and estimated_height_mm(table) > COMPACT_MM)


def keep_together(table: Table) -> bool:
    """Whether the table must not break over pages (the same rule for the PDF and for Word): at
    most KEEP_ROWS rows, unless even set compact it would take more than SPLIT_MM."""
    if len(table.rows) > KEEP_ROWS:
        return False
    return estimated_height_mm(table, _COMPACT if compact(table) else 1.0) <= SPLIT_MM


#: A paragraph this short (about three lines) before a figure introduces it: they go to a page together.
SHORT_LEAD = 400


def leads_in(block, following, first: bool = False) -> bool:
    """Whether a paragraph introduces the block after it, and so must not stand alone at a page
    foot: a paragraph wholly in bold (the run-in headings of the nota and the Kamerbrief, one per
    action line), a section's short first paragraph before its figure (its lead to the chart:
    'Middelen' and its one line stood at a page foot, the chart on the next page) or one ending in a
    colon before a list,
    table or figure. The PDF keeps it with
    that block (``break-after: avoid``), Word with keep-with-next."""
    if not isinstance(block, Paragraph) or following is None or block.style != "body":
        return False
    text = block.text.strip()
    if not text:
        return False
    if all(s.strong for s in block.spans if s.text.strip()):
        return True
    if first and isinstance(following, Figure) and len(text) <= SHORT_LEAD:  # a section's lead to its chart
        return True
    return text.endswith(":") and isinstance(following, (BulletList, Table, Figure))


#: The title block's rows of label and value: two pairs to a row when every value is short, so
#: the block stays low and a briefing's Kernpunten fit on page 1.
SHORT_META = 32


def memo_rows(meta: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The title block's (label, value) pairs grouped into rows: two to a row when every value
    has at most SHORT_META characters, otherwise one."""
    per_row = 2 if meta and all(len(str(v)) <= SHORT_META for _, v in meta) else 1
    return [list(meta[i : i + per_row]) for i in range(0, len(meta), per_row)]


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        trim_blocks=False,
        lstrip_blocks=False,
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(
        kind_of=kind_of,
        numeric=cells.numeric,
        icon_of=cells.icon_of,
        badge_of=cells.badge_of,
        lang_of=cells.lang_of,
        icon=lambda code: Markup(icons.svg(code)),
        b64=lambda data: base64.b64encode(data).decode("ascii"),
        widths=column_widths,
        figure_width=figure_width_mm,
        keep=keep_together,
        leads_in=leads_in,
        memo_rows=memo_rows,
        compact=compact,
        version=__version__,
    )
    return env


def stylesheet(language: str, footer: str = "") -> str:
    """The house stylesheet, with the page footer words of the language."""
    from ...words import words

    w = words(language)
    css = (TEMPLATES / "nap.css").read_text(encoding="utf-8")
    return (
        css.replace("{{PAGE_WORD}}", w["page.page"])
        .replace("{{OF_WORD}}", w["page.of"])
        .replace("{{FOOTER_LEFT}}", footer.replace('"', "'"))
    )


def document_html(doc: Document) -> str:
    """The whole document as one HTML page."""
    return _render(doc.language, doc=doc, css=Markup(stylesheet(doc.language, doc.footer)))


def section_fragment(section: Section) -> str:
    """One section as an HTML fragment, for a notebook cell's display."""
    return _render(section.language, only=section)


def _render(language: str, doc: Document | None = None, only: Section | None = None, css="") -> str:
    """The one template: a whole document (``doc``) or one section as a fragment (``only``)."""
    f = fmt(language)
    return (
        _environment()
        .get_template("document.html.j2")
        .render(
            doc=doc,
            doc_lang=language,
            fragment=doc is None,
            only=only,
            css=css,
            display=lambda cell, column: cells.display(cell, column, f),
        )
    )
