"""`nap-analysis check`: ready to send? On the bundled data it names exactly the rows that are not
stated (and the relabel of 2025); each other kind of finding is made to appear by changing one thing
in a copy of the data or of a document, and named with its id, document and words.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from conftest import BUNDLED, DATE

from nap_analysis.data import load
from nap_analysis.pipeline.check import KINDS, check


def unofficial_ids(year: int) -> set[str]:
    """Read independently of the loader: the rows of a year that are not stated, or made up."""
    ids = set()
    for name, column in (("activities", "activity_id"), ("motions", "item_id")):
        with (BUNDLED / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if int(row["report_year"]) == year and (row["status_basis"] != "stated" or row["origin"] == "made_up"):
                    ids.add(row[column])
    return ids


def edited_copy(tmp_path: Path, table: str, key: tuple[str, str], **changes) -> Path:
    """A copy of the bundled data with some cells of one row changed."""
    target = tmp_path / "data"
    shutil.copytree(BUNDLED, target)
    path = target / f"{table}.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    header = rows[0]
    for row in rows[1:]:
        if (row[0], row[1]) == key:
            for column, value in changes.items():
                row[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def undated(tmp_path_factory):
    """The 2025 documents as `nap-analysis run` writes them without --date: dated as the data say."""
    from nap_analysis.cli import main

    out = tmp_path_factory.mktemp("undated")
    err = io.StringIO()
    from contextlib import redirect_stderr, redirect_stdout

    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        # HTML only: the date is the document model's, the same in every format, and check reads the HTML
        code = main(["run", "--year", "2025", "--out", str(out), "--to", "html"])
    assert code == 0, err.getvalue()
    return out / "2025", err.getvalue()


# --------------------------------------------------------------------------- the bundled data


@pytest.mark.parametrize("year", [2024, 2025])
def test_on_the_bundled_data_only_the_rows_that_are_not_stated_are_named(bundled, year):
    found = check(bundled, year)
    basis = {f.item for f in found if f.kind == "basis"}
    assert basis == unofficial_ids(year)
    made_up = {f.item for f in found if f.kind == "basis" and "verzonnen" in f.message}
    assert made_up == {"A20", "A21", "A24", "A27", "A28"}
    others = [f for f in found if f.kind != "basis"]
    # the one decision the 2025 memo puts to the minister: the relabelled completed icon
    assert [(f.kind, f.item, f.words) for f in others] == (
        [("label", "completed", "wordt invulling gegeven aan")] if year == 2025 else []
    )


def test_the_documents_of_a_run_without_a_date_are_dated_as_the_report_and_add_nothing(undated, bundled):
    folder, stderr = undated
    assert "22 november 2026" not in (folder / "briefing.html").read_text(encoding="utf-8")
    assert "14 april 2025" in (folder / "bijlage-1-activiteiten.html").read_text(encoding="utf-8")
    with_documents = check(bundled, 2025, folder)
    assert with_documents == check(bundled, 2025)
    # the run ends with the same count, as a warning
    assert f"Controle voor verzending: {len(with_documents)} bevinding(en)" in stderr


def test_documents_dated_after_the_report_are_named(built, bundled):
    later = [f for f in check(bundled, 2025, built.out_dir) if f.kind == "later"]
    assert {(f.document, f.words) for f in later} == {
        (stem, DATE)
        for stem in (
            "briefing",
            "bijlage-1-activiteiten",
            "bijlage-2-moties-en-toezeggingen",
            "nota-bewindspersonen",
            "kamerbrief",
        )
    }


# --------------------------------------------------------------------------- each kind, made to appear


def kinds_of(found, item=None):
    return {f.kind for f in found if item is None or f.item == item}


def test_an_internal_phrase_in_a_public_row_is_named(tmp_path):
    data = edited_copy(
        tmp_path, "motions", ("M05", "2025"), explanation="Gezien de bedenkingen van de minister nog niet opgepakt."
    )
    found = [f for f in check(load(data), 2025) if f.kind == "internal"]
    assert [(f.item, f.document, f.words) for f in found] == [
        ("M05", "bijlage-2-moties-en-toezeggingen", "bedenkingen")
    ]


def test_an_internal_note_is_not_public_text(bundled):
    """M08 and M09 carry the nota's words in internal_note; the public explanation is clean."""
    motions = bundled.motions[bundled.motions["report_year"] == 2025].set_index("item_id")
    assert "po met de RC" in motions.loc["M08", "internal_note"]
    assert "bedenkingen" in motions.loc["M09", "internal_note"]
    assert "bedenkingen" not in motions.loc["M09", "explanation"]
    assert not [f for f in check(bundled, 2025) if f.kind == "internal"]


