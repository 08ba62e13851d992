"""Bijlage 1 and 2: every activity and motion of the report year once, with its icon, the year's
status word and its provenance, in HTML, PDF and Word; long tables split with their header; the
same bytes on every build; the `bijlage` command that rebuilds one annex."""

from __future__ import annotations

from collections import Counter

import pytest
from annex_helpers import (
    DATE,
    GENERATED_ACTIVITIES,
    GENERATED_LINE_1,
    GENERATED_MOTIONS,
    ID,
    build,
    check_pdf_rows,
    docx_rows,
    docx_text,
    expected_rows,
    generated_data,
    header_repeated,
    html_rows,
    pdf_pages,
    zip_difference,
)
from conftest import BUNDLED

from nap_analysis.briefing.annexes import ACTIVITIES_STEM, MOTIONS_STEM
from nap_analysis.briefing.render.docx import document_docx as _docx

CASES = {"2025-nl": (2025, "nl", False), "2024-en": (2024, "en", False), "generated-2025-nl": (2025, "nl", True)}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return generated_data(tmp_path_factory.mktemp("generated") / "data")


@pytest.fixture(scope="module")
def annexes(generated):
    """Each case built once: {case: {stem: {...}}}; built lazily, as the tests ask."""
    cache = {}

    def get(case: str) -> dict:
        if case not in cache:
            year, language, big = CASES[case]
            cache[case] = build(generated if big else BUNDLED, year, language)
        return cache[case]

    return get


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("stem", [ACTIVITIES_STEM, MOTIONS_STEM])
def test_every_row_of_the_year_once_with_icon_and_status_word_in_html_pdf_and_docx(annexes, case, stem):
    built = annexes(case)[stem]
    ctx = built["ctx"]
    expected = expected_rows(ctx, stem)
    if case.startswith("generated"):
        assert len(expected) == (GENERATED_ACTIVITIES if stem == ACTIVITIES_STEM else GENERATED_MOTIONS)
    labels, badge = ctx.labels, ctx.w["badge.made_up"]
    by_id = {r["id"]: r for r in expected}

    rows = [r for r in html_rows(built["html"]) if ID.match(r["id"])]
    assert Counter(r["id"] for r in rows) == Counter(dict.fromkeys(by_id, 1))
    for row in rows:
        want = by_id[row["id"]]
        assert row["icons"] == 1 and row["status"] == labels[want["status"]], row
        assert (row["badges"] == [badge]) == want["made_up"], row
        assert any(text.startswith(want["title"]) for text in row["texts"]), row
        assert want["explanation"] in row["texts"], row

    check_pdf_rows(pdf_pages(built["pdf"]), expected, labels)

    document, rows = docx_rows(built["docx"])
    assert Counter(r["id"] for r in rows) == Counter(dict.fromkeys(by_id, 1))
    for row in rows:
        want = by_id[row["id"]]
        assert row["icons"] == 1 and row["status"] == labels[want["status"]], row
        title = next(t for t in row["texts"] if t.startswith(want["title"]))
        assert title.endswith(" " + badge) == want["made_up"], row
    text = docx_text(document)
    for want in expected:
        assert text.count(want["title"]) == 1, want["title"]


def test_rows_are_grouped_as_the_annexes_group_them(annexes):
    """Bijlage 1: a section per action line, headed by the line's title; Bijlage 2: motions, then commitments."""
    built = annexes("2025-nl")
    ctx = built[ACTIVITIES_STEM]["ctx"]
    doc = built[ACTIVITIES_STEM]["doc"]
    titles = ctx.programme.actielijn_titles("nl")
    assert [s.heading for s in doc.sections[1:]] == [f"Actielijn {n}. {t}" for n, t in sorted(titles.items())]
    lines = {r["id"]: r["line"] for r in expected_rows(ctx, ACTIVITIES_STEM)}
    for section, line in zip(doc.sections[1:], sorted(titles)):
        ids = [row[0] for table in section.tables() for row in table.rows]
        assert ids and all(lines[i] == line for i in ids)
    motions = built[MOTIONS_STEM]["doc"]
    assert [s.heading for s in motions.sections[1:]] == ["Moties", "Toezeggingen"]
    kinds = dict(zip(ctx.motions["item_id"], ctx.motions["kind"].astype(str)))
    for section, kind in zip(motions.sections[1:], ("motie", "toezegging")):
        assert {kinds[row[0]] for table in section.tables() for row in table.rows} == {kind}
    english = annexes("2024-en")[MOTIONS_STEM]["doc"]
    assert [s.heading for s in english.sections[1:]] == ["Motions", "Commitments"]


