"""nap-analysis diff (issue 29): the draft's data against today's, as tracked changes in Word.

Two copies of the bundled data that differ in a status (A01), an explanation (A02), an added
(Z99) and a removed (A03) activity of 2025. The Word files must hold exactly those changes as
w:ins/w:del: accepting all (a small accept/reject over the XML, below) gives the new annex's
text, rejecting all the old one's; LibreOffice reads them as tracked changes; the overview and
the CSV list each change; two equal folders give "geen wijzigingen"; reruns give the same bytes.
"""

from __future__ import annotations

import copy
import csv
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from annex_helpers import convert_with_libreoffice, soffice
from conftest import BUNDLED
from lxml import etree

from nap_analysis.briefing import annexes
from nap_analysis.briefing.render.docx import document_docx
from nap_analysis.briefing.sections.context import Context
from nap_analysis.data import load

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
YEAR = 2025
#: The report date of 2025 in the bundled reports.csv: the date of the changes without --date.
REPORT_DATE = "2025-04-14"
ANNEX_1 = "bijlage-1-activiteiten-wijzigingen.docx"
ANNEX_2 = "bijlage-2-moties-en-toezeggingen-wijzigingen.docx"
EXTRA = " Aangevuld na het concept."


def _edit_activities(folder: Path) -> None:
    """A01 delayed (by SOCW, with a reason), a word other and a sentence more in A02's explanation,
    A03 withdrawn, Z99 new."""
    path = folder / "activities.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    fields = [*rows[0].keys(), "changed_by", "change_reason"]
    kept = []
    for row in rows:
        row.setdefault("changed_by", "")
        row.setdefault("change_reason", "")
        if row["report_year"] == str(YEAR):
            if row["activity_id"] == "A01":
                assert row["status"] == "in_progress"
                row.update(status="delayed", changed_by="SOCW", change_reason="op verzoek van SOCW")
            elif row["activity_id"] == "A02":
                assert row["explanation"].startswith("Volgende meting ")
                row["explanation"] = row["explanation"].replace("Volgende meting", "Nieuwe meting") + EXTRA
            elif row["activity_id"] == "A03":
                continue
        kept.append(row)
    new = dict(next(r for r in rows if r["report_year"] == str(YEAR) and r["activity_id"] == "A04"))
    new.update(activity_id="Z99", title="Nieuwe voorlichting in het mbo", status="not_started")
    kept.append(new)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(kept)


def _edit_motions(folder: Path) -> None:
    """M02 of 2025 given an alternative instead of completed: the one change of Bijlage 2."""
    path = folder / "motions.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    (m02,) = [r for r in rows if r["report_year"] == str(YEAR) and r["item_id"] == "M02"]
    assert m02["status"] == "completed"
    m02["status"] = "alternative"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("diff")
    old, new = root / "old", root / "new"
    shutil.copytree(BUNDLED, old)
    shutil.copytree(BUNDLED, new)
    _edit_activities(new)
    _edit_motions(new)
    return old, new


def _run(old: Path, new: Path, out: Path, *extra: str):
    from conftest import CliResult

    from nap_analysis.cli import main

    out_text, err_text = io.StringIO(), io.StringIO()
    from contextlib import redirect_stderr, redirect_stdout

    with redirect_stdout(out_text), redirect_stderr(err_text):
        code = main(["diff", "--old", str(old), "--new", str(new), "--year", str(YEAR), "--out", str(out), *extra])
    return CliResult(code, out_text.getvalue(), err_text.getvalue())


@pytest.fixture(scope="module")
def written(folders, tmp_path_factory):
    old, new = folders
    out = tmp_path_factory.mktemp("out")
    result = _run(old, new, out)
    assert result.code == 0, result.err
    return out / f"wijzigingen-{YEAR}", result


# --------------------------------------------------------------------------- accept all, reject all


def _body(docx_bytes: bytes):
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as package:
        return etree.fromstring(package.read("word/document.xml")).find(f"{W}body")


