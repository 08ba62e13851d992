"""The briefing's layout, checked on the PDF itself: nothing crosses the margins, no table of up to
15 rows is split, no page but the last is less than half full; for the bundled data in both
languages and for data with very long titles and explanations."""

from __future__ import annotations

import shutil

import pandas as pd
import pdf_layout
import pytest
from conftest import BUNDLED, DATE


def _tables(doc, strict: bool):
    """(caption, last row's first cell, rows) of the tables that must not split. With ``strict``
    every table of up to 15 rows; otherwise those the renderer keeps whole (a short table whose
    every row holds a long text may break, its header repeated, rather than leave half a page)."""
    from nap_analysis.briefing.format import fmt
    from nap_analysis.briefing.render.cells import display
    from nap_analysis.briefing.render.html import keep_together

    f = fmt(doc.language)
    chosen = [t for t in doc.tables() if strict or keep_together(t)]
    if strict:
        assert all(keep_together(t) for t in chosen if len(t.rows) <= 15)  # the exception never applies here
    return [(t.caption, display(t.rows[-1][0], t.columns[0], f) if t.rows else "", len(t.rows)) for t in chosen]


def _check(pdf_path, doc, strict: bool = True):
    pages = pdf_layout.pages(pdf_path)
    assert len(pages) >= 3
    problems = (
        pdf_layout.outside_content_box(pages)
        + pdf_layout.split_tables(pages, _tables(doc, strict))
        + pdf_layout.half_empty_pages(pages)
    )
    assert problems == []


def test_bundled_2025_dutch(built):
    import notebook_runner

    _check(built.out_dir / "briefing.pdf", notebook_runner.briefing(BUNDLED, 2025, "nl", "2026-11-22"))


def test_bundled_2024_english(built_en):
    import notebook_runner

    _check(built_en.out_dir / "briefing.pdf", notebook_runner.briefing(BUNDLED, 2024, "en", "2026-11-22"))


@pytest.fixture(scope="module")
def long_texts(tmp_path_factory):
    """The bundled data with every title three times and every explanation four times as long."""
    data = tmp_path_factory.mktemp("long") / "data"
    shutil.copytree(BUNDLED, data)
    for name in ("activities", "motions"):
        frame = pd.read_csv(data / f"{name}.csv", dtype=str, keep_default_na=False)
        frame["title"] = frame["title"] + " – " + frame["title"] + " – " + frame["title"]
        frame["explanation"] = (frame["explanation"] + " ") * 4
        frame.to_csv(data / f"{name}.csv", index=False)
    return data


@pytest.mark.parametrize("language", ["nl", "en"])
def test_very_long_titles_and_explanations(long_texts, tmp_path, language):
    import notebook_runner

    from nap_analysis.briefing.render.pdf import document_pdf

    doc = notebook_runner.briefing(long_texts, 2025, language, DATE)
    path = tmp_path / "briefing.pdf"
    path.write_bytes(document_pdf(doc))
    _check(path, doc, strict=False)