def test_legend_has_the_words_of_the_year_and_says_what_a_relabelled_word_means(annexes):
    page = annexes("2025-nl")[ACTIVITIES_STEM]["html"]
    import lxml.html

    legend = lxml.html.fromstring(page).xpath("//table[contains(@class, 'nap-table')]")[0]
    rows = [[c.text_content().strip() for c in tr.xpath("./th|./td")] for tr in legend.xpath("./tbody/tr")]
    assert [r[0] for r in rows] == [
        "wordt invulling gegeven aan",
        "in uitvoering",
        "vertraagd",
        "stopgezet",
        "niet gestart",
    ]
    assert rows[0][1].startswith("Staat voor ‘afgerond’.")
    assert len(legend.xpath(".//svg[contains(@class, 'nap-icon')]")) == 5
    text = lxml.html.fromstring(page).text_content()
    # quoted as the memo of 13 March 2025 says it: in place of 'afgedaan' (status_labels.replaces)
    assert "‘afgerond’ ‘wordt invulling gegeven aan’ in plaats van ‘afgedaan’" in text
    english = lxml.html.fromstring(annexes("2024-en")[MOTIONS_STEM]["html"])
    first = english.xpath("//table[contains(@class, 'nap-table')]")[0]
    words = [tr.xpath("./th")[0].text_content().strip() for tr in first.xpath("./tbody/tr")]
    assert words == ["completed", "in progress", "delayed", "stopped", "not started", "fulfilled otherwise"]
    assert "Stands for" not in english.text_content()  # nothing relabelled in 2024


def test_provenance_is_said_once_and_each_row_names_its_own(annexes):
    """The counts stand once in the title box; each row says in its own column how its status is known."""
    built = annexes("2025-nl")[ACTIVITIES_STEM]
    import lxml.html

    text = lxml.html.fromstring(built["html"]).text_content()
    assert text.count("Let op: dit is een voorbeeld") == 1
    assert text.count("Herkomst van de status van de 28 activiteiten: vastgesteld door de ministeries 1,") == 1
    assert "Fictieve activiteiten: 5;" in text
    ctx = built["ctx"]
    basis = dict(zip(ctx.activities["activity_id"], ctx.activities["status_basis"].astype(str)))
    for row in html_rows(built["html"]):
        assert row["texts"][-1] == ctx.basis_word(basis[row["id"]])
    assert built["doc"].warning is not None and built["doc"].warning.style == "warning"
    warning = annexes("generated-2025-nl")[MOTIONS_STEM]["doc"].warning.text
    assert f"Fictieve moties en toezeggingen: {GENERATED_MOTIONS};" in warning and "activiteiten" not in warning


def test_all_official_statuses_give_an_annex_without_any_provenance(tmp_path):
    """A real year's data (every row stated, none made up): no box, no provenance words, no column."""
    import csv

    from nap_analysis.briefing.annexes import activities_annex
    from nap_analysis.briefing.sections import Context

    data = generated_data(tmp_path / "data")
    path = data / "activities.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row.update(status_basis="stated", origin="nap")
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    doc = activities_annex(Context.open(data, 2025, "nl", DATE))
    assert doc.warning is None
    guide = [b.text for b in doc.sections[0].blocks if hasattr(b, "text")]
    assert not any("Herkomst" in t or "fictief" in t or "vastgesteld" in t for t in guide), guide
    assert all("status_basis" not in [c.key for c in t.columns] for t in doc.tables())
    assert [c.key for c in doc.tables()[-1].columns][-1] == "explanation"


def test_long_tables_split_over_pages_with_the_header_repeated(annexes):
    built = annexes("generated-2025-nl")
    ctx = built[ACTIVITIES_STEM]["ctx"]
    line_1 = {r["id"] for r in expected_rows(ctx, ACTIVITIES_STEM) if r["line"] == 1}
    assert len(line_1) == GENERATED_LINE_1
    pages = pdf_pages(built[ACTIVITIES_STEM]["pdf"])
    assert len(header_repeated(pages, line_1, ["Nr.", "Activiteit", "Toelichting"])) >= 3
    motions = {r["id"] for r in expected_rows(ctx, MOTIONS_STEM) if r["id"].startswith("N")}
    kinds = dict(zip(ctx.motions["item_id"], ctx.motions["kind"].astype(str)))
    moties = {i for i in motions if kinds[i] == "motie"}
    assert len(header_repeated(pdf_pages(built[MOTIONS_STEM]["pdf"]), moties, ["Nr.", "Soort", "Toelichting"])) >= 2
    for page in pages:
        assert (round(page["width"]), round(page["height"])) == (595, 842)