def resolve(body, keep: str):
    """What Word's "accept all" (keep='ins') or "reject all" (keep='del') makes of the body."""
    drop = "del" if keep == "ins" else "ins"
    body = copy.deepcopy(body)
    for row in list(body.iter(f"{W}tr")):
        marks = row.find(f"{W}trPr")
        if marks is not None and marks.find(f"{W}{drop}") is not None:
            row.getparent().remove(row)
    for table in list(body.iter(f"{W}tbl")):  # a table whose every row went, goes
        if table.find(f"{W}tr") is None:
            table.getparent().remove(table)
    for paragraph in list(body.iter(f"{W}p")):
        mark = paragraph.find(f"{W}pPr/{W}rPr/{W}{drop}")
        if mark is None or paragraph.getparent() is None:
            continue
        # the paragraph mark goes: what stays of the paragraph joins the next one
        left = [c for c in paragraph if c.tag not in (f"{W}pPr", f"{W}{drop}")]
        following = paragraph.getnext()
        if left and following is not None and following.tag == f"{W}p":
            at = 1 if following.find(f"{W}pPr") is not None else 0
            for child in reversed(left):
                following.insert(at, child)
        paragraph.getparent().remove(paragraph)
    for change in list(body.iter(f"{W}{drop}")):
        change.getparent().remove(change)
    for change in list(body.iter(f"{W}{keep}")):
        parent = change.getparent()
        if parent.tag in (f"{W}rPr", f"{W}trPr"):
            parent.remove(change)
            continue
        at = list(parent).index(change)
        for child in reversed(list(change)):
            parent.insert(at, child)
        parent.remove(change)
    for deleted in body.iter(f"{W}delText"):
        deleted.tag = f"{W}t"
    return body


def _paragraph_text(paragraph) -> str:
    """The text of a paragraph with its pictures (status icons) by their alt text."""
    parts = []
    for element in paragraph.iter(f"{W}t", f"{WP}docPr"):
        parts.append(element.text or "" if element.tag == f"{W}t" else f"[{element.get('descr')}]")
    return "".join(parts)


def blocks(body) -> list:
    """The body as the reader sees it: paragraphs as text, tables as rows of cell texts."""
    shown = []
    for block in body:
        if block.tag == f"{W}p":
            shown.append(_paragraph_text(block))
        elif block.tag == f"{W}tbl":
            shown.append(
                [
                    ["\n".join(_paragraph_text(p) for p in cell.iter(f"{W}p")) for cell in row.findall(f"{W}tc")]
                    for row in block.findall(f"{W}tr")
                ]
            )
    return shown


def _annex(folder: Path, build, language: str = "nl") -> bytes:
    return document_docx(build(Context(load(folder), YEAR, language, REPORT_DATE)))


@pytest.fixture(scope="module")
def plain_annexes(folders):
    old, new = folders
    return {
        ANNEX_1: (_annex(old, annexes.activities_annex), _annex(new, annexes.activities_annex)),
        ANNEX_2: (_annex(old, annexes.motions_annex), _annex(new, annexes.motions_annex)),
    }


@pytest.mark.parametrize("name", [ANNEX_1, ANNEX_2])
def test_accepting_all_gives_the_new_annex_and_rejecting_all_the_old_one(written, plain_annexes, name):
    folder, _ = written
    tracked = _body((folder / name).read_bytes())
    old, new = plain_annexes[name]
    assert blocks(resolve(tracked, "ins")) == blocks(_body(new))
    assert blocks(resolve(tracked, "del")) == blocks(_body(old))


def _changes(element) -> list[tuple[str, str]]:
    """(ins|del, text) of every tracked change of runs inside ``element``, pictures by alt text."""
    found = []
    for change in element.iter(f"{W}ins", f"{W}del"):
        if change.getparent().tag in (f"{W}rPr", f"{W}trPr"):
            continue
        parts = [
            e.text or "" if e.tag in (f"{W}t", f"{W}delText") else f"[{e.get('descr')}]"
            for e in change.iter(f"{W}t", f"{W}delText", f"{WP}docPr")
        ]
        found.append((etree.QName(change).localname, "".join(parts)))
    return found


def _no_icon(text: str) -> str:
    return re.sub(r"\[[^\]]*\]", "", text).strip()


