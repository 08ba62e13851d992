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
            words = page.extract_words(keep_blank_chars=False, use_text_flow=False)
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


def half_empty_pages(all_pages: list[Page], minimum: float = 0.5) -> list[str]:
    """Pages but the last whose content reaches less than ``minimum`` of the content area."""
    return [f"page {p.number}: {p.filled():.0%} full" for p in all_pages[:-1] if p.filled() < minimum]


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