def test_two_builds_give_the_same_bytes(annexes):
    first = annexes("2025-nl")
    second = build(BUNDLED, 2025, "nl")
    for stem in (ACTIVITIES_STEM, MOTIONS_STEM):
        for kind in ("html", "pdf", "docx"):
            a, b = first[stem][kind], second[stem][kind]
            assert a == b, (stem, kind, zip_difference(a, b) if kind == "docx" else "")


# --------------------------------------------------------------------------- the bijlage command


def test_bijlage_command_rebuilds_one_annex_beside_the_other_outputs(cli, tmp_path, annexes):
    folder = tmp_path / "out" / "2025"
    folder.mkdir(parents=True)
    (folder / "briefing.html").write_text("the run's briefing", encoding="utf-8")
    result = cli("bijlage", "1", "--out", tmp_path / "out", "--date", DATE)
    assert result.code == 0, result.err
    assert "bijlage-1-activiteiten.docx" in result.out
    assert sorted(p.name for p in folder.iterdir()) == [
        "bijlage-1-activiteiten.docx",
        "bijlage-1-activiteiten.html",
        "bijlage-1-activiteiten.pdf",
        "briefing.html",
    ]
    assert (folder / "briefing.html").read_text(encoding="utf-8") == "the run's briefing"
    built = annexes("2025-nl")[ACTIVITIES_STEM]
    for kind in ("html", "pdf", "docx"):
        data = (folder / f"bijlage-1-activiteiten.{kind}").read_bytes()
        expected = built[kind].encode("utf-8") if kind == "html" else built[kind]
        assert data == expected, (kind, zip_difference(data, expected) if kind == "docx" else "")
    assert not [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".")], "left-overs of the build"

    result = cli("bijlage", "2", "--year", "2024", "--lang", "en", "--out", tmp_path / "out", "--date", DATE)
    assert result.code == 0, result.err
    english = tmp_path / "out" / "2024-en"
    assert sorted(p.suffix for p in english.iterdir()) == [".docx", ".html", ".pdf"]
    data = (english / "bijlage-2-moties-en-toezeggingen.docx").read_bytes()
    expected = annexes("2024-en")[MOTIONS_STEM]["docx"]
    # on failure also: does the module's build still match a new rendering of its own document
    # model (the renderer varies) or not (the model it was built from differed)?
    assert data == expected, (
        zip_difference(data, expected),
        "built vs rebuilt: " + (zip_difference(expected, _docx(annexes("2024-en")[MOTIONS_STEM]["doc"])) or "same"),
    )


def test_bijlage_command_takes_the_date_of_the_run_in_the_folder(cli, tmp_path, annexes):
    import json

    folder = tmp_path / "2025"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"parameters": {"briefing_date": DATE}}), encoding="utf-8")
    assert cli("bijlage", "2", "--out", tmp_path).code == 0
    assert (folder / "bijlage-2-moties-en-toezeggingen.pdf").read_bytes() == annexes("2025-nl")[MOTIONS_STEM]["pdf"]


def test_bijlage_command_refuses_what_it_cannot_make(cli, tmp_path):
    import shutil

    result = cli("bijlage", "1", "--year", "2019", "--out", tmp_path)
    assert result.code == 2 and "2019" in result.err and "Traceback" not in result.err
    assert cli("bijlage", "3", "--out", tmp_path).code == 2
    no_motions = tmp_path / "data"
    shutil.copytree(BUNDLED, no_motions)
    (no_motions / "motions.csv").unlink()
    result = cli("bijlage", "2", "--data", no_motions, "--out", tmp_path / "out")
    assert result.code == 2 and "motions.csv" in result.err, result.err
    assert not (tmp_path / "out" / "2025").exists()
    result = cli("bijlage", "1", "--data", no_motions, "--out", tmp_path / "out", "--date", "2025-02-30")
    assert result.code == 2 and "2025-02-30" in result.err
