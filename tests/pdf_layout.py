"""Layout read off a PDF itself: word positions against the page box, tables kept together, full pages.

These are the checks a reader makes by eye (nothing crosses the margins, a short table is not
torn in two, no page is left half empty), made with pdfplumber's word and image positions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pdfplumber

MM = 72 / 25.4
#: The page box the print CSS sets: A4 with margins 20 mm (left, right, top) and 22 mm (bottom).
MARGIN_LEFT = MARGIN_RIGHT = MARGIN_TOP = 20 * MM
MARGIN_BOTTOM = 22 * MM
TOLERANCE = 1.0  # points: rounding of glyph boxes


@dataclass
class Page:
    number: int
    width: float
    height: float
    words: list[dict]
    images: list[dict]
    text: str

    @property
    def content_bottom(self) -> float:
        return self.height - MARGIN_BOTTOM

    def body_words(self) -> list[dict]:
        """Words of the page body: the footer line in the bottom margin is not body."""
        return [w for w in self.words if w["top"] < self.content_bottom]

    def lines(self) -> list[list[dict]]:
        """The body's words grouped into lines (same top, to the point), top to bottom."""
        rows: dict[int, list[dict]] = {}
        for w in self.body_words():
            rows.setdefault(round(w["top"]), []).append(w)
        return [sorted(rows[k], key=lambda w: w["x0"]) for k in sorted(rows)]

    def filled(self) -> float:
        """How far down the content area the lowest word or image reaches (0-1)."""
        bottoms = [w["bottom"] for w in self.body_words()] + [i["bottom"] for i in self.images]
        if not bottoms:
            return 0.0
        return (max(bottoms) - MARGIN_TOP) / (self.content_bottom - MARGIN_TOP)


def pages(path: Path) -> list[Page]:
    found = []
    with pdfplumber.open(str(path)) as pdf:
        for i, page in enumerate(pdf.pages, start=1):
            words = page.extract_words(keep_blank_chars=False, use_text_flow=False, extra_attrs=["fontname", "size"])
            found.append(
                Page(i, float(page.width), float(page.height), words, list(page.images), page.extract_text() or "")
            )
    return found


def outside_content_box(all_pages: list[Page]) -> list[str]:
    """Every word (or image) that crosses the left, right or top margin or runs into the bottom
    margin, as 'page N: word (x0-x1, top-bottom)'. The footer (page numbers) lives in the bottom
    margin by design and is recognised by lying wholly below the content box."""
    problems = []
    for page in all_pages:
        right = page.width - MARGIN_RIGHT
        for w in page.words:
            in_footer = w["top"] >= page.content_bottom - TOLERANCE
            if in_footer:
                continue
            if (
                w["x0"] < MARGIN_LEFT - TOLERANCE
                or w["x1"] > right + TOLERANCE
                or w["top"] < MARGIN_TOP - TOLERANCE
                or w["bottom"] > page.content_bottom + TOLERANCE
            ):
                problems.append(
                    f"page {page.number}: {w['text']!r} ({w['x0']:.0f}-{w['x1']:.0f}, {w['top']:.0f}-{w['bottom']:.0f})"
                )
        for image in page.images:
            if image["x0"] < MARGIN_LEFT - TOLERANCE or image["x1"] > right + TOLERANCE:
                problems.append(f"page {page.number}: image ({image['x0']:.0f}-{image['x1']:.0f})")
    return problems


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _found(word: str, words: list[str]) -> bool:
    """A word among ``words``, also when hyphenation split it at a line end ('miscon-' + 'duct')."""
    return word in words or any(w.endswith("-") and len(w) > 2 and word.startswith(w[:-1]) for w in words)


def split_tables(all_pages: list[Page], tables, max_rows: int = 15) -> list[str]:
    """Tables of at most ``max_rows`` rows that do not end on the page where their caption is.

    ``tables``: (caption, first cell text of the last row, rows) of the document's tables. The
    caption is found by its text; the last row by the first words of its first cell among the
    words below the caption on that page (a cell's words wrap and interleave with the other
    columns' in extracted text, so words are matched by position, not as one string).
    """
    problems = []
    for caption, last_cell, rows in tables:
        if rows > max_rows or not last_cell:
            continue
        start = next((p for p in all_pages if _normal(caption)[:60] in _normal(p.text)), None)
        if start is None:
            problems.append(f"caption not found: {caption!r}")
            continue
        first = _normal(caption).split()[:2]
        caption_top = min((w["top"] for w in start.words if w["text"] == first[-1]), default=0.0)
        below = [w["text"] for w in start.body_words() if w["top"] > caption_top]
        wanted = _normal(last_cell).split()[:2]
        if not all(_found(word, below) for word in wanted):
            problems.append(f"table {caption!r} ({rows} rows) continues after page {start.number}")
    return problems


#: A line wholly in bold at this size or more is a heading, a table caption or a run-in heading
#: (nap.css: h2-h4 13-10 pt, captions 8.5 pt; Word: Heading 1-3, Caption); a table's header row
#: (8 pt) and the 'fictief' badge (7 pt) are smaller.
HEADING_PT = 8.4


def _bold_line(line: list[dict]) -> bool:
    return bool(line) and all("Bold" in w["fontname"] and w["size"] >= HEADING_PT for w in line)


def headings_at_foot(all_pages: list[Page]) -> list[str]:
    """Pages but the last whose last body line is a heading or caption: nothing it introduces
    follows it on that page."""
    problems = []
    for page in all_pages[:-1]:
        lines = page.lines()
        if lines and _bold_line(lines[-1]):
            problems.append(f"page {page.number}: {' '.join(w['text'] for w in lines[-1])!r}")
    return problems


def starts_with_heading(page: Page, headings: list[str]) -> bool:
    """Whether the page's first body line is the start of one of ``headings`` (a section begins there)."""
    lines = page.lines()
    if not lines:
        return False
    first = _normal(" ".join(w["text"] for w in lines[0]))
    return any(first.startswith(_normal(h)[: len(first)]) or _normal(h).startswith(first) for h in headings if h)


def empty_pages(all_pages: list[Page], headings: list[str], minimum: float = 2 / 3) -> list[str]:
    """Pages but the last whose content reaches less than ``minimum`` of the content area while
    no section ends there (the next page does not begin with one of ``headings``)."""
    return [
        f"page {p.number}: {p.filled():.0%} full"
        for p, following in zip(all_pages[:-1], all_pages[1:])
        if p.filled() < minimum and not starts_with_heading(following, headings)
    ]


def placed_figures(all_pages: list[Page], min_width: float = 50.0) -> list[tuple[int, float]]:
    """(page number, placed width in points) of every picture wider than ``min_width`` (not an
    icon), in reading order."""
    return [
        (p.number, float(i["x1"] - i["x0"]))
        for p in all_pages
        for i in sorted(p.images, key=lambda i: (i["top"], i["x0"]))
        if i["x1"] - i["x0"] >= min_width
    ]