def test_the_word_file_holds_exactly_the_changes_of_the_data(written):
    folder, _ = written
    body = _body((folder / ANNEX_1).read_bytes())
    every = list(body.iter(f"{W}ins", f"{W}del"))
    assert every, "no tracked change at all"
    assert {c.get(f"{W}author") for c in every} == {"nap-analysis"}
    assert {c.get(f"{W}date") for c in every} == {f"{REPORT_DATE}T00:00:00Z"}
    ids = [c.get(f"{W}id") for c in every]
    assert len(ids) == len(set(ids))
    rows = {}
    for row in body.iter(f"{W}tr"):
        cells = row.findall(f"{W}tc")
        key = "".join(t.text or "" for t in cells[0].iter(f"{W}t", f"{W}delText"))  # a deleted row's text too
        rows.setdefault(key, []).append(row)
    changed_rows = {key for key, found in rows.items() if any(_changes(r) for r in found)}
    assert changed_rows == {"A01", "A02", "A03", "Z99"}
    # whole rows: A03 deleted and Z99 inserted in the row's properties, as Word records them
    (a03,) = rows["A03"]
    (z99,) = rows["Z99"]
    assert a03.find(f"{W}trPr/{W}del") is not None and z99.find(f"{W}trPr/{W}ins") is not None
    assert {kind for kind, _ in _changes(a03)} == {"del"} and {kind for kind, _ in _changes(z99)} == {"ins"}
    assert "Studentenpact" in "".join(text for _, text in _changes(a03))
    assert "Nieuwe voorlichting in het mbo" in "".join(text for _, text in _changes(z99))
    # the status word of A01, its icon with it; the rest of the row untouched
    (a01,) = rows["A01"]
    changes = _changes(a01)
    assert [(k, _no_icon(t)) for k, t in changes] == [("del", "in uitvoering"), ("ins", "vertraagd")]
    assert all(t.startswith("[") for _, t in changes)  # the icon goes with its word
    # word by word: the one word replaced and the sentence added to A02's explanation
    (a02,) = rows["A02"]
    assert _changes(a02) == [("del", "Volgende"), ("ins", "Nieuwe"), ("ins", EXTRA)]


def test_bijlage_2_holds_the_one_changed_status_of_a_motion(written):
    folder, _ = written
    body = _body((folder / ANNEX_2).read_bytes())
    changed = {}
    for row in body.iter(f"{W}tr"):
        if _changes(row):
            changed[_paragraph_text(row.findall(f"{W}tc")[0])] = [(k, t.strip()) for k, t in _changes(row)]
    assert list(changed) == ["M02"]
    # 'wordt invulling gegeven aan' (2025's word for completed) -> 'alternatieve invulling', word by word
    assert [(k, _no_icon(t)) for k, t in changed["M02"]] == [
        ("del", "wordt"),
        ("ins", "alternatieve"),
        ("del", "gegeven aan"),
    ]
    assert [k for k, t in changed["M02"] if t.startswith("[")] == ["del", "ins"]  # the old icon out, the new in


def test_the_overview_and_the_table_list_each_change(written):
    folder, result = written
    assert "5 wijziging(en)" in result.out
    page = (folder / "wijzigingen.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", page)
    assert "Z99" in text and "A03" in text and "A01" in text
    assert "<del>Volgende</del><ins>Nieuwe</ins>" in page and f"<ins>{EXTRA}</ins>" in page
    assert "op verzoek van SOCW" in text and "SOCW" in text
    # the key point of the nota and the Kamerbrief that reads differently: A03 was completed
    assert "Kernpunten die anders luiden" in page and "<del>6</del><ins>5</ins> afgerond" in page
    table = list(csv.reader(io.StringIO((folder / "wijzigingen.csv").read_bytes().decode("utf-8-sig")), delimiter=";"))
    header, rows = table[0], table[1:]
    assert header[:6] == ["Tabel", "Actielijn", "Nr.", "Titel", "Wijziging", "Veld"]
    listed = {(r[2], r[4], r[5]): r for r in rows}
    assert set(listed) == {
        ("A01", "status gewijzigd", "status"),
        ("A02", "tekst gewijzigd", "toelichting"),
        ("Z99", "toegevoegd", "status"),
        ("A03", "verwijderd", "status"),
        ("M02", "status gewijzigd", "status"),
    }
    a01 = listed[("A01", "status gewijzigd", "status")]
    assert a01[6:] == ["in uitvoering", "vertraagd", "SOCW", "op verzoek van SOCW"]
    overview = _body((folder / "wijzigingen.docx").read_bytes())
    struck = ["".join(r.itertext()) for r in overview.iter(f"{W}r") if r.find(f"{W}rPr/{W}strike") is not None]
    underlined = ["".join(r.itertext()) for r in overview.iter(f"{W}r") if r.find(f"{W}rPr/{W}u") is not None]
    assert struck[-1:] == ["Volgende"] and underlined[-2:] == ["Nieuwe", EXTRA]  # after the key points
    assert "6" in struck and "5" in underlined
    with zipfile.ZipFile(folder / "wijzigingen.xlsx") as book:
        assert any(name.startswith("xl/worksheets/") for name in book.namelist())
    assert (folder / "wijzigingen.pdf").read_bytes().startswith(b"%PDF")


