"""The loader: dialects Dutch spreadsheet users export, typed tables, located problems."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from nap_analysis.data import vocabulary as v
from nap_analysis.data.loader import load
from nap_analysis.errors import DataError


def test_small_fixture_types(small):
    acts = small.activities
    assert isinstance(acts["status"].dtype, pd.CategoricalDtype)
    assert list(acts["status"].cat.categories) == list(v.ACTIVITY_STATUSES)
    assert list(acts["actielijn"].cat.categories) == [1, 2, 3]
    assert acts["report_year"].dtype == "int64"
    # Dutch words, capitals and stray spaces map to codes
    row = acts[(acts.activity_id == "A2") & (acts.report_year == 2025)].iloc[0]
    assert row.status == "delayed"
    assert acts.loc[acts.activity_id == "A4", "status"].tolist() == ["completed", "in_progress"]
    assert small.report_years == [2024, 2025]
    assert small.previous_year(2025) == 2024 and small.previous_year(2024) is None


def test_dutch_numbers_and_dates(small):
    funds = small.funds.set_index("purpose")
    assert funds.loc["programmakosten", "amount_eur"] == 2_050_000  # 2.050.000 Dutch thousands
    ms = small.milestones.set_index("milestone")
    assert ms.loc["MR en verzending", "actual"] == pd.Timestamp("2023-01-13")  # 13-01-2023
    assert ms.loc["BWO", "planned"] == pd.Timestamp("2022-10-22")
    assert pd.isna(ms.loc["Conferentie", "actual"])


def test_optional_files_absent_give_notes(small):
    assert small.motions is None and small.indicators is None
    assert any("motions ontbreekt" in note for note in small.notes)
    assert any("indicators ontbreekt" in note for note in small.notes)


def _write_variants(tmp_path, small_dir):
    """The same tables in the dialects Excel produces."""
    frames = {p.stem: pd.read_csv(p, sep=";", dtype=str, keep_default_na=False) for p in small_dir.glob("*.csv")}
    variants = {}
    for name, (sep, encoding) in {
        "comma_utf8": (",", "utf-8"),
        "semicolon_bom": (";", "utf-8-sig"),
        "cp1252": (";", "cp1252"),
    }.items():
        d = tmp_path / name
        d.mkdir()
        for stem, frame in frames.items():
            frame = frame.replace({"Eerste": "Eerste ‘café’ – één"})
            frame.to_csv(d / f"{stem}.csv", sep=sep, index=False, encoding=encoding)
        variants[name] = d
    d = tmp_path / "xlsx"
    d.mkdir()
    with pd.ExcelWriter(d / "nap_data.xlsx", engine="openpyxl") as book:
        for stem, frame in frames.items():
            frame.replace({"Eerste": "Eerste ‘café’ – één"}).to_excel(book, sheet_name=stem, index=False)
    variants["xlsx"] = d
    return variants


def test_dialects_load_identically(tmp_path):
    variants = _write_variants(tmp_path, FIXTURES / "small")
    loaded = {name: load(d) for name, d in variants.items()}
    reference = loaded["comma_utf8"].activities
    assert "Eerste ‘café’ – één" in set(reference["title"])
    for name, programme in loaded.items():
        pd.testing.assert_frame_equal(programme.activities, reference, obj=name)
        pd.testing.assert_frame_equal(programme.milestones, loaded["comma_utf8"].milestones, obj=name)
    assert loaded["xlsx"].files["activities"] == "nap_data.xlsx:activities"


def _problems(path) -> list[str]:
    with pytest.raises(DataError) as info:
        load(path)
    return [str(p) for p in info.value.problems]


def test_all_problems_reported_with_location(small_copy):
    acts = small_copy / "activities.csv"
    text = acts.read_text()
    text = text.replace("A2;2025;1;Tweede;OCW;  Vertraagd ", "A2;2025;1;Tweede;OCW;vertraagt")
    text = text.replace("A5;2025;3;", "A5;2025;7;")
    text = text.replace("A7;2025;", "A7;twee;")
    text = text.replace("A1;2025;1;Eerste;OCW;afgerond;stated", "A1;2025;1;Eerste;OCW;afgerond;gok")
    text += "A1;2024;1;Dubbel;OCW;afgerond;stated;;memo\n"
    acts.write_text(text)
    problems = _problems(small_copy)
    joined = "\n".join(problems)
    assert "activities.csv, rij 9, kolom 'status': onbekende status 'vertraagt'; bedoelt u 'vertraagd'?" in joined
    assert "activities.csv, rij 13, kolom 'report_year': 'twee' is geen getal" in joined
    assert "activities.csv, rij 8, kolom 'status_basis': 'gok' is geen toegestane waarde" in joined
    assert (
        "rij 14, kolom 'activity_id': dubbele sleutel (activity_id=A1, report_year=2024); komt ook voor in rij 2"
        in joined
    )
    # the reference problem is found once the values themselves are fine
    acts.write_text(
        acts.read_text()
        .replace("vertraagt", "vertraagd")
        .replace("twee", "2025")
        .replace(";gok", ";stated")
        .replace("A1;2024;1;Dubbel;OCW;afgerond;stated;;memo\n", "")
    )
    assert _problems(small_copy) == [
        "activities.csv, rij 12, kolom 'actielijn': actielijn 7 bestaat niet in actielijnen.csv (wel: 1, 2, 3)"
    ]


def test_missing_and_renamed_columns(small_copy):
    acts = small_copy / "activities.csv"
    acts.write_text(acts.read_text().replace("status;status_basis", "staus;status_basis", 1))
    assert _problems(small_copy) == [
        "activities.csv, rij 1, kolom 'status': verplichte kolom ontbreekt; staat er 'staus'?"
    ]


def test_missing_required_file(small_copy):
    (small_copy / "actielijnen.csv").unlink()
    assert any("actielijnen.csv: verplicht bestand ontbreekt" in p for p in _problems(small_copy))


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "bestand is leeg"),
        (
            b"activity_id;report_year;actielijn;title;owner;status;status_basis;explanation;source\n",
            "alleen een kopregel",
        ),
        (b"\x00\x01\x02binary\xff\xfe", "binaire inhoud"),
        (b"PK\x03\x04rest-of-zip", "Excel-werkmap met de extensie .csv"),
    ],
)
def test_unusable_files(small_copy, content, expected):
    (small_copy / "activities.csv").write_bytes(content)
    problems = _problems(small_copy)
    assert any(p.startswith("activities.csv: ") and expected in p for p in problems), problems


def test_input_files_never_modified(small_copy):
    before = {p.name: p.read_bytes() for p in small_copy.iterdir()}
    load(small_copy)
    assert {p.name: p.read_bytes() for p in small_copy.iterdir()} == before


def test_bundled_data_loads_and_is_sourced(bundled):
    assert bundled.report_years == [2024, 2025]
    assert list(bundled.actielijnen["actielijn"]) == [1, 2, 3, 4, 5]
    for name in ("activities", "motions", "funds", "milestones", "indicators"):
        table = getattr(bundled, name)
        assert table is not None and len(table) > 0, name
        assert (table["source"].str.len() > 0).all(), f"{name}: every row names its source"
    for name in ("activities", "motions"):
        table = getattr(bundled, name)
        assert table["status_basis"].notna().all()
        # an illustrative status is never presented without saying so in its explanation
        illustrative = table[table["status_basis"] == "illustrative"]
        assert illustrative["explanation"].str.startswith("Illustratief").all(), name


# --------------------------------------------------------------------------- messages


def test_loader_words_in_both_languages_with_the_same_fields():
    """Every loader message and note is a key in both catalogues, with the same {placeholders}."""
    from string import Formatter

    from nap_analysis.words import CATALOGUES

    nl, en = CATALOGUES["nl"], CATALOGUES["en"]

    def fields(text):
        return sorted({f[1] for f in Formatter().parse(text) if f[1]})

    ours = sorted(k for k in nl if k.startswith(("load.", "note.", "problem.")))
    assert len(ours) > 80
    assert [k for k in en if k.startswith(("load.", "note.", "problem."))] == [k for k in nl if k in ours]
    assert {k: fields(nl[k]) for k in ours} == {k: fields(en[k]) for k in ours}


def test_problems_are_words_keys_said_in_either_language(small_copy):
    """A problem carries a key and its fields, not a Dutch sentence: the same problem in English."""
    from nap_analysis.words import words

    acts = small_copy / "activities.csv"
    acts.write_text(acts.read_text().replace("A2;2025;1;Tweede;OCW;  Vertraagd ", "A2;2025;1;Tweede;OCW;vertraagt"))
    with pytest.raises(DataError) as info:
        load(small_copy)
    (found,) = info.value.problems
    assert found.message == "load.unknown_status_suggest" and found.message in words("en")
    assert found.text("nl").startswith(
        "activities.csv, rij 9, kolom 'status': onbekende status 'vertraagt'; bedoelt u 'vertraagd'?"
    )
    assert found.text("en").startswith(
        "activities.csv, row 9, column 'status': unknown status 'vertraagt'; did you mean 'vertraagd'?"
    )


def test_notes_are_words_keys_and_survive_pickling(small):
    """Notes print as Dutch text, say themselves in English, and reach the kernels intact."""
    import pickle

    note = next(n for n in small.notes if n.key == "note.absent.motions")
    assert note.text("en") == "motions is missing: motions and commitments (Annex 2) skipped"
    again = pickle.loads(pickle.dumps(note))
    assert again == note and again.text("en") == note.text("en")


def test_invisible_characters_are_written_out():
    from nap_analysis.data.messages import visible

    assert visible("vertraagd\u200b") == "vertraagd\\u200b"
    assert visible("in\u00a0uitvoering\ufeff") == "in\\u00a0uitvoering\\ufeff"
    assert visible("gewoon woord met spaties") == "gewoon woord met spaties"
    assert visible("\U000e0041") == "\\U000e0041"


# --------------------------------------------------------------------------- numbers


def _indicators(folder, percents, ns):
    rows = ["monitor;indicator;group;year;percent;n;source"]
    rows += [f"M;i;g;{2000 + k};{p};{n};memo" for k, (p, n) in enumerate(zip(percents, ns))]
    (folder / "indicators.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    "percents, ns, expected",
    [
        (["10.9", "2.549"], ["1", "2"], [10.9, 2.549]),  # the column writes a decimal point
        (["10,9", "2.549", "10.5"], ["1", "2", "3"], None),  # the column writes both ways: '2.549' stays ambiguous
        (
            ["10,9", "2.549"],
            ["1", "2"],
            [10.9, 2549],
        ),  # the column writes a decimal comma: '.' groups thousands (out of range)
        (
            ["11", "2.549"],
            ["1.234.567", "2"],
            [11, 2549],
        ),  # the column shows nothing, the file groups with '.' (out of range)
        (["11", "2.549"], ["1,234,567", "2"], [11, 2.549]),  # ... the file groups with ','
        (["11", "2.549"], ["1", "2"], None),  # nothing decides it
    ],
)
def test_ambiguous_numbers_follow_the_column_then_the_file(small_copy, percents, ns, expected):
    _indicators(small_copy, percents, ns)
    if expected and expected[1] == 2549:
        assert _problems(small_copy) == [
            "indicators.csv, rij 3, kolom 'percent': 2.549 valt buiten het toegestane bereik (van 0 tot en met 100)"
        ]
        return
    if expected is None:
        problems = _problems(small_copy)
        assert problems == [
            (
                "indicators.csv, rij 3, kolom 'percent': '2.549' is dubbelzinnig: 2549 als '.' duizendtallen scheidt, "
                "of 2,549 als '.' het decimaalteken is; de rest van de kolom en het bestand beslist het niet: "
                "schrijf duizendtallen zonder scheidingsteken (zie 'Getallen' in data/README.md)"
            )
        ]
    else:
        assert load(small_copy).indicators["percent"].tolist() == expected


@settings(max_examples=300, deadline=None)
@given(
    whole=st.integers(0, 10**12),
    decimals=st.one_of(st.none(), st.text("0123456789", min_size=1, max_size=4)),
    negative=st.booleans(),
)
def test_number_rule_reads_what_a_plain_formatter_writes(whole, decimals, negative):
    """A number written the Dutch or the English way is read back exactly as that way, and
    the other way reads it the same or not at all -- except in the one ambiguous shape."""
    from nap_analysis.data import numbers

    grouped = f"{whole:,}"
    sign = "-" if negative else ""
    dutch = sign + grouped.replace(",", ".") + (f",{decimals}" if decimals else "")
    english = sign + grouped + (f".{decimals}" if decimals else "")
    value = float(f"{sign}{whole}.{decimals or 0}")
    parsed = numbers.parse(pd.Series([dutch, english], dtype="str"))
    assert parsed.dutch[parsed.codes[0]] == value
    assert parsed.english[parsed.codes[1]] == value
    for text, other in ((dutch, parsed.english[parsed.codes[0]]), (english, parsed.dutch[parsed.codes[1]])):
        ambiguous = numbers.readings(text) is not None
        assert ambiguous == (not np.isnan(other) and other != value), text


def test_text_rules_on_their_own():
    """data.text: look-alikes, scripts, control characters and the plausible single-byte reading."""
    from nap_analysis.data import text

    assert text.identity("\u0410\u0412-\uff10\uff15") == text.identity("ab-05")  # Cyrillic, full width, case
    assert text.identity("café") != text.identity("cafe")  # an accent is a different letter
    assert text.scripts("OCW-2026-\u041e1") == {"LATIN", "CYRILLIC"}
    assert text.near_duplicates(pd.Series(["A05", "B1", "a05", "A05 "])) == [(0, 2)]
    assert text.character_name("\x0c") == "U+000C FORM FEED"
    assert text.normalised(pd.Series(["cafe\u0301", "a\x0bb", "x"])).tolist() == ["café", "a\nb", "x"]
    assert text.control_characters(pd.Series(["a\x1bb", "tab\tand\nline"])).tolist() == ["\x1b", None]
    assert text.error_values(pd.Series(["#N/A", " #ref! ", "#1 prioriteit", "N/A", "Nan"])).tolist() == [
        True,
        True,
        False,
        False,
        False,
    ]
    # plain() looks for error values only in texts with '#' or 'err:': every error value has one
    assert all(e.startswith("#") or e.lower().startswith("err:") for e in text.ERROR_VALUES)
    for value in sorted(text.ERROR_VALUES):
        assert not text.plain(pd.Series(["OCW-1", f" {value.lower()} ", "x"])), value
    assert text.plain(pd.Series(["motie #12", "Err: geen", "gewoon"]))
    dutch = "Eerste ‘café’ – één; ëïü"
    assert text.likelier_single_byte(dutch.encode("cp1252")) is None
    assert text.likelier_single_byte(dutch.encode("mac_roman"))[0] == "mac"
    assert (
        text.likelier_single_byte(dutch.replace("‘", "").replace("’", "").replace("–", "").encode("cp850"))[0] == "dos"
    )


def test_an_id_that_mixes_scripts_is_refused(tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "small", data)
    path = data / "activities.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("A7;2025", "OCW-\u04107;2025"), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load(data)
    assert [str(p) for p in info.value.problems] == [
        "activities.csv, rij 13, kolom 'activity_id': 'OCW-\u04107' mengt letters uit verschillende schriften "
        "(Cyrillic, Latin) die er hetzelfde uitzien; typ de code opnieuw met alleen Latijnse letters"
    ]


def test_an_id_typed_nfc_one_year_and_nfd_the_next_is_one_id(tmp_path):
    """'café' with 'é' in 2024 and with 'e' + combining accent in 2025 (macOS writes NFD): one
    activity, so its change from one year to the next is seen (before: two activities)."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "small", data)
    path = data / "activities.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace("A2;2024", "caf\u00e9;2024").replace("A2;2025", "cafe\u0301;2025")
    path.write_text(text, encoding="utf-8")
    activities = load(data).activities
    rows = activities[activities["activity_id"] == "caf\u00e9"]
    assert rows["report_year"].tolist() == [2024, 2025]
    assert rows["status"].astype(str).tolist() == ["in_progress", "delayed"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.floats(allow_nan=True),
            st.integers(),
            st.text(alphabet=st.sampled_from(" \t\n\r\x0b\x0c\x1c\x85\xa0\u2003\x00ab#é"), max_size=4),
        ),
        max_size=12,
    )
)
def test_blank_distinct_values_found_by_one_scan_as_by_stripping_each(values):
    """reading._blank scans the distinct values joined; it must call blank exactly what
    stripping each value calls blank (missing counts as blank), NUL and Unicode spaces too."""
    from nap_analysis.data import reading

    uniques = pd.Index(values, dtype=object)
    expected = pd.Series(uniques, dtype=object).fillna("").astype(str).str.strip().eq("").to_numpy(dtype=bool)
    assert reading._blank(uniques).tolist() == expected.tolist()
