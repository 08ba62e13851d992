"""The nota to the bewindspersonen and the Kamerbrief: their sections against the data (read here
without the loader), a changed mapping of bewindspersonen giving other sections, internal notes only
in the internal documents, and both written by a run in HTML, PDF and Word.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from conftest import BUNDLED, DATE, section_texts

from nap_analysis.briefing.kamerbrief import kamerbrief
from nap_analysis.briefing.model import Section
from nap_analysis.briefing.nota import nota
from nap_analysis.briefing.sections import Context


def rows_of(name: str, year: int, data: Path = BUNDLED) -> list[dict]:
    with (data / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return [r for r in csv.DictReader(handle) if int(r.get("report_year") or year) == year]


texts = section_texts


def section(doc, key: str) -> Section:
    return next(s for s in doc.sections if s.key == key)


def context(data: Path = BUNDLED, year: int = 2025, language: str = "nl") -> Context:
    return Context.open(data, year, language, DATE)


def edited(tmp_path: Path, name: str, change) -> Path:
    """A copy of the bundled data with ``change(rows)`` applied to one file's rows (dicts)."""
    target = tmp_path / "data"
    shutil.copytree(BUNDLED, target)
    path = target / f"{name}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    change(rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return target


# --------------------------------------------------------------------------- the nota


def test_the_nota_has_the_sections_of_the_memos_in_their_order():
    doc = nota(context())
    assert [s.heading for s in doc.sections] == [
        "Aanleiding",
        "Geadviseerd besluit",
        "Kernpunten",
        "Toelichting",
        "Voortgangsrapportage algemeen",
        "Informatie die niet openbaar gemaakt kan worden",
    ]
    assert doc.title.startswith("Tweede voortgangsrapportage")
    margin = dict(doc.meta)
    assert margin["Interdepartementaal afgestemd"] == "JenV, SZW, VWS en RC"
    assert "1 Kamerbrief" in margin["Bijlagen"] and "Bijlage 2. Overzicht voortgang moties" in margin["Bijlagen"]


def test_one_advice_per_addressed_bewindspersoon_by_role():
    advice = texts(section(nota(context()), "besluit"))
    people = {r["code"]: r for r in rows_of("bewindspersonen", 2025)}
    addressed = [code for code, r in people.items() if r["nota"] == "yes"]
    assert [line.split(":")[0] for line in advice] == addressed == ["MOCW", "SOCW"]
    assert "akkoord te gaan met het mede namens u verzenden van de tweede voortgangsrapportage" in advice[0]
    assert "met ondertekening akkoord te gaan met verzending" in advice[1]
    assert "U gaat hiermee tevens akkoord met het meesturen van de bijlagen: Bijlage 1." in advice[1]
    others = texts(section(nota(context()), "aanleiding"))[-1]
    assert others.endswith("Dit zijn: MOCW, SPI, SJenV, SRB, SLMZ en SJPS.")  # as the memo lists them


def test_specific_information_per_bewindspersoon_lists_their_activities():
    ctx = context()
    toelichting = section(nota(ctx), "toelichting")
    parts = {s.key: s for s in toelichting.blocks if isinstance(s, Section)}
    assert sorted(parts) == ["voor-mocw", "voor-socw"]  # SPI has activities, but the nota is not addressed to SPI
    for code in ("MOCW", "SOCW"):
        theirs = [r for r in rows_of("activities", 2025) if code in [c.strip() for c in r["bewindspersoon"].split(";")]]
        shown = "\n".join(texts(parts[f"voor-{code.lower()}"]))
        for row in theirs:
            assert row["title"] in shown
        lines = sorted({int(r["actielijn"]) for r in theirs})
        assert [n for n in range(1, 6) if f"Actielijn {n}:" in shown] == lines
        assert "Deze acties betreffen geen nieuw beleid." in shown
    socw = "\n".join(texts(parts["voor-socw"]))
    assert "U bent samen met SPI verantwoordelijk voor de algehele coördinatie van het NAP." in socw
    assert "actielijn 5 valt onder de verantwoordelijkheid van VWS en JenV" in socw
    assert "A10 Rijksbrede norm" in socw and "van in uitvoering naar stopgezet" in socw  # changed since 2024


def test_the_nota_carries_the_internal_notes_and_the_advice_on_the_relabel():
    doc = nota(context())
    general = "\n".join(texts(section(doc, "algemeen")))
    for row in rows_of("motions", 2025):
        if row["internal_note"]:
            assert row["internal_note"] in general
    kern = "\n".join(texts(section(doc, "kernpunten")))
    assert "‘wordt invulling gegeven aan’" in kern and "heroverwegen" in kern
    assert "Een activiteit wordt stopgezet: Rijksbrede norm" in kern


def test_the_margin_says_with_whom_the_nota_was_consulted_inside_and_outside_the_ministry(tmp_path):
    """The memo's margin: "Intern OCW afgestemd: DGFO, EenK, HOenS, MBO, MenC" (reports.csv) and
    "Interdepartementaal afgestemd: SZW, VWS, JenV en RC" (the owners of the activities)."""
    margin = dict(nota(context()).meta)
    stated = [part.strip() for part in rows_of("reports", 2025)[0]["consulted_internally"].split(";")]
    assert margin["Intern OCW afgestemd"] == ", ".join(stated[:-1]) + " en " + stated[-1]
    assert margin["Interdepartementaal afgestemd"] == "JenV, SZW, VWS en RC"
    # 2024: not known, so no block; and a nota written by another ministry names that one
    assert not any(label.startswith("Intern") for label, _ in nota(context(year=2024)).meta)

    def szw_writes(rows):  # the nota is addressed to SPI (SZW) alone
        for row in rows:
            row["nota"] = "yes" if row["code"] == "SPI" else "no"

    margin = dict(nota(context(edited(tmp_path, "bewindspersonen", szw_writes))).meta)
    assert "Intern SZW afgestemd" in margin and "Intern OCW afgestemd" not in margin