def test_rerun_gives_the_same_bytes(folders, written, tmp_path):
    folder, _ = written
    old, new = folders
    assert _run(old, new, tmp_path).code == 0
    again = tmp_path / folder.name
    assert sorted(p.name for p in again.iterdir()) == sorted(p.name for p in folder.iterdir())
    for path in folder.iterdir():
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name


def test_two_equal_folders_say_geen_wijzigingen(folders, tmp_path):
    old, _ = folders
    result = _run(old, old, tmp_path, "--date", "2025-03-13")
    assert result.code == 0, result.err
    assert "Geen wijzigingen" in result.out
    folder = tmp_path / f"wijzigingen-{YEAR}"
    for name in (ANNEX_1, ANNEX_2):
        assert list(_body((folder / name).read_bytes()).iter(f"{W}ins", f"{W}del")) == []
    page = (folder / "wijzigingen.html").read_text(encoding="utf-8")
    assert "Geen wijzigingen" in page and "luiden met deze versie hetzelfde" in page
    assert "<ins>" not in page and "<del>" not in page
    assert (folder / "wijzigingen.csv").read_bytes().decode("utf-8-sig").count("\n") == 1  # the header only


def test_english(folders, tmp_path):
    old, new = folders
    result = _run(old, new, tmp_path, "--lang", "en", "--date", "2025-03-13")
    assert result.code == 0, result.err
    folder = tmp_path / f"wijzigingen-{YEAR}-en"
    page = (folder / "wijzigingen.html").read_text(encoding="utf-8")
    assert "Changes since the previous version" in page and "Wijzigingen sinds" not in page
    body = _body((folder / ANNEX_1).read_bytes())
    assert {c.get(f"{W}date") for c in body.iter(f"{W}ins", f"{W}del")} == {"2025-03-13T00:00:00Z"}


def test_bad_input_is_located_and_nothing_is_written(folders, tmp_path):
    old, _ = folders
    broken = tmp_path / "broken"
    shutil.copytree(old, broken)
    path = broken / "activities.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",in_progress,", ",in_progres,", 1), encoding="utf-8")
    out = tmp_path / "out"
    result = _run(old, broken, out)
    assert result.code == 2
    assert "activities.csv" in result.err and "rij" in result.err and "status" in result.err
    assert "Traceback" not in result.err
    assert not (out / f"wijzigingen-{YEAR}").exists()