def test_an_internal_phrase_in_a_documents_own_text_is_named_with_its_context(built, bundled, tmp_path):
    folder = tmp_path / "2025"
    shutil.copytree(built.out_dir, folder)
    page = folder / "bijlage-1-activiteiten.html"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("</h1>", " (intern afgestemd)</h1>", 1), encoding="utf-8")
    found = [f for f in check(bundled, 2025, folder) if f.kind == "internal"]
    assert [(f.item, f.document) for f in found] == [("", "bijlage-1-activiteiten")]
    assert "intern afgestemd" in found[0].words


@pytest.mark.parametrize(
    ("explanation", "contradicts"),
    [
        ("Vertraagd door een latere aanbesteding.", True),
        ("Afgedaan met een brief aan de Kamer.", True),
        ("Nog niet afgerond; loopt door in 2026.", False),
        ("Of de activiteit vertraagd is, is onbekend.", False),
    ],
)
def test_an_explanation_that_says_another_status_is_named(tmp_path, explanation, contradicts):
    data = edited_copy(tmp_path, "activities", ("A11", "2025"), explanation=explanation)  # status: in uitvoering
    assert ("contradiction" in kinds_of(check(load(data), 2025), "A11")) is contradicts


def test_a_commitment_past_its_due_date_and_open_is_named(tmp_path):
    data = edited_copy(tmp_path, "motions", ("M07", "2025"), due="2023-09-30")
    found = [f for f in check(load(data), 2025) if f.kind == "overdue"]
    assert [(f.item, f.words) for f in found] == [
        (
            "M07",
            "Kabinet komt in de zomer van 2023 met concrete doelstellingen voor het NAP (commissiedebat 24 mei 2023)",
        )
    ]
    done = edited_copy(tmp_path / "done", "motions", ("M01", "2025"), due="2023-06-30")  # completed: not overdue
    assert "overdue" not in kinds_of(check(load(done), 2025))


@pytest.mark.parametrize(
    ("explanation", "later"),
    [
        ("Gestart (nota 13-03-2025).", "13-03-2025"),
        ("Rapport verschenen op 23 oktober 2024.", "23 oktober 2024"),
        ("Volgende bijeenkomst gepland in juni 2024.", None),
        ("Gestart in maart 2024.", None),
    ],
)
def test_a_2024_row_that_knows_a_later_date_is_named(tmp_path, explanation, later):
    data = edited_copy(tmp_path, "activities", ("A11", "2024"), explanation=explanation)
    found = [f.words for f in check(load(data), 2024) if f.kind == "later" and f.item == "A11"]
    assert found == ([later] if later else [])


def test_counts_that_differ_between_the_annex_and_the_data_are_named(built, bundled, tmp_path):
    folder = tmp_path / "2025"
    shutil.copytree(built.out_dir, folder)
    page = folder / "bijlage-1-activiteiten.html"
    text = page.read_text(encoding="utf-8")
    row = text.index('<th scope="row">A11</th>')
    cut = text.index("nap-status-in_progress", row)
    page.write_text(text[:cut] + "nap-status-delayed" + text[cut + len("nap-status-in_progress") :], encoding="utf-8")
    found = [f for f in check(bundled, 2025, folder) if f.kind == "counts"]
    assert [f.document for f in found] == ["bijlage-1-activiteiten"]
    assert "vertraagd 3" in found[0].words and "vertraagd 2" in found[0].message