def test_another_mapping_gives_other_sections(tmp_path):
    def move(rows):
        for row in rows:  # MOCW loses every activity; SPI is now addressed too
            row["bewindspersoon"] = row["bewindspersoon"].replace("MOCW; ", "").replace("MOCW", "")

    data = edited(tmp_path / "a", "activities", move)

    def address_spi(rows):
        for row in rows:
            if row["code"] == "SPI":
                row["nota"] = "yes"

    shutil.copyfile(
        edited(tmp_path / "b", "bewindspersonen", address_spi) / "bewindspersonen.csv", data / "bewindspersonen.csv"
    )
    doc = nota(context(data))
    parts = [s.key for s in section(doc, "toelichting").blocks if isinstance(s, Section)]
    assert parts == ["voor-socw", "voor-spi"]  # no empty section for MOCW
    assert [line.split(":")[0] for line in texts(section(doc, "besluit"))] == ["MOCW", "SOCW", "SPI"]


def test_an_unknown_bewindspersoon_is_refused_with_file_row_and_column(tmp_path, cli):
    def typo(rows):
        rows[0]["bewindspersoon"] = "SOCW; MCOW"
        rows[3]["bewindspersoon"] = "SOCW; MCOW"  # the same value again: checked once, named in each row
        rows[5]["bewindspersoon"] = "XYZ;MOCW"

    result = cli("validate", "--data", edited(tmp_path, "activities", typo))
    assert result.code == 2
    for row, code in ((2, "MCOW"), (5, "MCOW"), (7, "XYZ")):
        line = f"activities.csv, rij {row}, kolom 'bewindspersoon': bewindspersoon {code} staat niet in bewindspersonen"
        assert line in result.err, (line, result.err)
    assert result.err.count("staat niet in bewindspersonen.csv") == 3


# --------------------------------------------------------------------------- the Kamerbrief


def test_the_kamerbrief_says_progress_highlights_stopped_and_annexes_from_the_data():
    doc = kamerbrief(context())
    acts = rows_of("activities", 2025)
    progress = "\n".join(texts(section(doc, "voortgang")))
    assert f"Van de {len(acts)} activiteiten van het NAP zijn er" in progress
    completed = sum(r["status"] == "completed" for r in acts)
    assert f"{completed} afgerond" in progress
    highlights = section(doc, "uitgelicht")
    shown = "\n".join(texts(highlights))
    chosen = [r for r in acts if r["highlight"] == "yes"]
    assert chosen and all(r["title"] in shown for r in chosen)
    assert len([t for t in texts(highlights) if t.endswith(")") or "(" in t]) >= len(chosen)
    stopped = "\n".join(texts(section(doc, "stopgezet")))
    assert "Rijksbrede norm" in stopped and "geen stappen gezet" in stopped
    assert texts(section(doc, "bijlagen")) == [
        "Bijlage 1. Overzicht voortgang activiteiten",
        "Bijlage 2. Overzicht voortgang moties en toezeggingen",
    ]
    assert "mede namens de minister van Onderwijs, Cultuur en Wetenschap" in texts(section(doc, "opening"))[0]


def test_the_kamerbrief_knows_only_figures_published_before_its_report():
    def trends(year):
        return "\n".join(texts(section(kamerbrief(context(year=year)), "trends")))

    assert "in 2024" in trends(2025) and "(in 2023: 57%)" in trends(2025)
    assert "in 2024" not in trends(2024)  # the second measurement came out the day after the 2024 report


def test_no_internal_note_in_any_public_document_of_a_run(built):
    notes = [
        r["internal_note"] for name in ("activities", "motions") for r in rows_of(name, 2025) if r["internal_note"]
    ]
    assert notes
    for stem in ("kamerbrief", "bijlage-1-activiteiten", "bijlage-2-moties-en-toezeggingen"):
        page = (built.out_dir / f"{stem}.html").read_text(encoding="utf-8")
        assert [n for n in notes if n[:40] in page] == [], stem
    for stem in ("nota-bewindspersonen", "briefing"):
        page = (built.out_dir / f"{stem}.html").read_text(encoding="utf-8")
        assert [n for n in notes if n[:40] not in page] == [], stem


@pytest.mark.parametrize("stem", ["nota-bewindspersonen", "kamerbrief"])
def test_a_run_writes_both_in_three_formats_and_the_manifest_lists_them(built, stem):
    import json

    manifest = json.loads((built.out_dir / "manifest.json").read_text(encoding="utf-8"))
    for kind in ("html", "pdf", "docx"):
        assert (built.out_dir / f"{stem}.{kind}").stat().st_size > 1000
        assert f"{stem}.{kind}" in manifest["outputs"]


def test_both_in_english():
    ctx = context(year=2024, language="en")
    memo, letter = nota(ctx), kamerbrief(ctx)
    assert [s.heading for s in memo.sections][:3] == ["Occasion", "Advised decision", "Key points"]
    assert memo.title.startswith("First progress report")
    assert section(letter, "voortgang").heading == "Progress"
    assert "Of the 28 activities of the NAP," in texts(section(letter, "voortgang"))[0]


def test_the_outputs_carry_the_data_dictionary_the_verantwoording_points_to(built):
    """The briefing's Verantwoording refers to data/README.md: the output folder's data/ holds it."""
    assert "data/README.md" in (built.out_dir / "briefing.html").read_text(encoding="utf-8")
    assert (built.out_dir / "data" / "README.md").read_bytes() == (BUNDLED / "README.md").read_bytes()