def test_libreoffice_reads_the_changes_as_tracked_changes(written, plain_annexes, tmp_path):
    """LibreOffice keeps inserted text in the body and deleted text in its list of changes (ODT):
    the body of the converted file is the accepted annex, each change has our author and date.
    Its plain-text export writes deleted and inserted text both (it accepts nothing)."""
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs libreoffice-writer")
    folder, _ = written
    tracked = tmp_path / "tracked.docx"
    shutil.copy(folder / ANNEX_1, tracked)
    plain = tmp_path / "plain.docx"
    plain.write_bytes(plain_annexes[ANNEX_1][1])
    profile = (tmp_path / "profile").as_uri()
    for target in ("odt", "txt:Text"):
        subprocess.run(
            [soffice(), f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", target]
            + ["--outdir", str(tmp_path), str(tracked), str(plain)],
            check=True,
            capture_output=True,
            timeout=600,
        )

    def content(path: Path):
        return etree.fromstring(zipfile.ZipFile(path).read("content.xml"))

    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    dc = "http://purl.org/dc/elements/1.1/"
    tracked_xml = content(tmp_path / "tracked.odt")
    changes = tracked_xml.find(f".//{{{text_ns}}}tracked-changes")
    assert changes is not None
    regions = changes.findall(f"{{{text_ns}}}changed-region")
    kinds = {etree.QName(r[0]).localname for r in regions}
    assert kinds == {"insertion", "deletion"}
    assert {e.text for e in changes.iter(f"{{{dc}}}creator")} == {"nap-analysis"}
    assert {e.text[:10] for e in changes.iter(f"{{{dc}}}date")} == {REPORT_DATE}
    deleted = "".join(changes.itertext())
    assert "Studentenpact" in deleted and "A03" in deleted
    changes.getparent().remove(changes)

    def body_text(root) -> list[str]:
        return [
            "".join(p.itertext())
            for p in root.iter(f"{{{text_ns}}}p", f"{{{text_ns}}}h")
            if "".join(p.itertext()).strip()
        ]

    assert body_text(tracked_xml) == body_text(content(tmp_path / "plain.odt"))
    exported = (tmp_path / "tracked.txt").read_text(encoding="utf-8-sig")
    assert "Z99" in exported and "A03" in exported  # both: the text export shows every change inline

    # and it opens every Word file of the folder, showing the changes in print: the deleted row
    # (struck through) and the inserted one both on the page
    import pdfplumber

    pdfs = convert_with_libreoffice(
        [folder / ANNEX_1, folder / ANNEX_2, folder / "wijzigingen.docx"], tmp_path / "pdf", tmp_path / "profile"
    )
    with pdfplumber.open(pdfs[folder / ANNEX_1]) as pdf:
        printed = "\n".join(page.extract_text() or "" for page in pdf.pages)
    assert "Z99" in printed and "A03" in printed and "Studentenpact" in printed


def _document(sections):
    from nap_analysis.briefing.model import Document

    return Document(kind="bijlage-1", language="nl", title="Bijlage", subtitle="", sections=sections, date=REPORT_DATE)


def _line(key: str, rows: list[list[str]] | None, note: str = "Geen activiteiten."):
    from nap_analysis.briefing.model import Column, Paragraph, Section, Table

    section = Section(key, f"Actielijn {key}")
    columns = [Column("id", "Nr."), Column("text", "Toelichting")]
    return section.add(Table(None, f"Tabel {key}", columns, rows) if rows else Paragraph.of(note, style="note"))


def test_moved_rows_vanished_tables_and_paragraphs_resolve_both_ways():
    """The merge on its own, on documents of every shape the annexes can take between two versions:
    a row moved to another table, a table that became a note and a note that became a table, a
    paragraph added and one removed, a heading changed. Accept all gives the new, reject all the old."""
    from nap_analysis.briefing.model import Paragraph
    from nap_analysis.briefing.render.tracked import tracked_docx

    old = _document(
        [
            _line("1", [["A1", "een twee drie"], ["A2", "blijft"], ["A3", "gaat naar 2"]]),
            _line("2", None),
            _line("3", [["C1", "valt weg"]]).add(Paragraph.of("Een alinea die weggaat.")),
        ]
    )
    new = _document(
        [
            _line("1", [["A1", "een drie vier"], ["A2", "blijft"]]).add(Paragraph.of("Een nieuwe alinea.")),
            _line("2", [["A3", "gaat naar 2"]]),
            _line("3", None, note="Geen activiteiten meer."),
        ]
    )
    new.sections[2].heading = "Actielijn 3, anders genoemd"
    before, after = document_docx(old), document_docx(new)
    tracked = _body(tracked_docx(before, after, "nap-analysis", f"{REPORT_DATE}T00:00:00Z"))
    assert blocks(resolve(tracked, "ins")) == blocks(_body(after))
    assert blocks(resolve(tracked, "del")) == blocks(_body(before))
    a1 = next(r for r in tracked.iter(f"{W}tr") if "A1" in "".join(r.itertext()))
    assert _changes(a1) == [("del", "twee "), ("ins", " vier")]
    a3 = [r for r in tracked.iter(f"{W}tr") if "A3" in "".join(r.itertext())]
    assert [r.find(f"{W}trPr/{W}del") is not None for r in a3] == [True, False]  # out of line 1, into line 2
    assert tracked_docx(before, after, "nap-analysis", f"{REPORT_DATE}T00:00:00Z") == tracked_docx(
        before, after, "nap-analysis", f"{REPORT_DATE}T00:00:00Z"
    )