def test_without_the_relabel_there_is_no_label_finding(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(BUNDLED, target)
    labels = target / "status_labels.csv"
    kept = [
        line for line in labels.read_text(encoding="utf-8").splitlines() if "wordt invulling gegeven aan" not in line
    ]
    labels.write_text("\n".join(kept) + "\n", encoding="utf-8")
    assert "label" not in kinds_of(check(load(target), 2025))


# --------------------------------------------------------------------------- the command


def clean_folder(tmp_path: Path) -> Path:
    """Two report years, every row stated, a report date for each: nothing to find."""
    data = tmp_path / "clean"
    data.mkdir()
    (data / "actielijnen.csv").write_text("actielijn,title_nl,title_en,owners\n1,Een,One,OCW\n", encoding="utf-8")
    (data / "activities.csv").write_text(
        "activity_id,report_year,actielijn,title,owner,status,status_basis,explanation,source\n"
        "A1,2024,1,Eerste,OCW,in uitvoering,stated,,nota\n"
        "A1,2025,1,Eerste,OCW,afgerond,stated,Afgerond in januari 2025.,nota\n",
        encoding="utf-8",
    )
    (data / "reports.csv").write_text(
        "report_year,report_date,programme_end,source\n2024,2024-03-18,2025-12-31,\n2025,2025-04-14,2026-12-31,\n",
        encoding="utf-8",
    )
    return data


def test_the_command_exits_0_when_clean_1_with_findings_2_for_bad_data(cli, tmp_path):
    clean = cli("check", "--data", clean_folder(tmp_path), "--out", tmp_path / "none")
    assert clean.code == 0, clean.err
    assert "niets gevonden" in clean.out and "alleen de data zijn gecontroleerd" in clean.err
    findings = cli("check", "--year", "2024", "--out", tmp_path / "none")
    assert findings.code == 1
    assert "A20 · bijlage-1-activiteiten: verzonnen rij" in findings.out
    bad = tmp_path / "bad"
    shutil.copytree(BUNDLED, bad)
    (bad / "reports.csv").write_text("report_year,report_date,programme_end\n2025,14-04-2025?,2026-12-31\n")
    refused = cli("check", "--data", bad)
    assert refused.code == 2 and "reports.csv" in refused.err and "Traceback" not in refused.err


def test_json_has_one_shape_for_ci(cli, tmp_path):
    done = cli("check", "--json", "--lang", "en", "--out", tmp_path / "none")
    assert done.code == 1
    shown = json.loads(done.out)
    assert set(shown) == {"command", "ok", "schema", "year", "documents_checked", "counts", "findings"}
    assert (shown["command"], shown["ok"], shown["schema"]) == ("check", False, 1)
    assert shown["year"] == 2025 and shown["documents_checked"] is False
    assert list(shown["counts"]) == list(KINDS)
    assert sum(shown["counts"].values()) == len(shown["findings"])
    for finding in shown["findings"]:
        assert set(finding) == {"kind", "item", "document", "words", "message"}
        assert all(isinstance(value, str) for value in finding.values())
    assert shown["findings"][0]["message"].startswith("status ")  # the run's language: English
    assert "not stated" in shown["findings"][0]["message"]


def test_the_counts_of_a_run_agree_in_both_languages(built, built_en, bundled):
    """The briefing's table is read back in its own dialect (';' in Dutch, ',' in English)."""
    assert [f for f in check(bundled, 2025, built.out_dir, "nl") if f.kind == "counts"] == []
    assert [f for f in check(bundled, 2024, built_en.out_dir, "en") if f.kind == "counts"] == []


def test_one_function_says_which_status_word_reads_as_another_status():
    """check, the nota and the briefing ask the same function (vocabulary.misleading_labels)."""
    from nap_analysis.data.vocabulary import misleading_labels

    labels = {"completed": "wordt invulling gegeven aan", "in_progress": "in uitvoering", "delayed": "vertraagd"}
    rows = [
        ("M01", "completed", "Afgedaan met brief van de minister."),
        ("A03", "completed", ""),
        ("A02", "in_progress", "afgerond"),
    ]
    (found,) = misleading_labels(labels, rows)
    assert (found.status, found.word, found.reads, found.own) == (
        "completed",
        "wordt invulling gegeven aan",
        ("in_progress",),
        ("M01",),
    )
    assert misleading_labels({"completed": "afgerond", "in_progress": "in uitvoering"}, rows) == []
