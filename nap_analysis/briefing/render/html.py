"""A document as one self-contained HTML page (CSS inline, figures as data URIs, no scripts).

The same page is what the PDF prints (:mod:`.pdf`), so screen and print cannot drift apart.
Everything from the data is escaped by the template engine; the only markup that is not
escaped is the project's own icons.
"""
from __future__ import annotations

import base64
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from ... import __version__
from .. import icons
from ..format import fmt
from ..model import Document, Section, Table
from . import cells

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def column_widths(table: Table) -> list[float]:
    """Column widths in percent from the columns' hints (None: an equal share of the rest)."""
    hints = [c.width for c in table.columns]
    given = sum(h for h in hints if h)
    free = [h for h in hints if not h]
    fallback = (given / max(len(hints) - len(free), 1)) if given else 1.0
    weights = [h or fallback for h in hints]
    total = sum(weights) or 1.0
    return [round(100 * w / total, 2) for w in weights]


#: A table is kept on one page when it has at most this many rows and is estimated no taller than
#: half a page: a taller one would move whole to the next page and leave its heading alone.
KEEP_ROWS, KEEP_MM = 15, 120
#: Print metrics of a table cell at 8 pt (nap.css): mean character width, line height, padding.
_CHAR_MM, _LINE_MM, _PAD_MM, _TEXT_MM = 1.55, 3.7, 2.4, 170


def keep_together(table: Table) -> bool:
    """Whether the table should not break over pages: few rows, and short enough by an estimate
    of its wrapped lines (the same rule for the PDF and for Word)."""
    if len(table.rows) > KEEP_ROWS:
        return False
    f = fmt("nl")
    chars = [max(1, int((_TEXT_MM * share / 100 - _PAD_MM) / _CHAR_MM)) for share in column_widths(table)]
    height = 2 * _LINE_MM + _PAD_MM  # the header row
    for row in table.rows:
        lines = [-(-len(cells.plain(cell, column, f)) // width) for cell, column, width in zip(row, table.columns, chars)]
        height += max(lines or [1]) * _LINE_MM + _PAD_MM
    return height <= KEEP_MM


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=False, lstrip_blocks=False, undefined=jinja2.StrictUndefined)
    env.globals.update(
        kind_of=lambda block: type(block).__name__,
        numeric=cells.numeric,
        icon_of=cells.icon_of,
        badge_of=cells.badge_of,
        lang_of=cells.lang_of,
        icon=lambda code: Markup(icons.svg(code)),
        b64=lambda data: base64.b64encode(data).decode("ascii"),
        widths=column_widths,
        keep=keep_together,
        version=__version__,
    )
    return env


def stylesheet(language: str, footer: str = "") -> str:
    """The house stylesheet, with the page footer words of the language."""
    from ...words import words

    w = words(language)
    css = (TEMPLATES / "nap.css").read_text(encoding="utf-8")
    return (css.replace("{{PAGE_WORD}}", w["page.page"]).replace("{{OF_WORD}}", w["page.of"])
            .replace("{{FOOTER_LEFT}}", footer.replace('"', "'")))


def document_html(doc: Document) -> str:
    """The whole document as one HTML page."""
    f = fmt(doc.language)
    template = _environment().get_template("document.html.j2")
    return template.render(doc=doc, doc_lang=doc.language, fragment=False, only=None,
                           css=Markup(stylesheet(doc.language, doc.footer)),
                           display=lambda cell, column: cells.display(cell, column, f))


def section_fragment(section: Section) -> str:
    """One section as an HTML fragment, for a notebook cell's display."""
    f = fmt(section.language)
    template = _environment().get_template("document.html.j2")
    return template.render(doc=None, doc_lang=section.language, fragment=True, only=section, css="",
                           display=lambda cell, column: cells.display(cell, column, f))
